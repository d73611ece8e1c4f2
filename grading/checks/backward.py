"""Hidden graders for ``ps2_backward/backward.ipynb``: derivatives, deltas, gradients, checks.

Same approach as :mod:`grading.checks.forward`: seeded cases (square and non-square layers, a
batch of one example, depths 1 to 4), compared with the reference package; a wrong answer that
matches a known mistake (``W`` for ``W.T``, a transposed ``dW``, a 2-D ``db``, ``z * (1 - z)``
for the sigmoid's derivative...) is named with a hint.

A slip costs once (:mod:`grading.diagnosis`): ``network_backward`` calls the student's
``dense_gradients`` and ``hidden_delta``, and ``gradient_check`` the student's
``network_backward``, ``softmax_cce_output_delta``, ``sigmoid_grad``, ``numerical_gradient`` and
``relative_error``, as the notebook asks. Both are declared with
:func:`~grading.diagnosis.uses_helpers`: an exercise that does what the notebook asks with a
wrong helper keeps its points (for ``gradient_check``, reporting the large errors a wrong
backward pass really has is what a gradient check is for), and the message names the helper.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.calls import call, call_student, recording, unpack_pair
from grading.cases import (
    NUMERICAL_CASES,
    below_the_floor,
    check_elementwise,
    ensure_saturated,
    gradcheck_case,
    output_cases,
    random_layers,
    reference_network_backward,
    reference_network_forward,
)
from grading.checks.forward import layer_forward, network_forward_through
from grading.compare import Mistake, expect_close, expect_list, expect_number, tolerances
from grading.diagnosis import Helper, hung, student_helper, uses_helpers
from grading.registry import Failure, describe, register


@register("backward.sigmoid_grad")
def check_sigmoid_grad(sigmoid_grad: Callable[..., Any]) -> None:
    """s(z) * (1 - s(z)) for every shape; 0 (not nan) at |z| = 1e3."""
    confused = ("you computed z * (1 - z): that is the formula in terms of the activation "
                "a = sigmoid(z). sigmoid_grad takes the pre-activation z: first s = sigmoid(z), "
                "then s * (1 - s)")
    check_elementwise("sigmoid_grad", sigmoid_grad, reference.sigmoid_grad,
                      mistakes=lambda z: [(confused, z * (1 - z))],
                      nan_hint="use the (stable) given sigmoid: s = sigmoid(z), then s * (1 - s)")


@register("backward.tanh_grad")
def check_tanh_grad(tanh_grad: Callable[..., Any]) -> None:
    """1 - tanh(z)**2 for every shape; 0 at |z| = 1e3."""
    confused = ("you computed 1 - z**2: that is the formula in terms of the activation "
                "a = tanh(z); tanh_grad takes z: use 1 - tanh(z)**2")
    unsquared = "the square is missing: 1 - tanh(z)**2"
    check_elementwise("tanh_grad", tanh_grad, reference.tanh_grad,
                      mistakes=lambda z: [(confused, 1 - z**2), (unsquared, 1 - np.tanh(z))],
                      nan_hint="use the given tanh (stable): 1 - tanh(z)**2")


@register("backward.relu_grad")
def check_relu_grad(relu_grad: Callable[..., Any]) -> None:
    """1 where z > 0 and 0 where z <= 0 (0 at the kink z = 0)."""
    kink = "at z = 0 the derivative must be 0 (our choice at the kink): use z > 0, not z >= 0"
    check_elementwise("relu_grad", relu_grad, reference.relu_grad,
                      mistakes=lambda z: [(kink, (z >= 0).astype(float))])


@register("backward.leaky_relu_grad")
def check_leaky_relu_grad(leaky_relu_grad: Callable[..., Any]) -> None:
    """1 where z > 0 and slope where z <= 0, with the default slope and slope=0.2."""
    for slope in (None, 0.2):
        used = 0.01 if slope is None else slope

        def mistakes(z: np.ndarray, used: float = used) -> list[Mistake]:
            return [("at z = 0 the derivative must be the slope: use z > 0, not z >= 0",
                     np.where(z >= 0, 1.0, used)),
                    ("the slope argument was ignored; use `slope`, not 0.01",
                     reference.leaky_relu_grad(z))]

        kwargs = {} if slope is None else {"slope": slope}
        check_elementwise("leaky_relu_grad", leaky_relu_grad, reference.leaky_relu_grad,
                          mistakes=mistakes, **kwargs)


def _delta_mistakes(A: np.ndarray, Y: np.ndarray, right: np.ndarray) -> list[Mistake]:
    """The output delta's usual slips, given the right answer."""
    m = A.shape[0]
    return [("the 1/m is missing: delta_L = (A - Y) / m", right * m),
            ("the sign is flipped: it is A - Y, not Y - A", -right)]


