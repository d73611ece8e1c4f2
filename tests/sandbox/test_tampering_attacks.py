"""Tampering attacks through the real sandbox (issue 15, holes 4 and 5): a small class of
ps2_backward and one of ps4_explorations graded with ``autograde_assignments``.

Hole 4: a function that rewrites its inputs in place (they are mirrored back from the sandbox)
so that the expected answer becomes trivial. Hole 5: ``time_gradients`` reporting times the
grader did not see. Each attacker fills one exercise of the released notebook (stubs elsewhere)
and gains nothing on it; an honest student keeps full marks.
"""

from __future__ import annotations

import json

import pytest
from nbgrader.api import Gradebook

from course.parallel_autograde import autograde_assignments
from simulation.exercises import read_assignment
from simulation.notebooks import fill, read, write

from ..course.nbgrader_cli import RELEASE, SOURCE, released_course

pytestmark = pytest.mark.notebooks

#: Attacker -> (the exercise it fills, the cell's source). Counts computed inline, since the
#: attacker's own parameter_count is the released stub.
ATTACKS = {
    "ps2_backward": {
        "gradient_check_rewrites_Y": ("gradient_check", """
def gradient_check(weights, biases, X, Y):
    # one-hot targets: every relative error becomes tiny, so reporting 0 would match
    Y[...] = np.eye(Y.shape[1])[np.argmax(Y, axis=1)]
    return {f"{kind}{layer}": 0.0 for layer in range(1, len(weights) + 1) for kind in "Wb"}
"""),
        "network_backward_zeroes_its_inputs": ("network_backward", """
def network_backward(delta_L, weights, caches, hidden_grads):
    # no error to send back and no activations: every expected gradient becomes zero
    delta_L[...] = 0.0
    for cache in caches:
        for array in cache:
            array[...] = 0.0
    return [np.zeros_like(W) for W in weights], [np.zeros(W.shape[1]) for W in weights]
"""),
        "network_backward_replaces_the_caches": ("network_backward", """
def network_backward(delta_L, weights, caches, hidden_grads):
    delta_L[...] = 0.0
    caches[:] = [tuple(np.zeros_like(a) for a in cache) for cache in caches]
    return [np.zeros_like(W) for W in weights], [np.zeros(W.shape[1]) for W in weights]
"""),
    },
    "ps4_explorations": {
        "dead_fractions_revives_every_unit": ("dead_fractions", """
def dead_fractions(caches):
    for _, Z, _ in caches:
        Z[...] = 1.0  # no unit is dead any more
    return [0.0] * (len(caches) - 1)
"""),
        "dead_fractions_reshapes_Z": ("dead_fractions", """
def dead_fractions(caches):
    for _, Z, _ in caches:
        Z.shape = (-1,)  # a change the grader cannot mirror
    return [0.0] * (len(caches) - 1)
"""),
        "time_gradients_made_up_and_slept_for": ("time_gradients", """
def time_gradients(layer_sizes_list, batch_size=16, seed=0, backprop=backprop,
                   numerical_network_gradients=numerical_network_gradients):
    rows = []
    for sizes in layer_sizes_list:
        count = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        rows.append((count, 2e-4, 1e-4 * count))
    time.sleep(sum(b + n for _, b, n in rows))
    return rows
"""),
        "time_gradients_times_its_own_copies": ("time_gradients", """
_given = (backprop, numerical_network_gradients)
def time_gradients(layer_sizes_list, batch_size=16, seed=0, backprop=backprop,
                   numerical_network_gradients=numerical_network_gradients):
    rng = np.random.default_rng(seed)
    rows = []
    for sizes in layer_sizes_list:
        weights, biases = init_network(sizes, seed, "relu")
        X = rng.normal(size=(batch_size, sizes[0]))
        Y = one_hot(rng.integers(0, sizes[-1], size=batch_size), sizes[-1])
        times = []
        for gradient in _given:  # the notebook's functions, not the ones handed over
            start = time.perf_counter()
            gradient(X, Y, weights, biases)
            times.append(time.perf_counter() - start)
        rows.append((sum(W.size + b.size for W, b in zip(weights, biases)), *times))
    return rows
"""),
        "time_gradients_scaled": ("time_gradients", """
def time_gradients(layer_sizes_list, batch_size=16, seed=0, backprop=backprop,
                   numerical_network_gradients=numerical_network_gradients):
    rng = np.random.default_rng(seed)
    rows = []
    for sizes in layer_sizes_list:
        weights, biases = init_network(sizes, seed, "relu")
        X = rng.normal(size=(batch_size, sizes[0]))
        Y = one_hot(rng.integers(0, sizes[-1], size=batch_size), sizes[-1])
        start = time.perf_counter()
        backprop(X, Y, weights, biases)
        backprop_seconds = (time.perf_counter() - start) / 20  # backprop looks even cheaper
        start = time.perf_counter()
        numerical_network_gradients(X, Y, weights, biases)
        numerical_seconds = (time.perf_counter() - start) * 20
        rows.append((sum(W.size + b.size for W, b in zip(weights, biases)),
                     backprop_seconds, numerical_seconds))
    return rows
"""),
    },
}
#: What an attacker on time_gradients keeps: the parameter counts, which it computed honestly
#: (the exercise is graded in parts); the timings part (5 of its 7 points) is lost.
COUNTS_POINTS = 2.0


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Both classes, graded; the course folder and each assignment's outcomes."""
    course = released_course(tmp_path_factory.mktemp("tampering"), list(ATTACKS))
    for assignment, attacks in ATTACKS.items():
        (plan,) = read_assignment(SOURCE, assignment)
        released = RELEASE / assignment / plan.notebook

        def submit(student: str, cells: dict[str, str], assignment=assignment, plan=plan,
                   released=released) -> None:
            notebook = read(str(released))
            for target, solution in cells.items():
                fill(notebook, target, solution)
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            write(notebook, str(folder / plan.notebook))

        submit("honest", plan.solutions)
        for student, (target, source) in attacks.items():
            submit(student, {target: source})
    graded = autograde_assignments(course, list(ATTACKS), workers=2, student_timeout=300,
                                   progress=None)
    return course, {assignment: {o.student: o for o in outcomes}
                    for assignment, outcomes in graded.items()}


