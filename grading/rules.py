"""Rules a notebook announces about how to write an exercise, enforced when it is graded.

A hidden test sees what a function returns, not how it computes it: ps1 asks for ``tanh``
"written yourself from ``np.exp``, not with ``np.tanh``", and ``np.tanh`` gives exactly the
right values. Such a rule is declared here, once, in :data:`RULES`, and checked on the
submitted notebook's source, grader-side (:class:`sandbox.rules.EnforceRules`, an autograde
preprocessor): never from anything the student's kernel reports. An exercise that breaks its
rule scores 0, with a one-line message in its test cell and in the grading record. Since what
a name computed while the code runs reaches cannot be read, that code may not look names up that
way either (``getattr`` with a computed name, ``eval``, ``__dict__``, ``from numpy import *``...).

What is read: the top-level statements of the student's code cells (solution cells and cells
the student added) that define the exercise's function (``def tanh``, ``tanh = ...``, ``from
numpy import tanh``), and, transitively, those that define a name they use (a helper, an
alias such as ``t = np.tanh``), except the functions graded as exercises of their own
(``tanh`` may call the student's ``sigmoid``, which is graded under its own rules and may use
``np.tanh``). A cell that does not parse is not read (its function is not defined then). The
exercise's visible check states the rule too, so that a student meets it before submitting.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from nbformat import NotebookNode
from nbgrader.utils import is_grade, is_locked, is_solution

from grading.grading_calls import GradingCall, grading_calls


@dataclass(frozen=True)
class Rule:
    """An exercise must not use the attributes or imports named in ``forbidden``."""

    exercise: str  # the grader's name of the exercise, e.g. "forward.tanh"
    function: str  # the notebook's name of the function, e.g. "tanh"
    forbidden: frozenset[str]  # names that must not appear as `x.name`, an import or a string
    asks: str  # what the notebook asks instead, e.g. "write it from np.exp"

    def message(self, found: str) -> str:
        return f"{self.function} uses {found}; the notebook asks you to {self.asks}"


RULES: tuple[Rule, ...] = (
    Rule("forward.tanh", "tanh", frozenset({"tanh"}), "write it from np.exp"),
)


def broken_rules(notebook: NotebookNode, rules: Iterable[Rule] = RULES) -> dict[str, str]:
    """grade_id of each test cell whose exercise breaks its rule -> the one-line message."""
    tests = _test_cells(notebook)
    graded = {target for calls in tests.values() for call in calls for target in call.targets}
    statements = [statement for cell in notebook.cells
                  if cell.cell_type == "code" and not is_locked(cell) and not _test_cell(cell)
                  for statement in _parse(cell.source)]
    broken = {}
    for rule in rules:
        for grade_id, calls in tests.items():
            if any(call.exercise == rule.exercise for call in calls):
                found = _forbidden_use(rule, statements, graded - {rule.function})
                if found:
                    broken[grade_id] = rule.message(found)
    return broken


def _forbidden_use(rule: Rule, statements: list[ast.stmt], others: set[str]) -> str | None:
    """How the student's code behind ``rule.function`` uses a forbidden name (``np.tanh``), or
    None. Read: the top-level statements that bind the function, then those that bind a name
    they use, and so on, except the functions in ``others`` (graded on their own)."""
    wanted, read = {rule.function}, []
    while True:
        more = [s for s in statements if s not in read and (_bound(s) & wanted or "*" in _bound(s))]
        if not more:
            break
        read += more
        wanted |= {node.id for s in more for node in ast.walk(s)
                   if isinstance(node, ast.Name)} - others
    for statement in read:
        spelled_out = _spelled_out_getattrs(statement)
        for node in ast.walk(statement):
            if isinstance(node, ast.Attribute) and node.attr in rule.forbidden:
                return ast.unparse(node)
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name in rule.forbidden or alias.name == "*":
                        return f"from {node.module} import {alias.name}"
            if isinstance(node, ast.Constant) and node.value in rule.forbidden:
                return f'"{node.value}" by name'  # getattr(np, "tanh")
            dynamic = _dynamic_lookup(node, spelled_out)
            if dynamic is not None:
                return f"{dynamic}, which finds a name while it runs"
    return None


#: Ways to reach a name that the source does not spell out (``getattr(np, "ta" + "nh")``,
#: ``eval``, ``np.__dict__[...]``...): code bound by a rule may not use them, since what they
#: reach cannot be read. A function written as the notebook asks never needs them.
DYNAMIC = frozenset({"getattr", "eval", "exec", "compile", "__import__", "vars", "globals",
                     "locals", "attrgetter", "methodcaller", "import_module", "modules"})


def _dynamic_lookup(node: ast.AST, spelled_out: set[int]) -> str | None:
    """How ``node`` reaches a name not spelled out in the source, or None. ``spelled_out``
    holds the ids of the ``getattr`` names called with a written-out name (``getattr(x,
    "name")``, read like ``x.name``)."""
    if isinstance(node, ast.Name) and node.id in DYNAMIC and id(node) not in spelled_out:
        return node.id
    if isinstance(node, ast.Attribute) and (node.attr in DYNAMIC or (
            node.attr.startswith("__") and node.attr.endswith("__"))):
        return ast.unparse(node)
    return None


def _spelled_out_getattrs(statement: ast.stmt) -> set[int]:
    return {id(node.func) for node in ast.walk(statement)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "getattr" and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)}


def _bound(statement: ast.stmt) -> set[str]:
    """The names a top-level statement defines: a function, a class, an assignment, imports
    (``*`` for ``from module import *``, which may define any name)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return {node.id for target in targets for node in ast.walk(target)
                if isinstance(node, ast.Name)}
    return set()


def _parse(source: str) -> list[ast.stmt]:
    """The top-level statements of a cell; none when it does not parse (a syntax error, or
    nesting so deep that the parser runs out of memory or recursion: the kernel could not have
    run it either)."""
    try:
        return ast.parse(source).body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []


def _test_cell(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def _test_cells(notebook: NotebookNode) -> dict[str, list[GradingCall]]:
    """grade_id of each test cell -> its grading calls (``grade(...)``, ``grade_parts(...)``)."""
    found = {}
    for cell in notebook.cells:
        if _test_cell(cell):
            try:
                calls = grading_calls(cell.source)
            except ValueError:
                continue
            found[cell.metadata["nbgrader"]["grade_id"]] = calls
    return found
