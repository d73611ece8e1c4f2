"""What the class report says, computed from the gradebook and the autograded notebooks.

* scores: each student's percentage per assignment (late penalty subtracted);
* exercise success: per graded cell, the share of students with full points and the mean
  share of points;
* quiz items: difficulty (the mean share of points, so 0.9 is an easy question) and
  discrimination (the correlation between a question's score and the rest of the quiz: near 0
  or negative means the question does not separate students who understood from those who did
  not, and deserves a second look), with each question's number and title for its label;
* mistakes: how many submissions the graders named each catalogued mistake in, from the
  structured record the grader writes into each autograded notebook's metadata (never from
  the outputs' text, which a student's code can imitate);
* failures no catalogued mistake explains, per exercise: counted from the same record, with a
  few of the grader's messages as examples (read from the verdicts only the grader can place in
  a test cell), so that a new cluster of errors shows before the catalogue names it.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
from nbgrader.api import Gradebook, MissingEntry

from sandbox import METADATA_KEY


@dataclass(frozen=True)
class CellStats:
    """One graded cell across the class: ``full`` is the share of students with all its
    points, ``mean`` the mean share of its points."""

    assignment: str
    cell: str
    points: float
    full: float
    mean: float


@dataclass(frozen=True)
class QuizItem:
    """One quiz question: ``difficulty`` (mean share of points) and ``discrimination``
    (corrected item-total correlation; NaN when everyone scored the same)."""

    cell: str
    difficulty: float
    discrimination: float


def cell_scores(db_url: str, course_id: str, assignment: str,
                students: list[str]) -> tuple[list[str], dict[str, float], np.ndarray]:
    """``(cells, points per cell, scores)``: ``scores[i, j]`` is the score on cell j of the
    i-th student of ``students`` whose submission was graded (those without one, or whose
    notebook nbgrader could not grade, are left out: their zeros say nothing about a cell)."""
    with Gradebook(db_url, course_id) as gradebook:
        record = gradebook.find_assignment(assignment)
        cells = [c.name for notebook in record.notebooks for c in notebook.grade_cells]
        points = {c.name: float(c.max_score) for notebook in record.notebooks
                  for c in notebook.grade_cells}
        rows = []
        for student in students:
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                continue
            row = np.zeros(len(cells))
            graded = False
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name in cells and grade.auto_score is not None:
                        row[cells.index(grade.name)] = grade.score
                        graded = True
            if graded:
                rows.append(row)
    return cells, points, np.array(rows).reshape(len(rows), len(cells))


def percentages(db_url: str, course_id: str, assignment: str,
                students: list[str]) -> np.ndarray:
    """Each student's score on ``assignment`` as a percentage of the maximum, after the late
    penalty; 0 for a student without a submission. Shape ``(len(students),)``."""
    out = np.zeros(len(students))
    with Gradebook(db_url, course_id) as gradebook:
        maximum = float(gradebook.find_assignment(assignment).max_score) or 1.0
        for i, student in enumerate(students):
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                continue
            penalty = float(submission.late_submission_penalty or 0.0)
            out[i] = 100.0 * max(0.0, float(submission.score) - penalty) / maximum
    return out


def cell_stats(assignment: str, cells: list[str], points: dict[str, float],
               scores: np.ndarray) -> list[CellStats]:
    """:class:`CellStats` per cell from :func:`cell_scores` (none when nobody was graded)."""
    if len(scores) == 0:
        return []
    stats = []
    for j, cell in enumerate(cells):
        worth = points[cell] or 1.0
        share = scores[:, j] / worth
        stats.append(CellStats(assignment, cell, points[cell], float(np.mean(share >= 1 - 1e-9)),
                               float(np.mean(share))))
    return stats


def quiz_items(cells: list[str], points: dict[str, float], scores: np.ndarray) -> list[QuizItem]:
    """Difficulty and discrimination of every quiz question (cells are questions)."""
    if len(scores) == 0:
        return []
    shares = scores / np.array([points[c] or 1.0 for c in cells])
    totals = scores.sum(axis=1)
    items = []
    for j, cell in enumerate(cells):
        rest = totals - scores[:, j]
        item = shares[:, j]
        if item.std() == 0 or rest.std() == 0:
            discrimination = float("nan")
        else:
            discrimination = float(np.corrcoef(item, rest)[0, 1])
        items.append(QuizItem(cell, float(item.mean()), discrimination))
    return items


#: Quiz questions whose discrimination is below this deserve a second look.
DISCRIMINATION_FLOOR = 0.2


def question_number(cell: str) -> int | None:
    """The question number in a quiz cell's name (``check_q07`` -> 7)."""
    found = re.search(r"q0*(\d+)", cell)
    return int(found.group(1)) if found else None