@register("backward.mse_output_delta")
def check_mse_output_delta(mse_output_delta: Callable[..., Any]) -> None:
    """(A - Y) / m * g'(Z) for sigmoid, tanh, identity and relu outputs."""
    exercise = "mse_output_delta"
    for name in ("sigmoid", "tanh", "identity", "relu"):
        g_grad = reference.get_activation(name).grad
        for case, Z, A, Y in output_cases(name):
            case = f"{case}, g = {name}"
            got = call_student(exercise, case, mse_output_delta, (A, Y, Z, g_grad), "A Y Z g_grad",
                               "A, Y and Z all have shape (m, k).")
            right = reference.output_delta(A, Y, Z, name, "mse")
            mistakes = [("g_grad was applied to A; derivatives take the pre-activation Z",
                         (A - Y) / A.shape[0] * g_grad(A)), *_delta_mistakes(A, Y, right)]
            expect_close(exercise, case, got, right, mistakes=mistakes)


def _check_simplified_delta(exercise: str, student: Callable[..., Any], kind: str) -> None:
    """(A - Y) / m, including saturated outputs where dividing by a(1 - a) would break."""
    cases = output_cases(kind)
    if kind == "bce":
        rng = variant.rng(7)
        Z = rng.normal(0.0, 900.0, size=(4, 3))
        A, Y = ensure_saturated("bce", Z, reference.sigmoid(Z),
                                (rng.random((4, 3)) < 0.5).astype(np.float64))
        cases.append(("saturated A (some entries exactly 0 or 1) of shape (4, 3), seed 7",
                      Z, A, Y))
    for case, _, A, Y in cases:
        got = call_student(exercise, case, student, (A, Y), "A Y",
                           "A and Y both have shape (m, k).")
        right = (A - Y) / A.shape[0]
        dL_dA = reference.get_loss(kind).grad(A, Y)  # without the activation's derivative
        mistakes = [*_delta_mistakes(A, Y, right),
                    ("this is only dL/dA; the output delta is dL/dZ, which simplifies to "
                     "(A - Y) / m", dL_dA)]
        if kind == "bce":
            mistakes.append(("dividing by a(1 - a) breaks when an output is exactly 0 or 1; "
                             "use the simplified (A - Y) / m", dL_dA * A * (1 - A)))
        expect_close(exercise, case, got, right, mistakes=mistakes,
                     nan_hint="use the simplified form (A - Y) / m: no division")


@register("backward.sigmoid_bce_output_delta")
def check_sigmoid_bce_output_delta(sigmoid_bce_output_delta: Callable[..., Any]) -> None:
    """(A - Y) / m for sigmoid outputs and 0/1 targets."""
    _check_simplified_delta("sigmoid_bce_output_delta", sigmoid_bce_output_delta, "bce")


@register("backward.softmax_cce_output_delta")
def check_softmax_cce_output_delta(softmax_cce_output_delta: Callable[..., Any]) -> None:
    """(A - Y) / m for softmax outputs and one-hot targets."""
    _check_simplified_delta("softmax_cce_output_delta", softmax_cce_output_delta, "cce")


