"""Each student's misconceptions across the course: what they keep getting wrong.

A student's profile gathers, over every assignment autograded so far, each catalogued mistake
the graders named in their work and each quiz question they answered wrongly (with the option
they chose; a numeric answer is "wrong on Q4" without one). Everything comes from the grader's
structured record in each autograded notebook's metadata (``sandbox.METADATA_KEY``) and, for
the quiz, from the answer cell's source read as a literal: never from the text of the outputs,
which a student's code can imitate ("Likely mistake: ...").

Each entry links to the section of the notebook that explains it: the markdown heading above
the graded cell in the released notebook (``release/<assignment>/``), e.g. "Exercise 4 —
`leaky_relu(z, slope=0.01)`" for ``forward.leaky_relu`` or "Question 7: Softmax with
cross-entropy" for ``check_q07``.

Mistakes *repeat* when the same catalogue key (the part of the id after the colon, such as
``ignores_slope`` in ``forward.leaky_relu:ignores_slope`` and
``backward.leaky_relu_grad:ignores_slope``) shows in more than one assignment or exercise: the
same slip in another function. The student's feedback says so ("you also made this mistake in
ps1_forward", :mod:`course.feedback_filter`); the class report lists each student's profile and
the class's most common misconceptions with the students who hold them
(:func:`report_section`).
"""

from __future__ import annotations

import ast
import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sandbox import METADATA_KEY

#: Notebooks larger than this are not read (a notebook of the course is well under 5 MB).
MAX_NOTEBOOK_BYTES = 20_000_000
#: At most this many assignments of one student, notebooks of one assignment, are read.
MAX_FOLDERS = 100
#: At most this many characters of an answer cell are parsed, of a name shown.
MAX_ANSWER_CHARS = 2_000
MAX_NAME_CHARS = 200
#: At most this many entries are kept per student.
MAX_ENTRIES = 500

QUIZ_CHECK = re.compile(r"check_(q\d+)")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Section:
    """Where a notebook explains a graded cell: the released notebook (its name without
    ``.ipynb``), the grade id of the markdown cell holding the heading, and the heading."""

    assignment: str
    notebook: str
    anchor: str
    title: str


@dataclass(frozen=True)
class Misconception:
    """One thing a student got wrong in one assignment.

    ``kind`` is ``"mistake"`` (a catalogued mistake, ``id`` its catalogue id) or ``"quiz"``
    (``id`` is ``quiz:q07`` or ``quiz:q07:B`` with the option chosen); ``key`` groups repeats
    (the catalogue key, or ``quiz:q07``); ``name`` is the line a reader sees; ``cell`` the
    graded cell it was found in."""

    assignment: str
    cell: str
    kind: str
    id: str
    key: str
    name: str
    section: Section | None = None


