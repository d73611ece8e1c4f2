"""Each student their own hidden inputs (issue 22, :mod:`grading.variant`).

The graders draw the random inputs of their hidden cases from the student's id and the course's
secret: the same student always gets the same inputs (a regrade reproduces every score), two
students almost never share them (a function that records its inputs learns nothing it can pass
on), and outside a student's grading they are the plain seeded ones the course's own tests use.
Every guarantee holds for every student: the catalogued mistakes are caught and named and the
alternatives get full marks (``test_every_mistake_is_caught.py`` and ``test_alternatives.py``
run for two students too), a mistake earns the same partial credit, and a wrong helper still
costs only its own points. The last tests grade two students through the real nbgrader pipeline.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grading import Failure, grade, grade_parts, variant
from grading.mistakes import MISTAKES, for_exercise
from grading.registry import lookup, parts_of
from simulation.alternatives import ALTERNATIVES, load_all

from .slips import PAIRS, notebook, score, wrong_versions
from .variants import SECRET, inputs_of

lookup("forward.sigmoid")  # registers every check
load_all()
for_exercise("")  # loads the catalogue

#: Whose hidden inputs come from the variant: every grader but the quiz's (answers, not inputs).
VARIED = ("forward.", "backward.", "explorations.", "training.")
#: Exercises whose hidden inputs are the same for everyone: the networks time_gradients times
#: (the student's code makes their inputs; what is checked is what the grader saw run), and the
#: training runs on the notebook's own data sets. Every other grader has cases drawn for the
#: student, besides any hand-picked ones.
FIXED = {"explorations.time_gradients",
         # XOR and the digits: the notebook's own data sets, which every student trains on
         "training.train_xor", "training.train_digits"}


# ---- the mechanism ---------------------------------------------------------------------------

def test_outside_a_students_grading_the_inputs_are_the_seeded_ones():
    assert variant.student() is None
    assert np.array_equal(variant.rng(3).normal(size=5),
                          np.random.default_rng(3).normal(size=5))
    assert variant.int_seed(3) == 3


def test_each_student_their_own_inputs_and_always_the_same():
    def draw(student: str, secret: bytes = SECRET) -> tuple[np.ndarray, int]:
        with variant.grading_student(student, secret):
            assert variant.student() == student
            return variant.rng(3).normal(size=5), variant.int_seed(3)

    ada, again, grace = draw("ada"), draw("ada"), draw("grace")
    assert np.array_equal(ada[0], again[0]) and ada[1] == again[1]
    assert not np.array_equal(ada[0], grace[0]) and ada[1] != grace[1]
    other_course = draw("ada", bytes(32))
    assert not np.array_equal(ada[0], other_course[0])
    assert not np.array_equal(ada[0], np.random.default_rng(3).normal(size=5))
    with variant.grading_student("ada", SECRET):
        assert not np.array_equal(variant.rng(3).normal(size=5), variant.rng(4).normal(size=5))
        with variant.grading_student("grace", SECRET):
            assert variant.student() == "grace"
        assert variant.student() == "ada"  # a block restores what was before it
    assert variant.student() is None


def test_an_empty_secret_is_refused():
    with pytest.raises(ValueError, match="empty"), variant.grading_student("ada", b""):
        pass


# ---- through the graders ---------------------------------------------------------------------

def _plain(value: Any, depth: int = 0) -> Any:
    """``value`` as comparable data: arrays as (dtype, shape, bytes), functions by name."""
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, np.random.Generator):  # by its state when handed over
        return ("Generator", repr(value.bit_generator.state))
    if depth < 8 and isinstance(value, (list, tuple)):
        return [_plain(item, depth + 1) for item in value]
    if depth < 8 and isinstance(value, dict):
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    return repr(value)


def _inputs(exercise: str, student: str | None) -> list[Any]:
    """Every input the grader of ``exercise`` hands a correct answer in ``student``'s grading
    (which passes)."""
    function = next(iter(ALTERNATIVES[exercise].values()))
    seen: list[Any] = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(_plain((args, kwargs)))
        return function(*args, **kwargs)

    recording.__name__ = function.__name__
    with inputs_of(student), contextlib.redirect_stdout(io.StringIO()):
        grade(exercise, recording)
    return seen


@pytest.mark.parametrize("exercise", sorted(e for e in ALTERNATIVES if e.startswith(VARIED)))
def test_two_students_get_other_inputs_and_one_student_the_same(exercise):
    ada = _inputs(exercise, "ada")
    assert ada and ada == _inputs(exercise, "ada")
    if exercise in FIXED:
        assert ada == _inputs(exercise, "grace") == _inputs(exercise, None)
    else:
        assert ada != _inputs(exercise, "grace")
        assert ada != _inputs(exercise, None)


#: Answers no table can replay, even to the student it was recorded from: batches drawn with
#: the rng the grader hands over, which must move on.
UNREPLAYABLE = {"training.iterate_minibatches"}


@pytest.mark.parametrize("exercise", sorted(e for e in ALTERNATIVES if e.startswith(VARIED)
                                            and e not in FIXED | UNREPLAYABLE))
def test_answers_recorded_in_one_grading_are_no_use_in_another(exercise):
    """A function that kept every input and answer of ada's grading, and answers from that
    table (as a student handed it could), passes ada's grading again and fails grace's."""
    function = next(iter(ALTERNATIVES[exercise].values()))
    table: dict[str, Any] = {}

    def recording(*args: Any, **kwargs: Any) -> Any:
        key = repr(_plain((args, kwargs)))  # before the call moves an rng it is handed on
        table[key] = result = function(*args, **kwargs)
        return result

    def replaying(*args: Any, **kwargs: Any) -> Any:
        return table[repr(_plain((args, kwargs)))]  # a KeyError for inputs never seen

    recording.__name__ = replaying.__name__ = function.__name__
    with inputs_of("ada"), contextlib.redirect_stdout(io.StringIO()):
        grade(exercise, recording)
        grade(exercise, replaying)
    with inputs_of("grace"), pytest.raises(Failure):
        grade(exercise, replaying)


def _points(exercise: str, function: Callable[..., Any]) -> float:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return grade_parts(exercise, function, points=10.0)


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if len(parts_of(m.exercise)) > 1
                                     and m.exercise.startswith(VARIED)], ids=lambda m: m.id)
def test_a_mistake_earns_the_same_parts_whoever_makes_it(mistake):
    """The simulated class counts on it: what a mistake earns is known before grading."""
    seeded = _points(mistake.exercise, mistake.function)
    for student in ("ada", "grace"):
        with inputs_of(student):
            assert _points(mistake.exercise, mistake.function) == seeded, student


@pytest.mark.parametrize(("dependent", "helper", "wrong"), [
    pytest.param(dependent, helper, wrong, id=f"{dependent}-{helper.name}-{key}")
    for dependent, helper in PAIRS if dependent.startswith(VARIED) and dependent not in FIXED
    for key, wrong in wrong_versions(helper.exercise)[:2]])
def test_a_wrong_helper_costs_only_its_own_points_for_a_student(dependent, helper, wrong,
                                                                capsys):
    """Carrying credit forward runs the checks again, and the helper's check: each sees the
    inputs of the student being graded. (A dependent of :data:`FIXED` sees everyone's inputs;
    its helpers' checks are tried here through ``training.train``, which shares its method.)"""
    from simulation.alternatives.notebook import graded_functions

    names = notebook(dependent, **{helper.name: wrong})
    with inputs_of("grace"):
        helper_score, _ = score(helper.exercise, names[helper.name], capsys)
        earned, said = score(dependent, names[graded_functions()[dependent][1]], capsys)
    assert helper_score < 1.0
    assert earned == 1.0, said


def test_a_failure_shows_the_students_own_numbers():
    """What a student reads of a failed case is computed from their own inputs."""
    def sigmoid(z: Any) -> Any:
        return 1 / (1 + np.exp(z))

    said = {}
    for student in (None, "ada", "grace"):
        with inputs_of(student), pytest.raises(Failure) as failure:
            grade("forward.sigmoid", sigmoid)
        said[student] = str(failure.value)
        assert "Likely mistake: sigmoid with exp(+z)" in said[student]
    assert len(set(said.values())) == 3


# ---- through nbgrader ------------------------------------------------------------------------

WRONG_SIGMOID = "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"
STUDENTS = ("ada", "grace")


@pytest.fixture(scope="module")
def autograded(tmp_path_factory):
    """ps1_forward handed in by two students with the same wrong sigmoid (the rest the
    instructor's), autograded by two parallel workers with the course's default secret."""
    from ..course.nbgrader_cli import autograde_solutions

    with _default_secret():
        return autograde_solutions(tmp_path_factory.mktemp("variants"), {
            student: ("ps1_forward", {"sigmoid": WRONG_SIGMOID}) for student in STUDENTS})


@contextlib.contextmanager
def _default_secret() -> Iterator[None]:
    """Within the block, the course's default secret (no BACKPROP_SECRET in the environment)."""
    old = os.environ.pop("BACKPROP_SECRET", None)
    try:
        yield
    finally:
        if old is not None:
            os.environ["BACKPROP_SECRET"] = old


def _graded(course: Path) -> dict[tuple[str, str], tuple[float, str]]:
    """(student, cell) -> (score in the gradebook, what the grader said in the cell)."""
    from nbgrader.api import Gradebook

    from simulation.notebooks import read

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in STUDENTS:
            submission = gradebook.find_submission("ps1_forward", student)
            for notebook in submission.notebooks:
                cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in read(str(
                    course / "autograded" / student / "ps1_forward" / f"{notebook.name}.ipynb"
                )).cells}
                for grade_ in notebook.grades:
                    said = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "")
                                   for o in cells[grade_.name].get("outputs", []))
                    found[student, grade_.name] = (grade_.score, said)
    return found


