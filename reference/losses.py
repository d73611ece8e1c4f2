"""Losses, each a mean over the batch, each beside its gradient ``dL/dA``.

``A`` is the network's output and ``Y`` the targets, both of shape ``(m, k)``: one row per
example. Every gradient already contains the ``1/m`` of the mean, so the deltas built from it are
the true derivatives of the loss and the weight gradients need no further scaling.

Exact formulas (``sum`` runs over the batch ``i`` and the outputs ``k``):

* mean squared error          ``L = 1/(2m) * sum (a_ik - y_ik)**2``    ``dL/dA = (A - Y) / m``
* binary cross-entropy        ``L = -1/m * sum [y log a + (1 - y) log(1 - a)]``
* categorical cross-entropy   ``L = -1/m * sum y_ik log a_ik``  (rows of ``Y`` are one-hot)

The ``_from_logits`` versions take the pre-activation ``Z`` of the output layer instead of the
probabilities and never form ``log(0)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.activations import sigmoid, softmax
from reference.validation import as_matrix, require_same_shape

Array = NDArray[np.float64]

#: Probabilities are kept in ``[PROB_FLOOR, 1 - PROB_FLOOR]`` before a log, so a saturated
#: output gives a large, finite loss instead of ``inf`` and a divide-by-zero warning.
PROB_FLOOR = 1e-12


def _pair(A: ArrayLike, Y: ArrayLike) -> tuple[Array, Array]:
    A = as_matrix("A", A)
    Y = as_matrix("Y", Y)
    require_same_shape("A", A, "Y", Y)
    if A.shape[0] == 0:
        raise ValueError("A and Y must hold at least one example (row); got 0 rows")
    return A, Y


def mean_squared_error(A: ArrayLike, Y: ArrayLike) -> float:
    """``L = 1/(2m) * sum_ik (a_ik - y_ik)**2``: squared error summed over outputs, halved,
    averaged over the ``m`` examples. ``A``, ``Y``: ``(m, k)``."""
    A, Y = _pair(A, Y)
    return float(0.5 * np.sum((A - Y) ** 2) / A.shape[0])


def mean_squared_error_grad(A: ArrayLike, Y: ArrayLike) -> Array:
    """``dL/dA = (A - Y) / m`` for :func:`mean_squared_error` (the 1/2 cancels the square's 2)."""
    A, Y = _pair(A, Y)
    return (A - Y) / A.shape[0]


def binary_cross_entropy(A: ArrayLike, Y: ArrayLike) -> float:
    """``L = -1/m * sum_ik [y log a + (1 - y) log(1 - a)]`` for probabilities ``A`` in (0, 1).

    ``A`` is clipped to ``[1e-12, 1 - 1e-12]`` before the logs, so a saturated output costs at
    most about 27.6 per entry and raises no warning. ``A``, ``Y``: ``(m, k)``, ``Y`` in [0, 1].
    """
    A, Y = _pair(A, Y)
    A = np.clip(A, PROB_FLOOR, 1.0 - PROB_FLOOR)
    return float(-np.sum(Y * np.log(A) + (1.0 - Y) * np.log1p(-A)) / A.shape[0])


def binary_cross_entropy_grad(A: ArrayLike, Y: ArrayLike) -> Array:
    """``dL/dA = (A - Y) / (A (1 - A) m)`` for :func:`binary_cross_entropy` (clipped ``A``)."""
    A, Y = _pair(A, Y)
    A = np.clip(A, PROB_FLOOR, 1.0 - PROB_FLOOR)
    return (A - Y) / (A * (1.0 - A) * A.shape[0])


def binary_cross_entropy_from_logits(Z: ArrayLike, Y: ArrayLike) -> float:
    """Binary cross-entropy of ``sigmoid(Z)`` computed from the logits ``Z`` (``(m, k)``).

    Uses ``-[y log s + (1-y) log(1-s)] = max(z, 0) - z y + log(1 + exp(-|z|))``, which never
    overflows and never takes ``log(0)``.
    """
    Z, Y = _pair(Z, Y)
    per_entry = np.maximum(Z, 0.0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))
    return float(np.sum(per_entry) / Z.shape[0])