@register("backward.hidden_delta")
def check_hidden_delta(hidden_delta: Callable[..., Any]) -> None:
    """(delta_next @ W_next.T) * g'(Z); a square layer first, where W for W.T goes unnoticed."""
    exercise = "hidden_delta"
    for seed, (m, n_l, n_next, name) in enumerate(
        ((4, 3, 3, "sigmoid"), (5, 4, 2, "tanh"), (1, 3, 5, "relu"), (6, 2, 4, "leaky_relu"))
    ):
        rng = variant.rng(seed)
        delta_next, W_next = rng.normal(size=(m, n_next)), rng.normal(size=(n_l, n_next))
        Z = rng.normal(size=(m, n_l))
        g_grad = reference.get_activation(name).grad
        case = (f"delta_next {delta_next.shape}, W_next {W_next.shape}, Z {Z.shape}, "
                f"g = {name}, seed {seed}")
        got = call_student(exercise, case, hidden_delta, (delta_next, W_next, Z, g_grad),
                           "delta_next W_next Z g_grad",
                           "(m, n_next) @ W_next.T (n_next, n_l) gives (m, n_l), the shape of Z.")
        mistakes = [("the factor g_grad(Z) is missing", delta_next @ W_next.T),
                    ("g_grad was applied to g(Z); derivatives take the pre-activation Z",
                     (delta_next @ W_next.T) * g_grad(reference.get_activation(name).forward(Z)))]
        if n_l == n_next:  # only a square W_next lets the missing transpose run at all
            mistakes.append(("used W_next instead of W_next.T", (delta_next @ W_next) * g_grad(Z)))
        expect_close(exercise, case, got, reference.hidden_delta(delta_next, W_next, Z, name),
                     mistakes=mistakes)


def _dense_gradient_cases(dense_gradients: Callable[..., Any],
                          ) -> Iterator[tuple[str, Any, Any, np.ndarray, np.ndarray, np.ndarray,
                                              dict[str, float]]]:
    """(case, student dW, student db, reference dW, reference db, delta, tolerances) for
    batches of 1 to 7 and non-square layers; delta is (m, n_out). The tolerances follow the
    precision of the whole result (dW and db alike)."""
    exercise = "dense_gradients"
    for seed, (m, n_in, n_out) in enumerate(((5, 3, 3), (4, 3, 2), (7, 2, 5), (1, 4, 3))):
        rng = variant.rng(seed)
        A_prev, delta = rng.normal(size=(m, n_in)), rng.normal(size=(m, n_out))
        case = f"A_prev {A_prev.shape}, delta {delta.shape}, seed {seed}"
        result = call_student(exercise, case, dense_gradients, (A_prev, delta), "A_prev delta",
                              "dW = A_prev.T (n_in, m) @ delta (m, n_out) has the shape of W.")
        dW, db = unpack_pair(exercise, case, result, "(dW, db)")
        yield (case, dW, db, *reference.dense_gradients(A_prev, delta), delta,
               tolerances(result))


@register("backward.dense_gradients", part="dW = A_prev.T @ delta", weight=1)
def check_dense_gradients_dW(dense_gradients: Callable[..., Any]) -> None:
    """dW of shape (n_in, n_out) for every case."""
    for case, dW, _, right_dW, _, delta, tolerance in _dense_gradient_cases(dense_gradients):
        m = len(delta)
        expect_close("dense_gradients", f"{case} (in dW)", dW, right_dW, **tolerance, mistakes=[
            ("dW is transposed: it must have W's shape (n_in, n_out), i.e. A_prev.T @ delta",
             right_dW.T),
            ("dW was divided by m again; the 1/m is already inside delta", right_dW / m)])


@register("backward.dense_gradients", part="db = delta summed over the batch", weight=1)
def check_dense_gradients_db(dense_gradients: Callable[..., Any]) -> None:
    """db of shape (n_out,) for every case."""
    for case, _, db, _, right_db, delta, tolerance in _dense_gradient_cases(dense_gradients):
        m = len(delta)
        expect_close("dense_gradients", f"{case} (in db)", db, right_db, **tolerance, mistakes=[
            ("db must be 1-D with shape (n_out,) like b; you returned a 2-D (1, n_out) array "
             "(drop keepdims)", right_db[None, :]),
            ("db was averaged (divided by m); sum over the batch: the 1/m is in delta",
             right_db / m),
            ("db sums over the wrong axis: sum over the batch, axis=0", delta.sum(axis=1))])


