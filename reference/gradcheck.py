"""Numerical gradient checking: the independent judge of every backward pass.

A centered difference ``(f(x + eps) - f(x - eps)) / (2 eps)`` has an error of order ``eps**2``,
against ``eps`` for a one-sided difference. It costs two evaluations of ``f`` per parameter,
which is why it checks backpropagation but never replaces it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.forward import LayerCache, dense_forward, network_forward
from reference.gradients import backward
from reference.losses import Loss, get_loss
from reference.network import Network

Array = NDArray[np.float64]

#: Pass threshold for :func:`relative_error` in float64.
GRADCHECK_THRESHOLD = 1e-7

#: Activations whose derivative jumps at 0.
KINKED_ACTIVATIONS = ("relu", "leaky_relu")


def numerical_gradient(
    f: Callable[[Array], float], x: ArrayLike, eps: float = 1e-5, order: int = 2
) -> Array:
    """Centered-difference gradient of the scalar function ``f`` at ``x`` (any shape).

    ``order=2`` is the classic ``(f(x + eps) - f(x - eps)) / (2 eps)``, error of order
    ``eps**2``. ``order=4`` combines two such differences (Richardson extrapolation),
    ``(8 [f(x + eps) - f(x - eps)] - [f(x + 2 eps) - f(x - 2 eps)]) / (12 eps)``, whose error is
    of order ``eps**4``: with ``eps=1e-3`` it resolves gradients far smaller than the rounding
    error of ``f`` would allow the classic one, as in deep sigmoid networks.

    ``f`` is called with a float64 array of the shape of ``x``; ``x`` itself is never modified
    (we perturb a private copy, one entry at a time). Returns an array of the shape of ``x``.
    """
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4; got {order}")
    work = np.array(x, dtype=np.float64, copy=True)
    grad = np.empty_like(work)

    def difference(index: tuple[int, ...], step: float) -> float:
        original = work[index]
        work[index] = original + step
        f_plus = float(f(work))
        work[index] = original - step
        f_minus = float(f(work))
        work[index] = original
        return f_plus - f_minus

    for index in np.ndindex(work.shape):
        if order == 2:
            grad[index] = difference(index, eps) / (2.0 * eps)
        else:
            near, far = difference(index, eps), difference(index, 2.0 * eps)
            grad[index] = (8.0 * near - far) / (12.0 * eps)
    return grad


def relative_error(analytic: ArrayLike, numeric: ArrayLike) -> float:
    """``|a - n| / max(1e-8, |a| + |n|)`` with ``|.|`` the Euclidean norm of the whole array.

    Scale-free: 1e-7 or less means the two gradients agree to about seven digits. The floor
    of 1e-8 keeps two all-zero gradients from dividing by zero.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"gradients must have the same shape; got {a.shape} and {n.shape}")
    return float(np.linalg.norm(a - n) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(n)))


def check_network_gradients(
    network: Network,
    X: ArrayLike,
    Y: ArrayLike,
    loss: str | Loss,
    eps: float = 1e-5,
    order: int = 2,
) -> dict[str, float]:
    """Compare backpropagation with centered differences for every parameter of ``network``.

    Returns the relative error of each array, keyed ``"W1"``, ``"b1"``, ..., ``"WL"``, ``"bL"``
    (layers numbered from 1). Every value should be below :data:`GRADCHECK_THRESHOLD`.

    ReLU and leaky ReLU have a kink at 0. When nudging a parameter by ``eps`` moves some
    pre-activation of such a layer across 0, the finite difference straddles the kink and
    measures neither side's slope; those entries are left out of the comparison. ``eps`` and
    ``order`` go to :func:`numerical_gradient`. Costs two (order 2) or four (order 4) forward
    passes per parameter: use small networks and batches.
    """
    loss = get_loss(loss)
    _, grads = backward(network, X, Y, loss)
    _, caches = network_forward(network, X)
    errors: dict[str, float] = {}
    for layer in range(network.depth):
        for kind, analytic in (("W", grads.dW[layer]), ("b", grads.db[layer])):
            loss_at = _loss_as_function_of(network, caches, Y, loss, layer, kind)
            current = (network.weights if kind == "W" else network.biases)[layer]
            numeric = numerical_gradient(loss_at, current, eps, order)
            smooth = ~np.isnan(numeric)
            errors[f"{kind}{layer + 1}"] = relative_error(analytic[smooth], numeric[smooth])
    return errors


def _loss_as_function_of(
    network: Network, caches: list[LayerCache], Y: ArrayLike, loss: Loss, layer: int, kind: str
) -> Callable[[Array], float]:
    """The loss as a function of one parameter array (``kind`` "W" or "b" of ``layer``).

    Returns NaN when the new value moves a ReLU-like pre-activation across its kink. A nudge in
    one layer leaves the layers before it alone, so the forward pass restarts at that layer.
    """
    downstream = range(layer, network.depth)
    baseline = _kink_sides(network, caches[layer:], downstream)

    def loss_at(value: Array) -> float:
        weights, biases = list(network.weights), list(network.biases)
        (weights if kind == "W" else biases)[layer] = value
        A, probe_caches = caches[layer].A_prev, []
        for index in downstream:
            A, cache = dense_forward(A, weights[index], biases[index], network.activations[index])
            probe_caches.append(cache)
        sides = _kink_sides(network, probe_caches, downstream)
        if any(not np.array_equal(side, baseline[index]) for index, side in sides.items()):
            return float("nan")
        return loss.value(A, Y)

    return loss_at


def _kink_sides(
    network: Network, caches: list[LayerCache], layers: range
) -> dict[int, NDArray[np.bool_]]:
    """For each ReLU-like layer in ``layers`` (whose caches are given, in order), which side of
    the kink each of its pre-activations lies on."""
    return {
        index: cache.Z > 0
        for index, cache in zip(layers, caches, strict=True)
        if network.activations[index].name in KINKED_ACTIVATIONS
    }
