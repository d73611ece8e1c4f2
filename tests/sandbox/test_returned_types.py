"""Whatever a visible check accepts, the hidden grader reads the same way.

A student's correct answer may come back in any container or number type Python offers: a named
tuple for a layer's cache (as the reference's own ``LayerCache``), ``Grads(dW, db)``, an
``OrderedDict``, a ``Fraction``, a set of letters for a select-all question. Those values cross
from the sandboxed kernel to the grader (``sandbox/wire.py``). This suite grades, through the
real pipeline (nbgrader autograde in the bubblewrap sandbox), one submission per assignment and
returned type: every instructor solution of the assignment, its results (and quiz answers)
rebuilt in that type. For each exercise whose visible checks accept the answer, the hidden
grader must give full marks.
"""

from __future__ import annotations

import json
import os

import pytest
from nbgrader.api import Gradebook

from course.parallel_autograde import autograde_assignments
from sandbox import METADATA_KEY
from simulation.exercises import read_assignment
from simulation.notebooks import fill, read, write

from ..course.nbgrader_cli import ASSIGNMENTS, RELEASE, SOURCE, released_course

pytestmark = pytest.mark.notebooks

#: Each returned type: the body of ``_retype(value)``, which rebuilds a correct result in it
#: (containers recursively; ``_retype`` calls itself on the items).
RETYPES = {
    "namedtuple": """
    if isinstance(value, tuple):
        kind = _collections.namedtuple("Result", [f"item{i}" for i in range(len(value))])
        return kind(*(_retype(v) for v in value))""",
    "typing_namedtuple": """
    if isinstance(value, tuple):
        kind = _typing.NamedTuple("Grads", [(f"part{i}", object) for i in range(len(value))])
        return kind(*(_retype(v) for v in value))""",
    "tuple_subclass": """
    if isinstance(value, tuple):
        return type("Pair", (tuple,), {})(_retype(v) for v in value)""",
    "list_subclass": """
    if isinstance(value, list):
        return type("Items", (list,), {})(_retype(v) for v in value)""",
    "ordereddict": """
    if isinstance(value, dict):
        return _collections.OrderedDict((k, _retype(v)) for k, v in value.items())""",
    "dict_subclass": """
    if isinstance(value, dict):
        return type("Record", (dict,), {})((k, _retype(v)) for k, v in value.items())""",
    "fraction": """
    if type(value) is float and value == value and abs(value) != float("inf"):
        return _fractions.Fraction(value)""",
    "decimal": """
    if type(value) is float:
        return _decimal.Decimal(value)""",
    "numpy_scalar": """
    if type(value) is float:
        return _np.float64(value)
    if type(value) is int:
        return _np.int64(value)""",
    "array_like": """
    if type(value) is _np.ndarray and value.dtype.kind in "fc":
        class Frame:  # what pandas and other libraries hand back: not an ndarray, but one
            def __init__(self, array):
                self.array = array
            def __array__(self, dtype=None, copy=None):
                return self.array if dtype is None else self.array.astype(dtype)
            shape = property(lambda self: self.array.shape)
            dtype = property(lambda self: self.array.dtype)
            def __len__(self):
                return len(self.array)
            def __getitem__(self, index):
                return self.array[index]
        return Frame(value)""",
    "letter_set": """
    if isinstance(value, str) and len(value) > 1 and value.isupper():
        return set(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return set(value)""",
    "letter_frozenset": """
    if isinstance(value, str) and len(value) > 1 and value.isupper():
        return frozenset(value)""",
    "letter_tuple": """
    if isinstance(value, str) and len(value) > 1 and value.isupper():
        return tuple(value)""",
}

#: The returned types tried on each assignment (those its answers can come back in).
TRIED = {
    "ps1_forward": ["namedtuple", "typing_namedtuple", "tuple_subclass", "list_subclass",
                    "fraction", "decimal", "numpy_scalar", "array_like"],
    "ps2_backward": ["namedtuple", "typing_namedtuple", "tuple_subclass", "list_subclass",
                     "ordereddict", "dict_subclass", "fraction", "numpy_scalar", "array_like"],
    "ps3_training": ["namedtuple", "typing_namedtuple", "list_subclass", "ordereddict",
                     "dict_subclass", "numpy_scalar"],
    "ps4_explorations": ["namedtuple", "tuple_subclass", "list_subclass", "ordereddict",
                         "fraction", "numpy_scalar"],
    "quiz": ["letter_set", "letter_frozenset", "letter_tuple", "fraction", "decimal",
             "numpy_scalar"],
}

