"""Behavioural similarity between students: a signal for the instructor, never a verdict.

Two kinds of evidence, each listed with what it rests on:

* **Near-identical solution cells.** Each solution cell is reduced to a sequence of tokens of
  its syntax tree: comments, blank lines and docstrings are gone, and every name the cell
  binds (arguments, local variables) becomes ``v0``, ``v1``... in order of first use, so
  renaming a variable or rewording a comment changes nothing; attribute names (``np.exp``),
  constants and the names the cell uses without binding (``np``, ``range``) stay. Two cells are
  compared by the Jaccard similarity of their token 4-grams. A pair is listed at
  :data:`THRESHOLD` or above, except when the cell is the released stub, is short (under
  :data:`MIN_TOKENS` tokens: ``return 1 / (1 + np.exp(-z))`` is what everyone writes), or is
  near-identical to the cells of many students (more than :func:`common_limit`: a common way of
  writing it, not a shared one).
* **The same unexplained wrong output.** When a check fails and no catalogued mistake explains
  it, the grader records a fingerprint of what the student's function returns on the check's
  plain inputs, the same for every student (:func:`grading.runner.probe_fingerprint`). Two
  students who share a fingerprint produce the same wrong numbers there; a fingerprint shared
  by many is a common mistake the catalogue does not name yet, and is not listed as a pair.

Everything read is bounded (notebook size, cell size, cells per notebook).
"""

from __future__ import annotations

import ast
import html
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from course.profile import MAX_FOLDERS, grade_id, read_notebook
from sandbox import METADATA_KEY

#: Cells at or above this similarity are listed.
THRESHOLD = 0.9
#: Cells with fewer tokens than this say nothing (everyone writes the one-liner).
MIN_TOKENS = 50
#: A pair is listed with at least this many pieces of evidence (near-identical cells, shared
#: wrong outputs), or with one cell of :data:`LARGE_TOKENS` tokens or more: one short cell in
#: common happens by chance in a class of any size.
MIN_EVIDENCE = 2
LARGE_TOKENS = 200
#: The length of the token n-grams compared.
NGRAM = 4
#: At most this many characters of a cell are read, cells of a notebook compared.
MAX_CELL_CHARS = 20_000
MAX_CELLS = 200


def common_limit(students: int) -> int:
    """A cell (or fingerprint) shared by more students than this is a common answer, not
    evidence: 10% of the class, at least 2."""
    return max(2, students // 10)


class _Canonical(ast.NodeVisitor):
    """Token sequence of a tree, bound names canonicalized."""

    def __init__(self, bound: set[str]) -> None:
        self.bound, self.names, self.tokens = bound, {}, []

    def _name(self, name: str) -> str:
        if name not in self.bound:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def generic_visit(self, node: ast.AST) -> None:
        self.tokens.append(type(node).__name__)
        if isinstance(node, ast.Name):
            self.tokens.append(self._name(node.id))
        elif isinstance(node, ast.arg):
            self.tokens.append(self._name(node.arg))
        elif isinstance(node, ast.Attribute):
            self.tokens.append("." + node.attr)
        elif isinstance(node, ast.Constant):
            self.tokens.append(repr(node.value)[:40])
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            self.tokens.append(node.name)  # the name the notebook asks for
        super().generic_visit(node)


def _without_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]


def tokens(source: str) -> tuple[str, ...] | None:
    """The canonical token sequence of a cell's code (None when it does not parse)."""
    try:
        tree = ast.parse(source[:MAX_CELL_CHARS])
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    _without_docstrings(tree)
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    visitor = _Canonical(bound)
    try:
        visitor.visit(tree)
    except RecursionError:
        return None
    return tuple(visitor.tokens)