def read_notebook(path: Path) -> dict | None:
    """A notebook as JSON, or None when it is missing, too large or not a notebook."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return notebook if isinstance(notebook, dict) else None


def _cells(notebook: dict) -> list[dict]:
    cells = notebook.get("cells")
    return [c for c in cells if isinstance(c, dict)] if isinstance(cells, list) else []


def _source(cell: dict, limit: int | None = None) -> str:
    source = cell.get("source", "")
    text = "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else (
        source if isinstance(source, str) else "")
    return text if limit is None else text[:limit]


def grade_id(cell: dict) -> str | None:
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    value = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return value if isinstance(value, str) else None


def sections(release: Path, assignment: str) -> dict[str, Section]:
    """Each graded or answer cell of ``assignment``'s released notebooks, by grade id, with
    the heading of the markdown cell above it (the closest one that has a heading)."""
    found: dict[str, Section] = {}
    folder = release / assignment
    for path in sorted(folder.glob("*.ipynb"))[:MAX_FOLDERS]:
        notebook = read_notebook(path)
        if notebook is None:
            continue
        current: Section | None = None
        for cell in _cells(notebook):
            name = grade_id(cell)
            if cell.get("cell_type") == "markdown":
                heading = _HEADING.search(_source(cell, 20_000))
                if heading and name:
                    title = heading.group(1).replace("`", "")[:200]
                    current = Section(assignment, path.stem, name, title)
            elif name and current is not None:
                found.setdefault(name, current)
    return found


def quiz_answer(notebook: dict, question: str) -> object:
    """What the student assigned to ``answer_<question>`` in its answer cell, read as a
    literal from at most :data:`MAX_ANSWER_CHARS` of the source (None when it cannot be)."""
    for cell in _cells(notebook):
        if grade_id(cell) != f"answer_{question}":
            continue
        try:
            tree = ast.parse(_source(cell, MAX_ANSWER_CHARS))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        value = None
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id == f"answer_{question}"):
                try:
                    value = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                    value = None
        return value
    return None


def option_of(answer: object) -> str | None:
    """The option(s) a quiz answer chose, as letters (``"AC"``); None for a number, a blank
    or anything else."""
    if isinstance(answer, str):
        letters = re.sub(r"[\s,;]+", "", answer).upper()
    elif isinstance(answer, (list, tuple, set)) and all(isinstance(a, str) for a in answer):
        letters = "".join(a.strip().upper() for a in answer)
    else:
        return None
    if not letters or len(letters) > 10 or not letters.isalpha() or not letters.isascii():
        return None
    return "".join(sorted(set(letters)))


def _lost(cell: dict) -> bool:
    try:
        return float(cell.get("points", 0.0)) < float(cell.get("max_points", 0.0))
    except (TypeError, ValueError):
        return False


def misconceptions(notebook: dict, assignment: str,
                   where: dict[str, Section] | None = None) -> list[Misconception]:
    """What one autograded notebook's grading record says the student got wrong."""
    where = where or {}
    record = (notebook.get("metadata") or {}).get(METADATA_KEY)
    cells = record.get("cells") if isinstance(record, dict) else None
    if not isinstance(cells, dict):
        return []
    found: list[Misconception] = []
    for cell_name, cell in list(cells.items())[:MAX_ENTRIES]:
        if not (isinstance(cell_name, str) and isinstance(cell, dict)):
            continue
        section = where.get(cell_name)
        mistakes = cell.get("mistakes")
        for mistake in mistakes[:20] if isinstance(mistakes, list) else []:
            if not isinstance(mistake, dict):
                continue
            mistake_id, name = mistake.get("id"), mistake.get("name")
            if (isinstance(mistake_id, str) and isinstance(name, str)
                    and not any(f.cell == cell_name and f.id == mistake_id for f in found)):
                key = mistake_id.partition(":")[2] or mistake_id
                found.append(Misconception(assignment, cell_name, "mistake",
                                           mistake_id[:MAX_NAME_CHARS], key[:MAX_NAME_CHARS],
                                           name[:MAX_NAME_CHARS], section))
        question = QUIZ_CHECK.fullmatch(cell_name)
        if question and _lost(cell):
            answer = quiz_answer(notebook, question.group(1))
            if answer is None:  # left blank: not a misconception
                continue
            option = option_of(answer)
            number = int(question.group(1)[1:])
            title = section.title if section else f"Question {number}"
            name = f"{title}: answered {option}" if option else f"{title}: a wrong value"
            found.append(Misconception(assignment, cell_name, "quiz",
                                       f"quiz:{question.group(1)}" + (f":{option}" if option
                                                                      else ""),
                                       f"quiz:{question.group(1)}", name, section))
    return found


def student_profile(autograded: Path, student: str, release: Path,
                    assignments: Iterable[str] | None = None) -> list[Misconception]:
    """Every misconception on record for ``student``, over ``assignments`` (default: every
    assignment folder of theirs under ``autograded``), in assignment order."""
    folder = autograded / student
    if assignments is None:
        try:
            assignments = sorted(p.name for p in folder.iterdir()
                                 if p.is_dir() and not p.is_symlink())[:MAX_FOLDERS]
        except OSError:
            return []
    found: list[Misconception] = []
    for assignment in assignments:
        where = sections(release, assignment)
        for path in sorted((folder / assignment).glob("*.ipynb"))[:MAX_FOLDERS]:
            notebook = read_notebook(path)
            if notebook is not None:
                found += misconceptions(notebook, assignment, where)
    return found[:MAX_ENTRIES]


def class_profiles(autograded: Path, release: Path, students: Sequence[str],
                   assignments: Sequence[str] | None = None) -> dict[str, list[Misconception]]:
    """:func:`student_profile` of every student (those with nothing on record included)."""
    return {student: student_profile(autograded, student, release, assignments)
            for student in students}


def repeated(profile: list[Misconception]) -> dict[str, list[Misconception]]:
    """The misconceptions a student keeps making: by key, those found in more than one
    assignment or graded cell."""
    by_key: dict[str, list[Misconception]] = defaultdict(list)
    for entry in profile:
        by_key[entry.key].append(entry)
    return {key: entries for key, entries in by_key.items()
            if len({(e.assignment, e.cell) for e in entries}) > 1}


def common(profiles: dict[str, list[Misconception]]
           ) -> list[tuple[str, list[Misconception], list[str]]]:
    """The class's misconceptions, most widely held first: ``(key, examples, students)``,
    one example entry per distinct id."""
    holders: dict[str, set[str]] = defaultdict(set)
    examples: dict[str, dict[str, Misconception]] = defaultdict(dict)
    for student, profile in profiles.items():
        for entry in profile:
            holders[entry.key].add(student)
            examples[entry.key].setdefault(entry.id, entry)
    return sorted(((key, list(examples[key].values()), sorted(holders[key])) for key in holders),
                  key=lambda item: (-len(item[2]), item[0]))


