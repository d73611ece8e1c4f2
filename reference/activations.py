"""Activation functions and their derivatives, each pair side by side.

Every function is elementwise on an array of any shape (softmax works along the rows of a
``(m, n)`` matrix), returns a new float64 array, and never modifies its input. Derivatives take
the pre-activation ``z``; ``sigmoid_grad_from_activation`` is the one that takes ``a = sigmoid(z)``
instead, and its name says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.validation import as_matrix, require_same_shape

Array = NDArray[np.float64]
DEFAULT_LEAKY_SLOPE = 0.01


def sigmoid(z: ArrayLike) -> Array:
    """Logistic function ``1 / (1 + exp(-z))``, computed without overflow for any float ``z``.

    ``exp`` only ever sees ``-|z|``, so it stays in ``(0, 1]``: no warning even for ``|z| = 1e3``.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z: ArrayLike) -> Array:
    """Derivative of the sigmoid at the pre-activation: ``s(z) * (1 - s(z))``, at most 0.25."""
    s = sigmoid(z)
    return s * (1.0 - s)


def sigmoid_grad_from_activation(a: ArrayLike) -> Array:
    """Derivative of the sigmoid written with its output ``a = sigmoid(z)``: ``a * (1 - a)``.

    Pass the activation, not the pre-activation: ``sigmoid_grad_from_activation(z)`` is wrong.
    """
    a = np.asarray(a, dtype=np.float64)
    return a * (1.0 - a)


def tanh(z: ArrayLike) -> Array:
    """Hyperbolic tangent, with values in ``(-1, 1)``."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_grad(z: ArrayLike) -> Array:
    """Derivative of tanh at the pre-activation: ``1 - tanh(z)**2``, at most 1 (at ``z = 0``)."""
    t = np.tanh(np.asarray(z, dtype=np.float64))
    return 1.0 - t * t


def relu(z: ArrayLike) -> Array:
    """Rectified linear unit ``max(0, z)``."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_grad(z: ArrayLike) -> Array:
    """Derivative of ReLU: 1 where ``z > 0`` and 0 where ``z <= 0`` (we choose 0 at the kink)."""
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def leaky_relu(z: ArrayLike, slope: float = DEFAULT_LEAKY_SLOPE) -> Array:
    """Leaky ReLU: ``z`` where ``z > 0`` and ``slope * z`` elsewhere."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z: ArrayLike, slope: float = DEFAULT_LEAKY_SLOPE) -> Array:
    """Derivative of leaky ReLU: 1 where ``z > 0`` and ``slope`` where ``z <= 0``."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, slope)


def identity(z: ArrayLike) -> Array:
    """Identity (linear) activation, used for regression outputs and for logits."""
    return np.array(z, dtype=np.float64, copy=True)


def identity_grad(z: ArrayLike) -> Array:
    """Derivative of the identity: ones of the shape of ``z``."""
    return np.ones_like(np.asarray(z, dtype=np.float64))


def softmax(z: ArrayLike) -> Array:
    """Row-wise softmax of ``z`` with shape ``(m, k)``; each row of the result sums to 1.

    The row maximum is subtracted before ``exp`` (softmax does not change under a shift of a
    row), so the largest exponent is ``exp(0) = 1`` and nothing overflows.
    """
    z = as_matrix("z", z)
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def softmax_backward(dA: ArrayLike, z: ArrayLike) -> Array:
    """Send ``dL/dA`` back through softmax: returns ``dL/dZ``, shape ``(m, k)``.

    Softmax is not elementwise: each output depends on the whole row, so its derivative is a
    ``(k, k)`` Jacobian per row, ``diag(a) - a a^T``. Multiplying by it gives
    ``a * (dA - sum(dA * a))`` row by row, without building the Jacobian.
    """
    dA = as_matrix("dA", dA)
    a = softmax(z)
    require_same_shape("dA", dA, "z", a)
    return a * (dA - np.sum(dA * a, axis=1, keepdims=True))


def _elementwise_backward(grad: Callable[[ArrayLike], Array], dA: ArrayLike, z: ArrayLike) -> Array:
    dA = np.asarray(dA, dtype=np.float64)
    g = grad(z)
    require_same_shape("dA", dA, "z", g)
    return dA * g


@dataclass(frozen=True)
class Activation:
    """An activation function with what backpropagation needs from it.

    ``forward(z)`` gives ``A``; ``backward(dA, z)`` gives ``dL/dZ`` from ``dL/dA``.
    ``grad(z)`` is the elementwise derivative ``g'(z)``, or ``None`` for softmax, whose
    derivative is a Jacobian (use ``backward``).
    """

    name: str
    forward: Callable[[ArrayLike], Array]
    grad: Callable[[ArrayLike], Array] | None
    backward: Callable[[ArrayLike, ArrayLike], Array] = field(repr=False)

    @property
    def elementwise(self) -> bool:
        """True when ``g'(z)`` is elementwise, so ``dL/dZ = dL/dA * g'(Z)``."""
        return self.grad is not None


def _elementwise(name: str, forward: Callable, grad: Callable) -> Activation:
    return Activation(name, forward, grad, partial(_elementwise_backward, grad))


def make_leaky_relu(slope: float = DEFAULT_LEAKY_SLOPE) -> Activation:
    """Leaky ReLU as an :class:`Activation` with the given negative-side ``slope``."""
    return _elementwise(
        "leaky_relu",
        partial(leaky_relu, slope=slope),
        partial(leaky_relu_grad, slope=slope),
    )


ACTIVATIONS: dict[str, Activation] = {
    "identity": _elementwise("identity", identity, identity_grad),
    "sigmoid": _elementwise("sigmoid", sigmoid, sigmoid_grad),
    "tanh": _elementwise("tanh", tanh, tanh_grad),
    "relu": _elementwise("relu", relu, relu_grad),
    "leaky_relu": make_leaky_relu(),
    "softmax": Activation("softmax", softmax, None, softmax_backward),
}


def get_activation(activation: str | Activation) -> Activation:
    """Look up an activation by name (one of ``ACTIVATIONS``) or pass an ``Activation`` through."""
    if isinstance(activation, Activation):
        return activation
    try:
        return ACTIVATIONS[activation]
    except KeyError:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {activation!r}; choose one of: {known}") from None