def shingles(sequence: Sequence[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(sequence[i:i + NGRAM]) for i in range(len(sequence) - NGRAM + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@dataclass
class Pair:
    """Two students and the evidence that they behave alike: ``cells`` as ``(assignment,
    cell, similarity)``, ``outputs`` as ``(assignment, exercise)`` with the same unexplained
    wrong output on the common probe."""

    students: tuple[str, str]
    cells: list[tuple[str, str, float]] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)


def _notebooks(autograded: Path, assignment: str) -> Iterator[tuple[str, str, dict]]:
    """``(student, notebook name, notebook)`` for every readable autograded notebook."""
    try:
        students = sorted(p.name for p in autograded.iterdir()
                          if p.is_dir() and not p.is_symlink())
    except OSError:
        return
    for student in students:
        for path in sorted((autograded / student / assignment).glob("*.ipynb"))[:MAX_FOLDERS]:
            notebook = read_notebook(path)
            if notebook is not None:
                yield student, path.stem, notebook


def _solution_cells(notebook: dict) -> dict[str, str]:
    cells = notebook.get("cells")
    found = {}
    for cell in (cells if isinstance(cells, list) else [])[:MAX_CELLS]:
        if not (isinstance(cell, dict) and cell.get("cell_type") == "code"):
            continue
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        name = grade_id(cell)
        source = cell.get("source", "")
        source = "".join(s for s in source if isinstance(s, str)) if isinstance(
            source, list) else str(source)
        if name and isinstance(meta, dict) and meta.get("solution"):
            found[name] = source[:MAX_CELL_CHARS]
    return found


def similar_cells(autograded: Path, release: Path, assignment: str
                  ) -> list[tuple[str, str, str, float, int]]:
    """``(student, student, cell, similarity, tokens)`` for every pair of near-identical
    solution cells of ``assignment`` that is evidence (see the module's text); ``tokens`` is
    the smaller of the two cells' sizes."""
    stubs: dict[str, tuple[str, ...]] = {}
    for path in sorted((release / assignment).glob("*.ipynb"))[:MAX_FOLDERS]:
        notebook = read_notebook(path)
        for name, source in _solution_cells(notebook or {}).items():
            stubs[name] = tokens(source) or ()
    by_cell: dict[str, dict[str, frozenset]] = defaultdict(dict)
    sizes: dict[tuple[str, str], int] = {}
    students = set()
    for student, _, notebook in _notebooks(autograded, assignment):
        students.add(student)
        for name, source in _solution_cells(notebook).items():
            found = tokens(source)
            if found is None or len(found) < MIN_TOKENS or found == stubs.get(name):
                continue
            by_cell[name][student] = shingles(found)
            sizes[(name, student)] = len(found)
    limit = common_limit(len(students))
    pairs = []
    for name, cells in by_cell.items():
        close: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for a, b in combinations(sorted(cells), 2):
            small, large = sorted((len(cells[a]), len(cells[b])))
            if small < THRESHOLD * large:  # the Jaccard similarity is at most small / large
                continue
            score = jaccard(cells[a], cells[b])
            if score >= THRESHOLD:
                close[a].append((b, score))
                close[b].append((a, score))
        for a in sorted(close):
            for b, score in close[a]:
                # each pair once; not when either cell is close to many students' cells
                if a < b and len(close[a]) < limit and len(close[b]) < limit:
                    pairs.append((a, b, name, round(score, 3),
                                  min(sizes[(name, a)], sizes[(name, b)])))
    return pairs


def shared_outputs(autograded: Path, assignment: str) -> list[tuple[str, str, str]]:
    """``(student, student, exercise)`` for each pair of students whose unexplained failure of
    an exercise left the same fingerprint (shared by at most :func:`common_limit` students)."""
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    students = set()
    for student, _, notebook in _notebooks(autograded, assignment):
        students.add(student)
        record = (notebook.get("metadata") or {}).get(METADATA_KEY)
        cells = record.get("cells") if isinstance(record, dict) else None
        for cell in (cells.values() if isinstance(cells, dict) else []):
            probes = cell.get("probes") if isinstance(cell, dict) else None
            for exercise, fingerprint in (probes.items() if isinstance(probes, dict) else []):
                if isinstance(exercise, str) and isinstance(fingerprint, str):
                    holders[(exercise[:200], fingerprint[:64])].add(student)
    limit = common_limit(len(students))
    return [(a, b, exercise) for (exercise, _), group in sorted(holders.items())
            if 2 <= len(group) <= limit for a, b in combinations(sorted(group), 2)]


def similar_pairs(autograded: Path, release: Path, assignments: Sequence[str]) -> list[Pair]:
    """Every pair of students with evidence of behaving alike, the most evidence first."""
    pairs: dict[tuple[str, str], Pair] = {}
    large: set[tuple[str, str]] = set()
    for assignment in assignments:
        for a, b, cell, score, size in similar_cells(autograded, release, assignment):
            pairs.setdefault((a, b), Pair((a, b))).cells.append((assignment, cell, score))
            if size >= LARGE_TOKENS:
                large.add((a, b))
        for a, b, exercise in shared_outputs(autograded, assignment):
            pairs.setdefault((a, b), Pair((a, b))).outputs.append((assignment, exercise))
    kept = [p for p in pairs.values()
            if len(p.cells) + len(p.outputs) >= MIN_EVIDENCE or p.students in large]
    return sorted(kept, key=lambda p: (-(len(p.cells) + len(p.outputs)), p.students))


def report_section(pairs: list[Pair]) -> str:
    """The class report's section: each pair with its evidence, worded as observations."""
    parts = ['<h2 id="similarity">Students who behave alike</h2>',
             "<p>A signal to look at, not a verdict: students can share an idea, a tutor or a "
             "textbook. Listed: solution cells that are near-identical once comments, "
             "whitespace and variable names are set aside (short cells, the released stub and "
             f"ways of writing a cell shared by many students are ignored; similarity of "
             f"token 4-grams, {THRESHOLD:g} or more), and the same wrong output on the common "
             "probe input for an exercise where no catalogued mistake explains the failure. "
             f"A pair is listed with {MIN_EVIDENCE} such observations or more, or one long "
             "cell in common.</p>"]
    if not pairs:
        return "".join([*parts, "<p>No pair of students stands out.</p>"])
    rows = []
    for pair in pairs[:200]:
        evidence = [f"near-identical solution cell {html.escape(cell)} in "
                    f"{html.escape(assignment)} (similarity {score:.2f})"
                    for assignment, cell, score in pair.cells]
        evidence += [f"same output on the probe for {html.escape(exercise)} in "
                     f"{html.escape(assignment)}, a failure no catalogued mistake names"
                     for assignment, exercise in pair.outputs]
        rows.append(f"<tr><td>{html.escape(pair.students[0])}</td>"
                    f"<td>{html.escape(pair.students[1])}</td><td>{'<br>'.join(evidence)}</td>"
                    "</tr>")
    return "".join([*parts, "<table><tr><th>student</th><th>student</th><th>evidence</th></tr>",
                    *rows, "</table>"])