# --- HTML: everything a student controls (ids, names, answers) is escaped ------------------

def section_link(section: Section | None, href_prefix: str) -> str:
    """``<a href="{prefix}{notebook}.html#section-{anchor}">heading</a>`` (the heading as text
    when there is no section)."""
    if section is None:
        return ""
    href = f"{href_prefix}{section.notebook}.html#section-{section.anchor}"
    return (f'<a href="{html.escape(href, quote=True)}">{html.escape(section.title)}</a>')


def feedback_html(profile: list[Misconception], assignment: str, notebook: str) -> str:
    """The section of ``notebook``'s feedback (of ``assignment``) about the student's
    misconceptions across the course: which mistakes of this notebook they also made
    elsewhere, and what else their other assignments show. Empty when there is nothing."""
    here = [e for e in profile if e.assignment == assignment
            and (e.section is None or e.section.notebook == notebook)]
    elsewhere = [e for e in profile if e.assignment != assignment]
    if not elsewhere:
        return ""

    def link(entry: Misconception) -> str:
        prefix = "" if entry.assignment == assignment else f"../{entry.assignment}/"
        found = section_link(entry.section, prefix)
        return f" (see {found})" if found else ""

    items = []
    seen: set[str] = set()
    for entry in here:
        others = [e for e in elsewhere if e.key == entry.key]
        if not others or entry.key in seen:
            continue
        seen.add(entry.key)
        places = sorted({e.assignment for e in others})
        items.append(
            f"<li><b>{html.escape(entry.name)}</b>{link(entry)}: you also made this mistake in "
            + ", ".join(html.escape(p) for p in places) + "<ul>"
            + "".join(f"<li>{html.escape(e.assignment)}: {html.escape(e.name)}{link(e)}</li>"
                      for e in others) + "</ul></li>")
    rest = [e for e in elsewhere if e.key not in seen]
    parts = ['<div class="misconceptions panel panel-default" id="misconceptions">'
             '<div class="panel-heading"><h4>Across your assignments</h4></div>'
             '<div class="panel-body">']
    if items:
        parts += ["<p>Mistakes of this notebook you have made before, or since:</p>",
                  "<ul>", *items, "</ul>"]
    if rest:
        parts += ["<p>What your other graded work shows you got wrong, with the section "
                  "that explains each:</p><ul>"]
        parts += [f"<li>{html.escape(e.assignment)}: {html.escape(e.name)}{link(e)}</li>"
                  for e in rest[:50]]
        if len(rest) > 50:
            parts.append(f"<li>and {len(rest) - 50} more</li>")
        parts.append("</ul>")
    parts.append("</div></div>")
    return "".join(parts)


def report_section(profiles: dict[str, list[Misconception]]) -> str:
    """The class report's section: the class's most common misconceptions with the students
    who hold them, and each student's profile (what they keep getting wrong first). Each names
    the notebook section that explains it as text: the report links to nothing outside itself
    (it is read offline, as one file)."""

    def where(entry: Misconception) -> str:
        if entry.section is None:
            return ""
        s = entry.section
        return (f" ({html.escape(s.assignment)}/{html.escape(s.notebook)}.ipynb: "
                f"{html.escape(s.title)})")

    parts = ['<h2 id="misconceptions">Misconceptions</h2>',
             "<p>Every catalogued mistake the graders named and every wrong quiz answer, over "
             "all graded assignments, grouped by kind of mistake (the catalogue key: the same "
             "slip in different functions counts as one misconception).</p>"]
    held = common(profiles)
    if not held:
        return "".join([*parts, "<p>None on record.</p>"])
    rows = []
    for key, examples, students in held[:30]:
        names = "<br>".join(html.escape(e.name) + where(e) for e in examples[:5])
        rows.append(f"<tr><td>{html.escape(key)}</td><td>{names}</td><td>{len(students)}</td>"
                    f"<td>{html.escape(', '.join(students))}</td></tr>")
    parts += ["<h3>Most common in the class</h3>",
              "<table><tr><th>misconception</th><th>as named</th><th>students</th>"
              "<th>who</th></tr>", *rows, "</table>", "<h3>Per student</h3>",
              "<table><tr><th>student</th><th>keeps getting wrong</th>"
              "<th>everything on record</th></tr>"]
    for student, profile in sorted(profiles.items()):
        if not profile:
            continue
        again = repeated(profile)
        kept = "<br>".join(
            f"{html.escape(key)} ({html.escape(', '.join(sorted({e.assignment for e in es})))})"
            for key, es in again.items())
        everything = "<br>".join(f"{html.escape(e.assignment)}: {html.escape(e.name)}"
                                 for e in profile[:40])
        parts.append(f"<tr><td>{html.escape(student)}</td><td>{kept}</td>"
                     f"<td>{everything}</td></tr>")
    parts.append("</table>")
    return "".join(parts)