def question_titles(folder: Path) -> dict[int, str]:
    """Each quiz question's title by number, from the headings ``## Question 7: Title`` of
    the notebooks in ``folder`` (empty when there are none)."""
    titles = {}
    for path in sorted(folder.glob("*.ipynb")):
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception:  # a missing or damaged source only costs the titles
            continue
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                for number, title in re.findall(r"^#+\s*Question\s+(\d+)\s*:\s*(.+)$",
                                                cell.source, flags=re.MULTILINE):
                    titles[int(number)] = title.strip()
    return titles


def question_label(cell: str, titles: dict[int, str]) -> str:
    """``Q7 Title`` for a quiz cell (its name when it has no number)."""
    number = question_number(cell)
    if number is None:
        return cell
    return f"Q{number} {titles.get(number, '')}".strip()


def needs_a_look(item: QuizItem) -> bool:
    """Whether a question's discrimination is below the floor, or not defined."""
    return math.isnan(item.discrimination) or item.discrimination < DISCRIMINATION_FLOOR


def quiz_places(items: list[QuizItem]) -> dict[tuple[float, float], list[QuizItem]]:
    """The quiz plot's points: questions at one place (difficulty, discrimination, NaN drawn
    as 0) share a point."""
    points: dict[tuple[float, float], list[QuizItem]] = {}
    for item in items:
        y = 0.0 if math.isnan(item.discrimination) else item.discrimination
        points.setdefault((round(item.difficulty, 3), round(y, 3)), []).append(item)
    return points


def questions_to_look_at(items: list[QuizItem]
                         ) -> list[tuple[float, float, list[QuizItem]]]:
    """The quiz plot's points that get a label, ``(x, y, questions there)``, the lowest
    discrimination first: those with a question below the floor or where all scored alike."""
    return sorted(((x, y, group) for (x, y), group in quiz_places(items).items()
                   if any(needs_a_look(i) for i in group)), key=lambda p: p[1])


def _autograded_notebooks(autograded: Path, assignment: str) -> Iterator[tuple[str, dict]]:
    """``(student, notebook as JSON)`` for every readable autograded notebook of ``assignment``."""
    for path in sorted(autograded.glob(f"*/{assignment}/*.ipynb")):
        try:
            yield path.parent.parent.name, json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue


def mistake_counts(autograded: Path, assignment: str) -> Counter[str]:
    """How many students' autograded notebooks the graders named each catalogued mistake in (a
    student counts once per mistake), by the mistake's name."""
    counts: Counter[str] = Counter()
    for _, notebook in _autograded_notebooks(autograded, assignment):
        record = notebook.get("metadata", {}).get(METADATA_KEY) or {}
        cells = record.get("cells") if isinstance(record, dict) else None
        named = set()
        for cell in (cells or {}).values():
            for mistake in cell.get("mistakes", []) if isinstance(cell, dict) else []:
                if isinstance(mistake, dict) and isinstance(mistake.get("name"), str):
                    named.add(mistake["name"])
        counts.update(named)
    return counts


def grading_records(autograded: Path, assignment: str
                    ) -> tuple[Counter[str], list[tuple[str, str]]]:
    """How the sandbox graded ``assignment``: how many notebooks each mode graded, and every
    incident it noted, as ``(student, line)``, from the autograded notebooks' metadata."""
    modes: Counter[str] = Counter()
    incidents: list[tuple[str, str]] = []
    for student, notebook in _autograded_notebooks(autograded, assignment):
        record = notebook.get("metadata", {}).get(METADATA_KEY)
        if record is None:  # grading stopped before the notebook was written back
            continue
        modes[record.get("sandbox", "unknown")] += 1
        incidents += [(student, str(line)) for line in record.get("incidents", [])]
    return modes, incidents


