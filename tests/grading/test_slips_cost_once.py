"""A slip costs once (issue 16): no exercise's score depends on another exercise's correctness.

Several exercises call the student's own earlier functions, as their notebooks ask
(``network_backward`` calls ``dense_gradients`` and ``hidden_delta``, ``dead_fractions`` calls
``dead_unit_fraction``, ``train`` calls ``sgd_step`` and ``iterate_minibatches``...). In grading,
the student's function runs in the student's kernel and finds the student's helpers there, so
each such exercise declares its helpers (:func:`grading.dependencies.uses_helpers`) and credit is
carried forward from a wrong helper (:func:`grading.carry_forward.carry_forward`).

This suite breaks each helper, with every catalogued mistake of its exercise (and, for helpers
the catalogue does not cover, the mistakes their checks name), under the instructor's solution
of every exercise that calls it: the helper loses its points, the caller keeps all of its own,
and what the caller's grading says names the helper. A wrong caller still fails beside a wrong
helper, and a placeholder helper lends no credit to a placeholder caller. Some cases run through
the grading connection of the sandbox (:mod:`sandbox.remote`), as autograding does, and one
submission per assignment is autograded by the real pipeline (marked ``notebooks``: slow), for
the exercises whose test cells keep a visible check that fails because of a wrong helper from
failing the cell (their hidden part adds them to ``SCORED_IN_PARTS``).
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable
from typing import Any

import pytest

from grading import Failure, grade, grade_parts
from grading.dependencies import DEPENDENCIES, Helper
from grading.mistakes import for_exercise
from grading.registry import parts_of
from sandbox import METADATA_KEY
from simulation.alternatives import as_student_code, load_all
from simulation.alternatives.notebook import SOURCE, graded_functions, namespace
from simulation.exercises import read_assignment
from simulation.notebooks import read

from ..sandbox.threaded_kernel import ThreadedKernel
from .slips import PAIRS, notebook, score, wrong_versions


def _tried(dependent: str, helper: Helper) -> list[tuple[str, Callable[..., Any]]]:
    """The wrong versions of ``helper`` tried under ``dependent``: every one, unless an exercise
    before it (in name order) is graded through the same method of the notebook's
    (``training.train``, ``train_xor`` and ``train_digits`` all are): then that exercise tries
    every one, and this one the first, to show that its check carries credit through the
    method too (the digits' check trains three networks, about a second each)."""
    method = DEPENDENCIES[dependent].method
    shared = any(DEPENDENCIES[other].method is method and other < dependent
                 for other, _ in PAIRS)
    wrong = wrong_versions(helper.exercise)
    return wrong[:1] if shared else wrong


CASES = [pytest.param(dependent, helper.name, helper.exercise, wrong,
                      id=f"{dependent}-{helper.name}-{key}")
         for dependent, helper in PAIRS for key, wrong in _tried(dependent, helper)]


def test_every_exercise_that_calls_a_student_function_declares_it():
    """Every student function a solution calls by name (:attr:`simulation.exercises.Exercise.
    depends_on`, read from the source notebooks) is a declared helper of each exercise that
    grades the solution, and every declared helper is such a function."""
    for assignment in sorted(p.name for p in SOURCE.iterdir() if p.is_dir()):
        for plan in read_assignment(SOURCE, assignment):
            for exercise in plan.exercises:
                dependency = DEPENDENCIES.get(exercise.exercise)
                declared = {h.name for h in dependency.helpers} if dependency else set()
                assert set(exercise.depends_on) == declared, (
                    f"{exercise.exercise} calls {sorted(exercise.depends_on)}; its declared "
                    f"helpers are {sorted(declared)}")


def test_every_helper_has_wrong_versions_to_try():
    for _, helper in PAIRS:
        assert wrong_versions(helper.exercise), f"nothing breaks {helper.exercise}"


@pytest.mark.parametrize(("dependent", "helper", "helper_exercise", "wrong"), CASES)
def test_a_wrong_helper_costs_only_its_own_points(dependent, helper, helper_exercise, wrong,
                                                  capsys):
    names = notebook(dependent, **{helper: wrong})
    helper_score, _ = score(helper_exercise, names[helper], capsys)
    assert helper_score < 1.0, f"{helper_exercise} should lose points for this mistake"
    _, function = graded_functions()[dependent]
    earned, said = score(dependent, names[function], capsys)
    assert earned == 1.0, f"{dependent} lost points for its helper's mistake:\n{said}"
    if "Note:" in said:
        assert f"your {helper}" in said, said


# ---- correct helpers in another form ---------------------------------------------------------

def _as_code(function: Callable[..., Any], name: str, exercise: str) -> str:
    assignment, _ = graded_functions()[exercise]
    code, _ = as_student_code(function, name, namespace(assignment))
    return code


RIGHT_HELPERS = [pytest.param(dependent, helper.name, key, alternative,
                              id=f"{dependent}-{helper.name}-{key}")
                 for dependent, helper in PAIRS
                 for key, alternative in sorted(load_all().get(helper.exercise, {}).items())]


@pytest.mark.parametrize(("dependent", "helper", "key", "alternative"), RIGHT_HELPERS)
def test_a_correct_helper_in_any_form_costs_its_caller_nothing(dependent, helper, key,
                                                                alternative, capsys):
    """Every correct alternative of a helper, under the instructor's solution of its caller and
    under every correct alternative of the caller: the caller keeps all its points. A helper is
    graded within its own exercise's contract (one-hot targets, say); a caller's grader must not
    lean on what the reference helper happens to do outside it."""
    _, target = graded_functions()[dependent]
    callers = [None, *sorted(load_all().get(dependent, {}).items())]
    for caller in callers:
        replaced = {helper: _as_code(alternative, helper, dependent)}
        if caller is not None:
            replaced[target] = _as_code(caller[1], target, dependent)
        names = notebook(dependent, **replaced)
        earned, said = score(dependent, names[target], capsys)
        which = "the solution" if caller is None else caller[0]
        assert earned == 1.0, f"{dependent} ({which}) lost points beside {key}:\n{said}"


# ---- what must still fail --------------------------------------------------------------------

#: Wrong callers that do call their helpers, as the notebook asks, but are wrong themselves.
WRONG_CALLERS = {
    "explorations.dead_fractions": (
        "dead_fractions", "def dead_fractions(caches):\n"
        "    return [dead_unit_fraction(Z) for _, Z, _ in caches]\n"),
    "explorations.deep_gradient_norms": (
        "deep_gradient_norms", "def deep_gradient_norms(X, Y, hidden, depth=8, width=32, seed=0):\n"
        "    sizes = [X.shape[1]] + [width] * depth + [Y.shape[1]]\n"
        "    weights, biases = init_network(sizes, seed, hidden)\n"
        "    _, dWs, _ = backprop(X, Y, weights, biases, hidden)\n"
        "    return gradient_norms(dWs)[::-1]\n"),
    "backward.network_backward": (
        "network_backward", "def network_backward(delta_L, weights, caches, hidden_grads):\n"
        "    L = len(weights)\n"
        "    dWs, dbs, delta = [None] * L, [None] * L, delta_L\n"
        "    for l in range(L - 1, -1, -1):\n"
        "        dWs[l], dbs[l] = dense_gradients(caches[l][0], delta)\n"
        "        if l > 0:\n"
        "            delta = hidden_delta(delta, weights[l], caches[l - 1][2],\n"
        "                                 hidden_grads[l - 1])\n"
        "    return dWs, dbs\n"),
    "forward.network_forward": (
        "network_forward", "def network_forward(X, weights, biases, activations):\n"
        "    A, caches = X, []\n"
        "    for W, b, g in zip(weights, biases, activations):\n"
        "        A, cache = dense_forward(A, W, 0 * b, g)\n"
        "        caches.append(cache)\n"
        "    return A, caches\n"),
    "training.train": (
        "train", "def train(X, Y, layer_sizes, hidden='relu', output='softmax', epochs=30,\n"
        "          lr=0.05, batch_size=32, seed=0):\n"
        "    weights, biases = init_network(layer_sizes, seed, hidden)\n"
        "    g, g_grad = HIDDEN[hidden]\n"
        "    g_out, loss, output_delta = OUTPUT[output]\n"
        "    activations = [g] * (len(weights) - 1) + [g_out]\n"
        "    rng = np.random.default_rng(seed)\n"
        "    losses = []\n"
        "    for epoch in range(epochs):\n"
        "        for X_b, Y_b in iterate_minibatches(X, Y, batch_size, rng):\n"
        "            A, caches = network_forward(X_b, weights, biases, activations)\n"
        "            dWs, dbs = network_backward(output_delta(A, Y_b), weights, caches,\n"
        "                                        [g_grad] * (len(weights) - 1))\n"
        "            weights = [sgd_step(W, dW, lr) for W, dW in zip(weights, dWs)]\n"
        "        A, _ = network_forward(X, weights, biases, activations)\n"
        "        losses.append(loss(A, Y))\n"
        "    return weights, biases, losses\n"),  # the biases are never updated
}


@pytest.mark.parametrize("dependent", sorted(WRONG_CALLERS))
def test_a_wrong_caller_still_fails_beside_a_wrong_helper(dependent, capsys):
    helper = DEPENDENCIES[dependent].helpers[0]
    (_, wrong), *_ = wrong_versions(helper.exercise)
    name, source = WRONG_CALLERS[dependent]
    names = notebook(dependent, **{helper.name: wrong, name: source})
    earned, said = score(dependent, names[name], capsys)
    assert earned < 1.0, f"a wrong {name} kept its points beside a wrong {helper.name}"
    assert f"your {helper.name}" in said, said


@pytest.mark.parametrize(("dependent", "mistake"), [
    pytest.param(dependent, mistake, id=f"{dependent}-{mistake.key}")
    for dependent in ("forward.network_forward", "backward.network_backward", "forward.tanh")
    for mistake in for_exercise(dependent)])
def test_a_catalogued_mistake_of_a_caller_fails_beside_a_wrong_helper(dependent, mistake,
                                                                     capsys):
    helper = DEPENDENCIES[dependent].helpers[0]
    (_, wrong), *_ = wrong_versions(helper.exercise)
    names = notebook(dependent, **{helper.name: wrong})
    earned, _ = score(dependent, mistake.function, capsys)  # it does not call the helper
    assert earned < 1.0
    names[graded_functions()[dependent][1]] = mistake.function
    earned, _ = score(dependent, names[graded_functions()[dependent][1]], capsys)
    assert earned < 1.0


PLACEHOLDERS = {
    "explorations.dead_fractions": {
        "dead_unit_fraction": "def dead_unit_fraction(Z):\n    return 0.0\n",
        "dead_fractions": "def dead_fractions(caches):\n    return [0.0] * (len(caches) - 1)\n"},
    "backward.network_backward": {
        "dense_gradients": "def dense_gradients(A_prev, delta):\n"
                           "    return np.zeros((A_prev.shape[1], delta.shape[1])), "
                           "np.zeros(delta.shape[1])\n",
        "network_backward": "def network_backward(delta_L, weights, caches, hidden_grads):\n"
                            "    return ([np.zeros(np.shape(W)) for W in weights],\n"
                            "            [np.zeros(np.shape(W)[1]) for W in weights])\n"},
    "forward.network_forward": {
        "dense_forward": "def dense_forward(X, W, b, g):\n    raise NotImplementedError()\n",
        "network_forward": "def network_forward(X, weights, biases, activations):\n"
                           "    raise NotImplementedError()\n"},
}


@pytest.mark.parametrize("dependent", sorted(PLACEHOLDERS))
def test_a_placeholder_lends_no_credit_to_a_placeholder(dependent, capsys):
    """Agreeing with a helper that is not written (it raises NotImplementedError, or gives the
    same value whatever its input) earns nothing."""
    names = notebook(dependent, **PLACEHOLDERS[dependent])
    earned, said = score(dependent, names[graded_functions()[dependent][1]], capsys)
    assert earned == 0.0, said


def _raising_placeholders(dependent: str) -> dict[str, str]:
    """Every helper of ``dependent`` and ``dependent``'s own function written as one same
    ``raise ValueError("todo")``: the caller then raises just what the notebook's method
    raises with those helpers."""
    _, target = graded_functions()[dependent]
    names = [target, *(helper.name for helper in DEPENDENCIES[dependent].helpers)]
    return {name: f"def {name}(*args, **kwargs):\n    raise ValueError('todo')\n"
            for name in names}


@pytest.mark.parametrize("dependent", sorted(DEPENDENCIES))
def test_a_raising_placeholder_lends_no_credit(dependent, capsys):
    """A helper that raises one same error on every call is a placeholder too: a caller that
    raises the same error earns nothing (else two lines of ``raise`` would buy its points)."""
    names = notebook(dependent, **_raising_placeholders(dependent))
    earned, said = score(dependent, names[graded_functions()[dependent][1]], capsys)
    assert earned == 0.0, said


def test_a_helper_an_earlier_error_kept_from_running_lends_nothing_and_blocks_nothing(capsys):
    """gradient_check with a network_backward that crashes (through the wrong layer's weights)
    and a relative_error that is wrong too: the crash stops gradient_check before it calls
    relative_error, so only network_backward's slip is carried, and gradient_check keeps its
    points; the note still names both."""
    wrong = {mistake.function.__name__: mistake.function
             for helper in ("backward.network_backward", "backward.relative_error")
             for mistake in for_exercise(helper)}
    names = notebook("backward.gradient_check",
                     network_backward=wrong["network_backward_off_by_one"],
                     relative_error=wrong["relative_error_absolute"])
    earned, said = score("backward.gradient_check", names["gradient_check"], capsys)
    assert earned == 1.0, said
    assert "your network_backward" in said and "your relative_error" in said, said


# ---- through the grading connection ----------------------------------------------------------

@pytest.mark.parametrize(("dependent", "helper", "key"), [
    ("forward.network_forward", "dense_forward", "transposed_weights"),
    ("backward.network_backward", "dense_gradients", "one_over_m_twice"),
    ("backward.gradient_check", "relative_error", "absolute"),
    ("explorations.dead_fractions", "dead_unit_fraction", "share_of_entries")])
def test_credit_is_carried_forward_through_the_grading_connection(dependent, helper, key,
                                                                 capsys):
    helper_exercise = next(h.exercise for h in DEPENDENCIES[dependent].helpers
                           if h.name == helper)
    wrong = dict(wrong_versions(helper_exercise))[key]
    kernel = ThreadedKernel(notebook(dependent, **{helper: wrong})).kernel
    function = graded_functions()[dependent][1]
    with kernel.serving():
        earned, said = score(dependent, kernel.function(function), capsys)
        helper_score, _ = score(helper_exercise, kernel.function(helper), capsys)
    assert earned == 1.0, said
    assert f"your {helper}" in said, said
    assert helper_score < 1.0


# ---- through the real pipeline ---------------------------------------------------------------

def protected(dependent: str) -> bool:
    """Whether the test cell of ``dependent`` keeps its visible checks from failing the cell
    (its hidden part adds it to ``SCORED_IN_PARTS``): only then can the hidden grader's verdict
    be the cell's score when the student's own helper makes the visible checks fail."""
    assignment, target = graded_functions()[dependent]
    (path,) = (SOURCE / assignment).glob("*.ipynb")
    for cell in read(str(path)).cells:
        if cell.cell_type == "code" and f'"{dependent}", {target}' in cell.source:
            return "SCORED_IN_PARTS.add(" in cell.source
    return False


PROTECTED_PAIRS = [(dependent, helper) for dependent, helper in PAIRS if protected(dependent)]


def felt_by(dependent: str, helper: str, wrong: Callable[..., Any]) -> bool:
    """Whether grading ``dependent`` in this process, beside the ``wrong`` version of
    ``helper``, gives full marks with credit carried forward from the helper: the wrong helper
    changes what the dependent computes on the grader's inputs (some wrong versions agree with
    the right one there), and is an attempt (one that raises the same error on every call is
    not, :func:`grading.carry_forward.carry_forward`)."""
    _, function = graded_functions()[dependent]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        names = notebook(dependent, **{helper: wrong})
        if len(parts_of(dependent)) > 1:
            earned = grade_parts(dependent, names[function], points=1.0)
        else:
            try:
                grade(dependent, names[function])
                earned = 1.0
            except Failure:
                earned = 0.0
    return earned == 1.0 and f"your {helper}" in out.getvalue()


@functools.cache
def submissions() -> dict[str, tuple[str, dict[str, Callable[..., Any]]]]:
    """Student -> (assignment, the helpers broken in that submission, by name: for each pair,
    the first wrong version of the helper that the dependent feels, :func:`felt_by`). Every
    protected pair is in one submission; none breaks a function whose own grading depends on
    its helpers in that submission."""
    groups: list[tuple[str, dict[str, Callable[..., Any]], set[str]]] = []
    for dependent, helper in PROTECTED_PAIRS:
        assignment, target = graded_functions()[dependent]
        for where, broken, dependents in groups:
            if where == assignment and helper.name not in dependents and target not in broken:
                break
        else:
            where, broken, dependents = assignment, {}, set()
            groups.append((where, broken, dependents))
        felt = next((wrong for _, wrong in wrong_versions(helper.exercise)
                     if felt_by(dependent, helper.name, wrong)), None)
        assert felt, f"no wrong version of {helper.name} changes what {dependent} computes"
        broken[helper.name] = felt
        dependents.add(target)
    return {f"slips{index}": (assignment, broken)
            for index, (assignment, broken, _) in enumerate(groups)}


@pytest.fixture(scope="module")
def autograded(tmp_path_factory):
    """Every submission of :func:`submissions`, autograded (nbgrader in the sandbox): the
    instructor's solutions with some helpers broken."""
    from ..course.nbgrader_cli import autograde_solutions

    return autograde_solutions(tmp_path_factory.mktemp("slips"), {
        student: (assignment, {target: as_student_code(wrong, target, namespace(assignment))[0]
                               for target, wrong in broken.items()})
        for student, (assignment, broken) in submissions().items()})


def _cells(course, student: str, assignment: str) -> dict[str, tuple[float, float, list[str], str]]:
    """exercise -> (points, out of, the mistakes named in its cell, the grader's output)."""
    found = {}
    for plan in read_assignment(SOURCE, assignment):
        path = course / "autograded" / student / assignment / plan.notebook
        notebook = read(str(path))
        record = notebook.metadata[METADATA_KEY]["cells"]
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in notebook.cells}
        for exercise in plan.exercises:
            said = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "")
                           for o in cells[exercise.grade_id].get("outputs", []))
            entry = record[exercise.grade_id]
            found[exercise.exercise] = (entry["points"], exercise.points,
                                        [m["name"] for m in entry["mistakes"]], said)
    return found


@pytest.mark.notebooks
@pytest.mark.parametrize(("dependent", "helper"), [
    pytest.param(dependent, helper, id=f"{dependent}-{helper.name}")
    for dependent, helper in PROTECTED_PAIRS])
def test_autograding_charges_a_wrong_helper_once(autograded, dependent, helper):
    assignment, target = graded_functions()[dependent]
    student = next(student for student, (where, broken) in submissions().items()
                   if where == assignment and helper.name in broken and target not in broken)
    cells = _cells(autograded, student, assignment)
    points, out_of, mistakes, said = cells[dependent]
    assert points == out_of and not mistakes, (dependent, points, out_of, mistakes, said)
    assert f"your {helper.name}" in said, said
    helper_points, helper_out_of, _, _ = cells[helper.exercise]
    assert helper_points < helper_out_of