#: (exercise target, returned type) pairs the issue names: each must be accepted by its visible
#: checks and given full marks.
NAMED = [("dense_forward", "namedtuple"), ("dense_gradients", "typing_namedtuple"),
         ("gradient_check", "ordereddict"), ("iterate_minibatches", "namedtuple"),
         ("adam_step", "namedtuple"), ("answer_q03", "letter_set"),
         ("answer_q16", "letter_set"), ("answer_q04", "fraction")]

WRAP = """

import collections as _collections, decimal as _decimal, fractions as _fractions
import functools as _functools, inspect as _inspect, typing as _typing
import numpy as _np


def _retype(value):
{body}
    if isinstance(value, list):
        return [_retype(v) for v in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(_retype(v) for v in value)
    if isinstance(value, dict) and type(value) is dict:
        return {{k: _retype(v) for k, v in value.items()}}
    return value


if callable({target}):
    _plain_{target} = {target}

    @_functools.wraps(_plain_{target})
    def {target}(*args, **kwargs):
        result = _plain_{target}(*args, **kwargs)
        if _inspect.isgenerator(result):
            return (_retype(item) for item in result)
        return _retype(result)
else:
    {target} = _retype({target})
"""


def retyped(solution: str, target: str, retype: str) -> str:
    """The instructor's ``solution`` of ``target``, its results rebuilt in ``retype``."""
    return solution + WRAP.format(body=RETYPES[retype], target=target)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every assignment, graded with one student per returned type; the course folder."""
    course = released_course(tmp_path_factory.mktemp("types"), ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        for plan in read_assignment(SOURCE, assignment):
            for retype in TRIED[assignment]:
                notebook = read(str(RELEASE / assignment / plan.notebook))
                for target, solution in plan.solutions.items():
                    fill(notebook, target, retyped(solution, target, retype))
                folder = course / "submitted" / retype / assignment
                folder.mkdir(parents=True, exist_ok=True)
                write(notebook, str(folder / plan.notebook))
    os.environ["BACKPROP_CELL_TIMEOUT"] = "60"
    try:
        graded = autograde_assignments(course, ASSIGNMENTS, workers=2, progress=None)
        assert all(o.status == "graded" for outcomes in graded.values() for o in outcomes), graded
    finally:
        del os.environ["BACKPROP_CELL_TIMEOUT"]
    return course


def _verdicts(course, assignment: str, retype: str) -> dict[str, tuple[bool, float, float]]:
    """For each exercise target: (its visible checks accepted the answer, points, out of)."""
    verdicts = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for plan in read_assignment(SOURCE, assignment):
            path = course / "autograded" / retype / assignment / plan.notebook
            notebook = json.loads(path.read_text())
            cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c
                     for c in notebook["cells"]}
            record = notebook["metadata"][METADATA_KEY]["cells"]
            submission = gradebook.find_submission_notebook(plan.notebook.removesuffix(".ipynb"),
                                                            assignment, retype)
            scores = {g.cell.name: g.auto_score for g in submission.grades}
            for exercise in plan.exercises:
                outputs = cells[exercise.grade_id].get("outputs", [])
                kernel = [o for o in outputs if o.get("metadata", {}).get(METADATA_KEY) is None]
                accepted = (not any(o["output_type"] == "error" for o in kernel)
                            and any("✓" in "".join(o.get("text", "")) for o in kernel))
                assert scores[exercise.grade_id] == record[exercise.grade_id]["points"]
                verdicts[exercise.target] = (accepted, scores[exercise.grade_id],
                                             exercise.points)
    return verdicts


@pytest.mark.parametrize(("assignment", "retype"),
                         [(a, r) for a in ASSIGNMENTS for r in TRIED[a]])
def test_what_a_visible_check_accepts_the_grader_reads_the_same_way(graded, assignment,
                                                                   retype):
    verdicts = _verdicts(graded, assignment, retype)
    lost = {target: f"{points:g} of {out_of:g}" for target, (accepted, points, out_of)
            in verdicts.items() if accepted and points != out_of}
    assert lost == {}, f"{retype}: accepted by the visible checks but not full marks: {lost}"
    accepted = sum(accepted for accepted, _, _ in verdicts.values())
    assert accepted >= len(verdicts) // 2, f"{retype}: the visible checks took too few: {verdicts}"


@pytest.mark.parametrize(("target", "retype"), NAMED)
def test_the_types_students_actually_return_get_full_marks(graded, target, retype):
    assignment = next(a for a in ASSIGNMENTS if retype in TRIED[a] and any(
        target in plan.solutions for plan in read_assignment(SOURCE, a)))
    accepted, points, out_of = _verdicts(graded, assignment, retype)[target]
    assert accepted and points == out_of, (target, retype, accepted, points, out_of)