@dataclass(frozen=True)
class Unexplained:
    """One graded cell's failures that no catalogued mistake explains, among the ``graded``
    notebooks of its assignment: ``failed`` students lost points on it with no mistake named,
    besides ``blank`` ones who left it "not implemented yet"; ``examples`` holds a few of the
    failed students' messages, as ``(student, message)``."""

    assignment: str
    cell: str
    graded: int
    failed: int
    blank: int
    examples: tuple[tuple[str, str], ...]


#: At most this many characters of one example message.
EXAMPLE_CHARS = 240


def unexplained_failures(autograded: Path, assignment: str,
                         examples: int = 3) -> list[Unexplained]:
    """Per graded cell of ``assignment`` (in notebook order), the students who lost points on
    it while the graders named no catalogued mistake, from each autograded notebook's grading
    record; up to ``examples`` of their messages, one per distinct message."""
    graded, failed, blank = 0, Counter(), Counter()
    shown: dict[str, dict[str, str]] = {}  # cell -> message -> the first student who got it
    order: dict[str, int] = {}
    cells_seen: set[str] = set()
    for student, notebook in _autograded_notebooks(autograded, assignment):
        record = notebook.get("metadata", {}).get(METADATA_KEY)
        cells = record.get("cells") if isinstance(record, dict) else None
        if not isinstance(cells, dict):
            continue
        graded += 1
        messages = cell_messages(notebook)
        for name in [*messages, *cells]:  # the notebook's order
            order.setdefault(name, len(order))
        cells_seen.update(cells)
        for name, cell in cells.items():
            if not _lost_points_unexplained(cell):
                continue
            message = messages.get(name, "")
            if _is_blank(message):
                blank[name] += 1
                continue
            failed[name] += 1
            line = _failure_line(message) or "(no message from the grader)"
            shown.setdefault(name, {}).setdefault(line, student)
    return [Unexplained(assignment, name, graded, failed[name], blank[name],
                        tuple((student, line) for line, student in
                              list(shown.get(name, {}).items())[:examples]))
            for name in sorted(order, key=order.get) if name in cells_seen]


def _lost_points_unexplained(cell: object) -> bool:
    """Whether a cell's grading record says it lost points with no catalogued mistake named."""
    if not isinstance(cell, dict):
        return False
    try:
        lost = float(cell.get("points", 0.0)) < float(cell.get("max_points", 0.0))
    except (TypeError, ValueError):
        return False
    return lost and not cell.get("mistakes")


def cell_messages(notebook: dict) -> dict[str, str]:
    """Each test cell's message, by grade id: the grader's verdicts (outputs marked with
    :data:`METADATA_KEY`, which only the grader can place in a test cell), or, when the grader
    passed and the cell still lost its points, the error the cell's visible checks raised."""
    messages = {}
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
        name = meta.get("nbgrader", {}).get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(name, str):
            continue
        verdicts, errors = [], []
        for output in cell.get("outputs", []):
            if not isinstance(output, dict):
                continue
            if (output.get("metadata") or {}).get(METADATA_KEY) == "grader":
                verdicts.append(_text(output.get("data", {}).get("text/plain", "")))
            elif output.get("output_type") == "error":
                errors.append(f"the cell's own checks raised {_text(output.get('ename', ''))}: "
                              f"{_text(output.get('evalue', ''))}")
        failing = [v for v in verdicts if "✗" in v or "✓" not in v]
        messages[name] = "\n".join(failing or errors or verdicts)
    return messages


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _is_blank(message: str) -> bool:
    """Whether every failure a message names is a function still "not implemented yet"."""
    failures = [line for line in message.splitlines() if "✗" in line]
    return bool(failures) and all("not implemented yet" in line for line in failures)


def _failure_line(message: str) -> str:
    """The line of a grader's message that says what failed, without the "Grader:" heading
    and the ✗ mark, cut to :data:`EXAMPLE_CHARS`."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    line = next((line for line in lines if "✗" in line), lines[0] if lines else "")
    line = re.sub(r"^(Grader:\s*)?✗?\s*", "", line)
    return line if len(line) <= EXAMPLE_CHARS else line[:EXAMPLE_CHARS - 1] + "…"
