"""Diagnostics of a network's gradients and units: what the explorations notebook measures.

* Vanishing gradients: :func:`gradient_norms` gives one number per layer, and
  :func:`sigmoid_grad_bound` says how small the sigmoid's derivatives alone can make them.
* Dead ReLUs: :func:`dead_unit_fraction` finds units that are off for every example of a batch.
* The cost of a gradient: :func:`parameter_count` is what finite differences pay for, and
  :func:`gradient_cost_ratio` how many times more work they cost than backpropagation.

Conventions as everywhere: a batch is rows, ``Z`` of a layer has shape ``(m, n)``, and ``dW`` of a
layer has the shape of its ``W``, ``(n_in, n_out)``. No function modifies its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike

from reference.forward import LayerCache
from reference.gradients import backward
from reference.network import init_network
from reference.validation import as_matrix

#: The largest value of the sigmoid's derivative ``s (1 - s)``, reached at ``z = 0``.
SIGMOID_GRAD_MAX = 0.25


def gradient_norms(grads: Sequence[ArrayLike]) -> list[float]:
    """The Frobenius norm ``sqrt(sum dW**2)`` of each layer's gradient, in layer order.

    ``grads``: one array per layer, e.g. ``dW_l`` of shape ``(n_{l-1}, n_l)`` (any shape works).
    Returns a list of ``len(grads)`` floats.
    """
    return [float(np.sqrt(np.sum(np.square(np.asarray(g, dtype=np.float64))))) for g in grads]


def sigmoid_grad_bound(depth: int) -> float:
    """``0.25 ** depth``: the largest factor the derivatives of ``depth`` sigmoid layers can
    contribute to a delta sent back through them.

    Each hidden layer multiplies the delta elementwise by ``sigmoid_grad(Z) = s (1 - s)``, which is
    at most 0.25 (at ``s = 1/2``). The weights may scale the delta up or down, but the derivatives
    alone shrink it by at least ``4 ** depth``. ``depth`` >= 0 (0 layers: a factor of 1).
    """
    if depth < 0:
        raise ValueError(f"depth must be at least 0; got {depth}")
    return float(SIGMOID_GRAD_MAX**depth)


def dead_unit_fraction(Z: ArrayLike) -> float:
    """Share of the ``n`` units of a layer that are dead on this batch: ``Z <= 0`` in every row.

    ``Z``: the layer's pre-activation, shape ``(m, n)``. A ReLU unit whose pre-activation is
    ``<= 0`` for every example outputs 0 and has derivative 0 (we take ``relu_grad(0) = 0``) for
    all of them, so no gradient reaches its incoming weights: nothing can revive it.
    Returns a float in ``[0, 1]``.
    """
    Z = as_matrix("Z", Z)
    if Z.shape[0] == 0 or Z.shape[1] == 0:
        raise ValueError(f"Z needs at least one example and one unit; got shape {Z.shape}")
    return float(np.mean(np.all(Z <= 0, axis=0)))


def dead_fractions(caches: Sequence[LayerCache | Sequence[ArrayLike]]) -> list[float]:
    """:func:`dead_unit_fraction` of every hidden layer, from a forward pass's caches.

    ``caches``: one ``(A_prev, Z, A)`` per layer, as :func:`reference.network_forward` returns
    them; the last one is the output layer and is left out. Returns ``len(caches) - 1`` floats.
    """
    return [dead_unit_fraction(cache[1]) for cache in caches[:-1]]


def parameter_count(layer_sizes: Sequence[int]) -> int:
    """Number of weights and biases of a dense network with sizes ``(n_0, n_1, ..., n_L)``.

    Layer ``l`` has ``n_{l-1} * n_l`` weights and ``n_l`` biases.
    """
    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least two sizes; got {tuple(layer_sizes)}")
    return sum(n_in * n_out + n_out for n_in, n_out in pairwise(sizes))


def gradient_cost_ratio(n_params: int, centered: bool = True, backward_cost: float = 2.0
                        ) -> float:
    """How many times more work one full gradient costs by finite differences than by backprop.

    Work is counted in forward passes of the network. Finite differences nudge each of the
    ``n_params`` parameters: centered differences ``(f(x + eps) - f(x - eps)) / (2 eps)`` run two
    forward passes per parameter (``2 P``); one-sided ones ``(f(x + eps) - f(x)) / eps`` run one
    per parameter plus one at the un-nudged point, shared by all (``P + 1``). Backpropagation
    runs one forward pass and one backward pass, which costs ``backward_cost`` forward passes
    (about 2: two matrix products per layer instead of one), so ``1 + backward_cost``.
    Returns the ratio, a float: ``2 P / (1 + backward_cost)`` or ``(P + 1) / (1 + backward_cost)``.
    """
    if n_params < 1 or backward_cost < 0:
        raise ValueError(f"need n_params >= 1 and backward_cost >= 0; got {n_params}, "
                         f"{backward_cost}")
    numerical = 2 * n_params if centered else n_params + 1
    return float(numerical / (1 + backward_cost))


def deep_gradient_norms(
    X: ArrayLike, Y: ArrayLike, hidden: str, depth: int = 8, width: int = 32, seed: int = 0
) -> list[float]:
    """:func:`gradient_norms` of ``dW`` for a fresh deep network on the batch ``X``, ``Y``.

    The network has ``depth`` hidden layers of ``width`` units with the activation ``hidden``
    and a softmax output with categorical cross-entropy, built by
    ``init_network([n_in, width, ..., width, k], hidden, output_activation="softmax",
    seed=seed)`` (He for ReLU-like layers, Xavier otherwise). ``X``: ``(m, n_in)``; ``Y``:
    one-hot ``(m, k)``. Returns ``depth + 1`` norms, from the first layer to the output layer.
    """
    X, Y = as_matrix("X", X), as_matrix("Y", Y)
    sizes = [X.shape[1], *([width] * depth), Y.shape[1]]
    network = init_network(sizes, hidden, output_activation="softmax", seed=seed)
    _, grads = backward(network, X, Y, "cce")
    return gradient_norms(grads.dW)