def _hidden_delta(delta_next: Any, W_next: Any, Z: Any, g_grad: Callable[[Any], Any]) -> Any:
    """The notebook's hidden_delta, for a derivative function ``g_grad`` (the reference's
    takes an activation's name)."""
    return (np.asarray(delta_next) @ np.asarray(W_next).T) * g_grad(Z)


@uses_helpers("backward.network_backward",
              Helper("dense_gradients", "backward.dense_gradients", reference.dense_gradients),
              Helper("hidden_delta", "backward.hidden_delta", _hidden_delta))
def _network_backward_through(dense_gradients: Callable[..., Any],
                              hidden_delta: Callable[..., Any]) -> Callable[..., Any]:
    """The notebook's network_backward: from the last layer to the first, the student's
    dense_gradients for each layer and hidden_delta for the layer before it."""

    def network_backward(delta_L: Any, weights: Any, caches: Any, hidden_grads: Any) -> Any:
        L = len(weights)
        dWs, dbs = [None] * L, [None] * L
        delta = delta_L
        for layer in range(L - 1, -1, -1):
            A_prev, _, _ = caches[layer]
            dWs[layer], dbs[layer] = dense_gradients(A_prev, delta)
            if layer > 0:
                delta = hidden_delta(delta, weights[layer], caches[layer - 1][1],
                                     hidden_grads[layer - 1])
        return dWs, dbs

    return network_backward


#: (layer sizes, hidden activation names, batch size) of the networks to differentiate.
BACKWARD_NETWORKS = (((3, 4, 2), ("sigmoid",), 5), ((2, 3), (), 4),
                     ((4, 6, 5, 3), ("tanh", "relu"), 6),
                     ((5, 3, 4, 2, 2), ("leaky_relu", "sigmoid", "tanh"), 1))


def _network_backward_cases(network_backward: Callable[..., Any],
                            ) -> Iterator[tuple[str, Any, Any, list[np.ndarray],
                                                list[np.ndarray], dict[str, float]]]:
    """(case, student dWs, student dbs, reference dWs, reference dbs, tolerances) for depths
    1 to 4 with a different activation per layer; fails if an input was changed. The
    tolerances follow the precision of the whole result (every dW and db alike)."""
    exercise = "network_backward"
    for seed, (sizes, hidden, m) in enumerate(BACKWARD_NETWORKS):
        rng = variant.rng(seed)
        weights, biases = random_layers(rng, sizes)
        _, caches = reference_network_forward(rng.normal(size=(m, sizes[0])), weights, biases,
                                              (*hidden, "identity"))
        caches = [tuple(cache) for cache in caches]  # plain tuples, as the notebook's forward
        delta_L = rng.normal(size=(m, sizes[-1]))
        case = f"layer sizes {sizes}, hidden activations {list(hidden)}, batch of {m}, seed {seed}"
        hidden_grads = [reference.get_activation(name).grad for name in hidden]
        result = call_student(exercise, case, network_backward,
                              (delta_L, weights, caches, hidden_grads),
                              "delta_L weights caches hidden_grads",
                              "Layer l's delta has the shape of its Z, (m, n_l).")
        dWs, dbs = unpack_pair(exercise, case, result, "(dWs, dbs)")
        yield (case, dWs, dbs, *reference_network_backward(delta_L, weights, caches, hidden),
               tolerances(result))


@register("backward.network_backward", part="dWs, one per layer", weight=1)
def check_network_backward_dWs(network_backward: Callable[..., Any]) -> None:
    """Every layer's dW, in layer order; weights and caches left as they were."""
    for case, dWs, _, right_dWs, _, tolerance in _network_backward_cases(network_backward):
        expect_list("network_backward", case, dWs, right_dWs, "dWs", **tolerance)