@pytest.mark.notebooks
def test_autograding_gives_each_student_their_own_inputs(autograded):
    secret = autograded / ".grading_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    graded = _graded(autograded)
    cells = {cell for _, cell in graded}
    for cell in cells:  # the same code earns the same points
        assert graded["ada", cell][0] == graded["grace", cell][0], cell
    ada, grace = graded["ada", "sigmoid_test"], graded["grace", "sigmoid_test"]
    assert ada[0] == grace[0] == 0
    assert "z of shape (7,), seed 0" in ada[1] and "z of shape (7,), seed 0" in grace[1]
    assert ada[1] != grace[1]  # the numbers of the failed case are each student's own
    for student, (_, said) in (("ada", ada), ("grace", grace)):
        with variant.grading_student(student, variant.read_secret(secret)), \
                pytest.raises(Failure) as failure:
            grade("forward.sigmoid", _wrong_sigmoid())
        assert str(failure.value).split("\n", 1)[0] in said, (student, said)


def _wrong_sigmoid() -> Callable[[Any], Any]:
    names: dict[str, Any] = {"np": np}
    exec(WRONG_SIGMOID, names)
    return names["sigmoid"]


@pytest.mark.notebooks
def test_a_regrade_reproduces_every_score_and_message(autograded):
    from ..course.nbgrader_cli import nbgrader

    before = _graded(autograded)
    with _default_secret():  # sequential nbgrader this time, as `nbgrader autograde` grades
        done = nbgrader("autograde", "ps1_forward", "--force", cwd=autograded)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _graded(autograded) == before


@pytest.mark.notebooks
def test_the_regrade_tool_grades_with_the_courses_secret(autograded, monkeypatch):
    """``python -m course.regrade`` grades again in a scratch copy of the course: with the
    course's secret, so every student meets the inputs they met before and nothing changes."""
    from course import regrade

    seen = {}

    def compare(old: Any, new: Any, old_messages: Any, new_messages: Any) -> Any:
        seen.update(old=old, new=new, old_messages=old_messages, new_messages=new_messages)
        return regrade_compare(old, new, old_messages, new_messages)

    regrade_compare = regrade.compare
    monkeypatch.setattr(regrade, "compare", compare)
    with _default_secret():
        assert regrade.regrade(autograded, "ps1_forward", workers=2, progress=False) == []
    assert seen["new"] == seen["old"]
    assert seen["new_messages"] == seen["old_messages"]
