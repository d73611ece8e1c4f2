"""Step 2 of backpropagation: the deltas (error terms) ``delta_l = dL/dZ_l``."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.activations import Activation, get_activation
from reference.losses import Loss, get_loss, sigmoid_bce_output_delta, softmax_cce_output_delta
from reference.validation import as_matrix, require_same_shape

Array = NDArray[np.float64]

#: Output activation and loss pairs whose delta simplifies to ``(A - Y) / m``.
SIMPLIFIED_PAIRS = {("sigmoid", "bce"): sigmoid_bce_output_delta,
                    ("softmax", "cce"): softmax_cce_output_delta}


def output_delta(
    A: ArrayLike,
    Y: ArrayLike,
    Z: ArrayLike,
    activation: str | Activation,
    loss: str | Loss,
) -> Array:
    """Delta of the output layer, ``delta_L = dL/dZ_L``, shape ``(m, k)``.

    In general ``delta_L = dL/dA_L * g'(Z_L)`` (for softmax, the Jacobian product of
    :func:`reference.activations.softmax_backward`). For sigmoid with binary cross-entropy and
    softmax with categorical cross-entropy this simplifies to ``(A_L - Y) / m``, which is what
    we compute for those pairs: it is exact and cannot overflow.
    ``A``, ``Y``, ``Z``: ``(m, k)``.
    """
    activation = get_activation(activation)
    loss = get_loss(loss)
    A = as_matrix("A", A)
    Z = as_matrix("Z", Z)
    require_same_shape("A", A, "Z", Z)
    simplified = SIMPLIFIED_PAIRS.get((activation.name, loss.name))
    if simplified is not None:
        return simplified(A, Y)
    return activation.backward(loss.grad(A, Y), Z)


def hidden_delta(
    delta_next: ArrayLike, W_next: ArrayLike, Z: ArrayLike, activation: str | Activation
) -> Array:
    """Delta of a hidden layer: ``delta_l = (delta_{l+1} @ W_{l+1}.T) * g'(Z_l)``.

    ``delta_next``: ``(m, n_{l+1})``; ``W_next``: ``(n_l, n_{l+1})``, the weights that take
    this layer's activation to the next layer; ``Z``: ``(m, n_l)``. Returns ``(m, n_l)``.
    """
    activation = get_activation(activation)
    if not activation.elementwise:
        raise ValueError(f"{activation.name} is only supported on the output layer")
    delta_next = as_matrix("delta_next", delta_next)
    W_next = as_matrix("W_next", W_next)
    Z = as_matrix("Z", Z)
    if W_next.shape[1] != delta_next.shape[1] or W_next.shape[0] != Z.shape[1]:
        raise ValueError(
            f"W_next must have shape (n_l, n_next) = ({Z.shape[1]}, {delta_next.shape[1]}) "
            f"for Z {Z.shape} and delta_next {delta_next.shape}; got {W_next.shape}"
        )
    if delta_next.shape[0] != Z.shape[0]:
        raise ValueError(
            f"delta_next and Z must have the same batch size m; "
            f"got delta_next {delta_next.shape} and Z {Z.shape}"
        )
    return (delta_next @ W_next.T) * activation.grad(Z)