@register("backward.network_backward", part="dbs, one per layer", weight=1)
def check_network_backward_dbs(network_backward: Callable[..., Any]) -> None:
    """Every layer's db, in layer order."""
    for case, _, dbs, _, right_dbs, tolerance in _network_backward_cases(network_backward):
        expect_list("network_backward", case, dbs, right_dbs, "dbs", **tolerance)


@register("backward.numerical_gradient")
def check_numerical_gradient(numerical_gradient: Callable[..., Any]) -> None:
    """Centered differences for several f and shapes; eps is used (and 1e-5 when left to its
    default); x is left unchanged."""
    exercise = "numerical_gradient"
    for seed, (formula, f, shape, given) in enumerate(NUMERICAL_CASES):
        x = variant.rng(seed).normal(size=shape)
        eps = 1e-5 if given is None else given
        case = (f"{formula} at x of shape {shape}, "
                f"{'eps left to its default' if given is None else f'eps={eps}'}, seed {seed}")
        seen: list[tuple[int, ...]] = []
        got = call(exercise, numerical_gradient, (recording(f, seen), x),
                   {} if given is None else {"eps": eps}, names="f x", case=case)
        if any(s != shape for s in seen):
            wrong = next(s for s in seen if s != shape)
            raise Failure(f"{exercise}: for {case}, f must be called with an array of x's shape "
                          f"{shape}; it was called with shape {wrong}")
        right = reference.numerical_gradient(f, x, eps)
        ignored_eps = reference.numerical_gradient(f, x, 1e-5)
        forward = [(f(x + eps * e.reshape(shape)) - f(x)) / eps for e in np.eye(x.size)]
        defaults = [] if given is not None else [
            ("eps's default must stay 1e-5, as the notebook's signature has it",
             reference.numerical_gradient(f, x, other)) for other in (1e-3, 1e-4, 1e-6, 1e-7)]
        expect_close(exercise, case, got, right, rtol=1e-6, atol=1e-8, mistakes=[
            ("the eps argument was ignored; perturb by eps", ignored_eps),
            ("this is a one-sided difference (f(x + eps) - f(x)) / eps; use the centered "
             "(f(x + eps) - f(x - eps)) / (2 eps)", np.reshape(forward, shape)), *defaults])


@register("backward.relative_error")
def check_relative_error(relative_error: Callable[..., Any]) -> None:
    """norm(a - n) / max(1e-8, norm(a) + norm(n)) on random, equal, close and all-zero pairs."""
    exercise = "relative_error"
    rng = variant.rng(0)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    v, w = rng.normal(size=5), rng.normal(size=5)
    tiny = below_the_floor(1e-9 * v, 1e-9 * rng.normal(size=5))
    cases = (("a and n random of shape (3, 4), seed 0", a, b),
             ("a and n random of shape (5,), seed 0", v, w),
             ("n = a * (1 + 1e-3), shape (5,)", v, v * (1 + 1e-3)),
             ("a = n, shape (3, 4)", a, a.copy()),
             ("a = n = zeros of shape (2, 2)", np.zeros((2, 2)), np.zeros((2, 2))),
             ("tiny a and n (norms about 1e-9, below the 1e-8 floor), shape (5,)", *tiny))
    for case, x, y in cases:
        got = call_student(exercise, case, relative_error, (x, y), "a n", "")
        diff = np.linalg.norm(x - y)
        na, nn = np.linalg.norm(x), np.linalg.norm(y)
        expect_number(exercise, case, got, reference.relative_error(x, y), atol=1e-12, mistakes=[
            ("the denominator is norm(a) + norm(n), not the larger of the two",
             diff / max(1e-8, max(na, nn))),
            ("the denominator is norm(a) + norm(n), not norm(a) alone", diff / max(1e-8, na))],
            nan_hint="two zero gradients give 0 / 0: use max(1e-8, norm(a) + norm(n))")


def _simplified_delta(A: Any, Y: Any) -> Any:
    """(A - Y) / m, the output delta of softmax with categorical cross-entropy."""
    A = np.asarray(A, dtype=float)
    return (A - Y) / A.shape[0]