def _cell_score(course, assignment: str, student: str, cell: str) -> float:
    (plan,) = read_assignment(SOURCE, assignment)
    notebook = plan.notebook.removesuffix(".ipynb")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_grade(cell, notebook, assignment, student).score


def _total(course, assignment: str, student: str) -> tuple[float, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return submission.score, submission.max_score


@pytest.mark.parametrize("assignment", ATTACKS)
def test_the_honest_student_keeps_full_marks(graded, assignment):
    course, outcomes = graded
    assert outcomes[assignment]["honest"].status == "graded"
    score, maximum = _total(course, assignment, "honest")
    assert score == maximum > 0


@pytest.mark.parametrize(("assignment", "attack"),
                         [(a, s) for a, attacks in ATTACKS.items() for s in attacks])
def test_the_tampering_gains_nothing(graded, assignment, attack):
    course, outcomes = graded
    assert outcomes[assignment][attack].status == "graded"
    target, _ = ATTACKS[assignment][attack]
    expected = COUNTS_POINTS if target == "time_gradients" else 0.0
    assert _cell_score(course, assignment, attack, f"{target}_test") == expected
    score, _ = _total(course, assignment, attack)
    assert score == expected, "the attacker scored nothing elsewhere either (stubs)"


#: What the feedback of the attacked cell says, by the attacked exercise.
REASONS = {"gradient_check": "changed its argument Y", "network_backward": "changed its argument",
           "dead_fractions": "changed its argument caches",
           "time_gradients": "✗ the timings"}


@pytest.mark.parametrize(("assignment", "attack"),
                         [(a, s) for a, attacks in ATTACKS.items() for s in attacks])
def test_the_feedback_says_why(graded, assignment, attack):
    course, _ = graded
    (plan,) = read_assignment(SOURCE, assignment)
    target, _ = ATTACKS[assignment][attack]
    notebook = read(str(course / "autograded" / attack / assignment / plan.notebook))
    (cell,) = [c for c in notebook.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == f"{target}_test"]
    text = json.dumps(cell.get("outputs", []), ensure_ascii=False)
    assert REASONS[target] in text, text[:2000]
