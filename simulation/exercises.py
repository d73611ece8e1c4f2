"""What each notebook asks of a student, read from the instructor's notebooks in source/.

Every graded test cell calls ``grade("<exercise>", <student object>)`` in its hidden part; from
that call, the cell's points and the solution cell of the same function we learn everything the
class simulator and the report need: which function is graded, for how many points, its
instructor solution, and which other graded functions it calls.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from grading.grading_calls import grading_calls
from simulation.notebooks import defined_function, read, solution_cells

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Exercise:
    """One graded test cell: ``exercise`` (grader name), the student ``target`` it grades (a
    function name, or a quiz answer variable), its ``points`` and ``grade_id``.

    ``in_parts`` is True when the cell gives partial credit (``grade_parts``); ``stated_points``
    is then the ``points=`` its hidden test passes, which must equal the cell's ``points``."""

    exercise: str
    target: str
    points: float
    grade_id: str
    depends_on: frozenset[str] = field(default=frozenset())
    in_parts: bool = False
    stated_points: float | None = None

    @property
    def is_quiz(self) -> bool:
        """Graded as an answer (a quiz question, or a question asked in a problem set, whose
        variable is ``answer_...``), not as a function."""
        return self.exercise.startswith("quiz.") or self.target.startswith("answer_")


@dataclass(frozen=True)
class NotebookPlan:
    """The graded content of one notebook: its exercises and the instructor's solutions."""

    assignment: str
    notebook: str
    exercises: tuple[Exercise, ...]
    solutions: dict[str, str]  # function or answer variable -> solution source, markers removed

    @property
    def max_score(self) -> float:
        return sum(e.points for e in self.exercises)


def strip_markers(source: str) -> str:
    """The instructor's solution as a student would type it: solution markers removed, and in
    answer cells only the final assignment kept."""
    lines = [line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS]
    return "\n".join(lines) + "\n"


def _answer_variable(source: str) -> str | None:
    match = re.match(r"\s*(answer_\w+)\s*=", source)
    return match.group(1) if match else None


def _called_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def read_plan(path: Path, assignment: str) -> NotebookPlan:
    """Read the graded exercises and solutions of one source notebook."""
    notebook = read(str(path))
    solutions: dict[str, str] = {}
    for cell in solution_cells(notebook):
        name = defined_function(cell) or _answer_variable(cell.source)
        if name:
            solutions[name] = strip_markers(cell.source)
    exercises = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        calls = grading_calls(cell.source) if meta.get("grade") else []
        if not calls or not calls[0].targets:
            continue
        call = calls[0]
        target = call.targets[0]
        uses = _called_names(solutions.get(target, "")) & set(solutions) - {target}
        exercises.append(Exercise(call.exercise, target, float(meta["points"]),
                                  meta["grade_id"], frozenset(uses), in_parts=call.in_parts,
                                  stated_points=call.points))
    return NotebookPlan(assignment, path.name, tuple(exercises), solutions)


def read_assignment(source: Path, assignment: str) -> list[NotebookPlan]:
    """Every notebook of one assignment folder in ``source``."""
    return [read_plan(p, assignment) for p in sorted((source / assignment).glob("*.ipynb"))]


def transitive_uses(plan: NotebookPlan, target: str) -> set[str]:
    """Every student function ``target`` calls, directly or through other student functions."""
    uses = {e.target: e.depends_on for e in plan.exercises}
    seen: set[str] = set()
    todo = list(uses.get(target, ()))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(uses.get(name, ()))
    return seen