@uses_helpers(
    "backward.gradient_check",
    Helper("network_backward", "backward.network_backward",
           _network_backward_through(reference.dense_gradients, _hidden_delta)),
    Helper("softmax_cce_output_delta", "backward.softmax_cce_output_delta", _simplified_delta),
    Helper("sigmoid_grad", "backward.sigmoid_grad", reference.sigmoid_grad),
    Helper("numerical_gradient", "backward.numerical_gradient", reference.numerical_gradient),
    Helper("relative_error", "backward.relative_error", reference.relative_error))
def _gradient_check_through(network_backward: Callable[..., Any],
                            softmax_cce_output_delta: Callable[..., Any],
                            sigmoid_grad: Callable[..., Any],
                            numerical_gradient: Callable[..., Any],
                            relative_error: Callable[..., Any]) -> Callable[..., Any]:
    """The notebook's gradient_check, with the given forward pass and loss and the student's
    functions of exercises 2 to 6."""
    network_forward = network_forward_through(layer_forward)

    def gradient_check(weights: Any, biases: Any, X: Any, Y: Any) -> dict[str, Any]:
        L = len(weights)
        activations = [reference.sigmoid] * (L - 1) + [reference.softmax]
        A_L, caches = network_forward(X, weights, biases, activations)
        dWs, dbs = network_backward(softmax_cce_output_delta(A_L, Y), weights, caches,
                                    [sigmoid_grad] * (L - 1))

        def loss(ws: Any, bs: Any) -> float:
            return reference.categorical_cross_entropy(network_forward(X, ws, bs, activations)[0],
                                                       Y)

        errors = {}
        for layer in range(L):
            def loss_of_W(W: Any, layer: int = layer) -> float:
                ws = list(weights)
                ws[layer] = W
                return loss(ws, biases)

            def loss_of_b(b: Any, layer: int = layer) -> float:
                bs = list(biases)
                bs[layer] = b
                return loss(weights, bs)

            errors[f"W{layer + 1}"] = relative_error(
                dWs[layer], numerical_gradient(loss_of_W, weights[layer]))
            errors[f"b{layer + 1}"] = relative_error(
                dbs[layer], numerical_gradient(loss_of_b, biases[layer]))
        return errors

    return gradient_check


def _errors_from_delta(net: reference.Network, X: np.ndarray, Y: np.ndarray, delta_L: Any
                       ) -> dict[str, float]:
    """The relative errors an honest check of ``net`` on (X, Y) reports when its backward pass
    starts from ``delta_L`` (shape (m, n_L)): reference backward from it, centered differences
    of the categorical cross-entropy. Keys ``"W1"``, ``"b1"``, ..."""
    weights, biases = list(net.weights), list(net.biases)
    names = ["sigmoid"] * (len(weights) - 1) + ["softmax"]
    _, caches = reference_network_forward(X, weights, biases, names)
    dWs, dbs = reference_network_backward(np.asarray(delta_L, dtype=float), weights, caches,
                                          names[:-1])

    def loss(ws: list[Any], bs: list[Any]) -> float:
        A, _ = reference_network_forward(X, ws, bs, names)
        return reference.categorical_cross_entropy(A, Y)

    errors = {}
    for layer in range(len(weights)):
        for kind, params, analytic in (("W", weights, dWs), ("b", biases, dbs)):
            def loss_at(p: Any, layer: int = layer, kind: str = kind) -> float:
                changed = list(weights if kind == "W" else biases)
                changed[layer] = p
                return loss(changed, biases) if kind == "W" else loss(weights, changed)

            numeric = reference.numerical_gradient(loss_at, params[layer])
            errors[f"{kind}{layer + 1}"] = reference.relative_error(analytic[layer], numeric)
    return errors