def binary_cross_entropy_from_logits_grad(Z: ArrayLike, Y: ArrayLike) -> Array:
    """``dL/dZ = (sigmoid(Z) - Y) / m`` for :func:`binary_cross_entropy_from_logits`."""
    Z, Y = _pair(Z, Y)
    return (sigmoid(Z) - Y) / Z.shape[0]


def categorical_cross_entropy(A: ArrayLike, Y: ArrayLike) -> float:
    """``L = -1/m * sum_ik y_ik log a_ik`` for row-wise probabilities ``A`` and one-hot ``Y``.

    Both ``(m, k)``. ``A`` is floored at 1e-12 before the log, so a zero probability on the
    true class gives a large, finite loss.
    """
    A, Y = _pair(A, Y)
    return float(-np.sum(Y * np.log(np.maximum(A, PROB_FLOOR))) / A.shape[0])


def categorical_cross_entropy_grad(A: ArrayLike, Y: ArrayLike) -> Array:
    """``dL/dA = -Y / (A m)`` for :func:`categorical_cross_entropy` (``A`` floored at 1e-12)."""
    A, Y = _pair(A, Y)
    return -Y / (np.maximum(A, PROB_FLOOR) * A.shape[0])


def categorical_cross_entropy_from_logits(Z: ArrayLike, Y: ArrayLike) -> float:
    """Categorical cross-entropy of ``softmax(Z)`` from the logits ``Z`` (``(m, k)``).

    ``log softmax(z) = z - max(z) - log(sum(exp(z - max(z))))`` is finite for any ``z``.
    """
    Z, Y = _pair(Z, Y)
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return float(-np.sum(Y * log_probs) / Z.shape[0])


def categorical_cross_entropy_from_logits_grad(Z: ArrayLike, Y: ArrayLike) -> Array:
    """``dL/dZ = (softmax(Z) - Y) / m`` for one-hot ``Y`` (each row of ``Y`` sums to 1)."""
    Z, Y = _pair(Z, Y)
    return (softmax(Z) - Y) / Z.shape[0]


def sigmoid_bce_output_delta(A: ArrayLike, Y: ArrayLike) -> Array:
    """Output delta of a sigmoid layer under binary cross-entropy: ``(A - Y) / m``.

    The sigmoid's ``a (1 - a)`` cancels the loss's ``1 / (a (1 - a))``, leaving the error.
    """
    A, Y = _pair(A, Y)
    return (A - Y) / A.shape[0]


def softmax_cce_output_delta(A: ArrayLike, Y: ArrayLike) -> Array:
    """Output delta of a softmax layer under categorical cross-entropy: ``(A - Y) / m``.

    Holds when each row of ``Y`` sums to 1 (one-hot targets).
    """
    A, Y = _pair(A, Y)
    return (A - Y) / A.shape[0]


@dataclass(frozen=True)
class Loss:
    """A loss with its gradient. ``value(A, Y)`` is a float; ``grad(A, Y)`` is ``dL/dA``.

    For the ``_from_logits`` losses ``A`` is the output layer's pre-activation (use the
    ``identity`` activation on that layer).
    """

    name: str
    value: Callable[[ArrayLike, ArrayLike], float]
    grad: Callable[[ArrayLike, ArrayLike], Array]


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mean_squared_error, mean_squared_error_grad),
    "bce": Loss("bce", binary_cross_entropy, binary_cross_entropy_grad),
    "bce_logits": Loss(
        "bce_logits", binary_cross_entropy_from_logits, binary_cross_entropy_from_logits_grad
    ),
    "cce": Loss("cce", categorical_cross_entropy, categorical_cross_entropy_grad),
    "cce_logits": Loss(
        "cce_logits",
        categorical_cross_entropy_from_logits,
        categorical_cross_entropy_from_logits_grad,
    ),
}


def get_loss(loss: str | Loss) -> Loss:
    """Look up a loss by name (one of ``LOSSES``) or pass a ``Loss`` through."""
    if isinstance(loss, Loss):
        return loss
    try:
        return LOSSES[loss]
    except KeyError:
        known = ", ".join(sorted(LOSSES))
        raise ValueError(f"unknown loss {loss!r}; choose one of: {known}") from None