def _own_delta_errors(gradient_check: Callable[..., Any], net: reference.Network,
                      X: np.ndarray, Y: np.ndarray, case: str) -> dict[str, float] | None:
    """The errors an honest check reports with the student's own ``softmax_cce_output_delta``
    (None when there is none, it fails, or its result has the wrong shape). The exercise asks
    for one-hot targets only, so a correct delta (one built from the labels, say) may give
    other errors than (A - Y)/m on targets whose rows do not sum to 1."""
    own = student_helper(gradient_check, "softmax_cce_output_delta")
    if own is None or hung(own):
        return None
    names = ["sigmoid"] * (len(net.weights) - 1) + ["softmax"]
    A_L, _ = reference_network_forward(X, list(net.weights), list(net.biases), names)
    try:
        delta = call("softmax_cce_output_delta", own, (A_L, Y), names="A Y", case=case)
        delta = np.asarray(delta, dtype=float)
    except Exception:  # a failing helper is charged in its own exercise, not here
        return None
    if delta.shape != A_L.shape or not np.all(np.isfinite(delta)):
        return None
    return _errors_from_delta(net, X, Y, delta)


def _expect_error(case: str, key: str, got: Any, expected: float, one_hot: bool,
                  also: float | None = None) -> None:
    """One reported relative error: tiny for one-hot targets, the measured one otherwise
    (``expected``, or ``also``: what the student's own output delta gives)."""
    exercise = "gradient_check"
    expect_number(exercise, f"{case}, error of {key}", got, expected, rtol=1.0,
                  atol=np.finfo(float).max)  # only its form: one number
    value = float(np.asarray(got, dtype=np.float64).reshape(()))
    if also is not None and np.isclose(value, also, rtol=1e-3, atol=1e-9):
        return
    if one_hot and not 0.0 <= value < 1e-6:
        raise Failure(f"{exercise}: for {case}, you report a relative error of {value:.3g} for "
                      f"{key}; a correct backward pass and a correct numerical gradient agree to "
                      "below 1e-6. Compare your analytic and numerical gradients of that array "
                      "(this check uses your functions: fix any earlier failing exercise first).")
    if not one_hot and not np.isclose(value, expected, rtol=1e-3, atol=1e-9):
        raise Failure(f"{exercise}: for {case}, you report a relative error of {value:.3g} for "
                      f"{key}, but comparing the two gradients gives {expected:.3g}. With targets "
                      "whose rows do not sum to 1, (A - Y)/m is not the gradient of the loss, so "
                      "an honest check reports a large error: compute the analytic gradient with "
                      "softmax_cce_output_delta and network_backward, the numerical one from "
                      "categorical_cross_entropy, and report what you measure.")


@register("backward.gradient_check")
def check_gradient_check(gradient_check: Callable[..., Any]) -> None:
    """Small errors on two correct setups; the reference's large errors when rows of Y do not
    sum to 1 (then (A - Y)/m is not the gradient of the loss, and an honest check says so)."""
    exercise = "gradient_check"
    for sizes, m, seed, one_hot in (((3, 4, 3), 5, 0, True), ((4, 5, 3, 2), 3, 1, True),
                                    ((3, 4, 3), 4, 2, False)):
        net, X, Y = gradcheck_case(sizes, m, seed, one_hot)
        target = "one-hot Y" if one_hot else "Y whose rows do not sum to 1"
        case = f"layer sizes {sizes}, batch of {m}, {target}, seed {seed}"
        weights, biases = list(net.weights), list(net.biases)
        errors = call(exercise, gradient_check, (weights, biases, X, Y),
                      names="weights biases X Y", case=case)
        keys = [f"{kind}{layer}" for layer in range(1, len(sizes)) for kind in "Wb"]
        if not isinstance(errors, dict) or set(errors) != set(keys):
            found = sorted(errors) if isinstance(errors, dict) else describe(errors)
            raise Failure(f"{exercise}: for {case}, expected a dict with keys {keys}; "
                          f"got {found}")
        expected = reference.check_network_gradients(net, X, Y, "cce")
        own = None if one_hot else _own_delta_errors(gradient_check, net, X, Y, case)
        for key in keys:
            _expect_error(case, key, errors[key], expected[key], one_hot,
                          None if own is None else own[key])
