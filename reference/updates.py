"""Step 4 of backpropagation: parameter updates and gradient clipping.

The step functions are pure: they return new arrays and leave their inputs alone. The optimizer
classes keep their own state (velocities, moment estimates) and update that state in place, as
their docstrings say; they never touch the parameter or gradient arrays they are given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.validation import require_same_shape

Array = NDArray[np.float64]


def _same(name_a: str, a: ArrayLike, name_b: str, b: ArrayLike) -> tuple[Array, Array]:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    require_same_shape(name_a, a, name_b, b)
    return a, b


def sgd_step(param: ArrayLike, grad: ArrayLike, lr: float) -> Array:
    """Plain gradient descent: ``param - lr * grad``. Any shape; returns a new array."""
    param, grad = _same("param", param, "grad", grad)
    return param - lr * grad


def momentum_step(
    param: ArrayLike, grad: ArrayLike, velocity: ArrayLike, lr: float, beta: float = 0.9
) -> tuple[Array, Array]:
    """Gradient descent with momentum: ``v = beta * v + grad``, then ``param - lr * v``.

    The velocity is a running sum of past gradients that decays by ``beta`` each step, so
    directions that agree step after step build up speed and oscillations cancel.
    Returns ``(new_param, new_velocity)``, both the shape of ``param``.
    """
    param, grad = _same("param", param, "grad", grad)
    _, velocity = _same("param", param, "velocity", velocity)
    new_velocity = beta * velocity + grad
    return param - lr * new_velocity, new_velocity


def adam_step(
    param: ArrayLike,
    grad: ArrayLike,
    m: ArrayLike,
    v: ArrayLike,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[Array, Array, Array]:
    """One Adam step (Kingma and Ba, 2015) for step number ``t`` (1 for the first step).

    ``m = beta1 m + (1 - beta1) g`` and ``v = beta2 v + (1 - beta2) g**2`` are running means of
    the gradient and of its square. Both start at zero, so early on they are biased toward zero;
    dividing by ``1 - beta**t`` corrects that. The step is ``lr * m_hat / (sqrt(v_hat) + eps)``.
    Returns ``(new_param, new_m, new_v)``, each the shape of ``param``.
    """
    if t < 1:
        raise ValueError(f"Adam's step number t starts at 1; got t = {t}")
    param, grad = _same("param", param, "grad", grad)
    _, m = _same("param", param, "m", m)
    _, v = _same("param", param, "v", v)
    new_m = beta1 * m + (1.0 - beta1) * grad
    new_v = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = new_m / (1.0 - beta1**t)
    v_hat = new_v / (1.0 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v


def clip_by_value(grads: Sequence[ArrayLike], limit: float) -> list[Array]:
    """Clip every gradient entry into ``[-limit, limit]``. Changes the gradient's direction."""
    if limit <= 0:
        raise ValueError(f"limit must be positive; got {limit}")
    return [np.clip(np.asarray(g, dtype=np.float64), -limit, limit) for g in grads]


def global_norm(grads: Sequence[ArrayLike]) -> float:
    """Euclidean norm of all gradients taken together as one long vector."""
    return float(np.sqrt(sum(np.sum(np.square(np.asarray(g, dtype=np.float64))) for g in grads)))


def clip_by_global_norm(grads: Sequence[ArrayLike], max_norm: float) -> tuple[list[Array], float]:
    """Rescale all gradients together so their global norm is at most ``max_norm``.

    Keeps the direction of the full gradient and only shortens it. Returns the (possibly)
    rescaled gradients and the global norm measured before clipping.
    """
    if max_norm <= 0:
        raise ValueError(f"max_norm must be positive; got {max_norm}")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [np.asarray(g, dtype=np.float64) * scale for g in grads], norm


class SGD:
    """Plain gradient descent over a list of parameters (no state)."""

    def __init__(self, lr: float = 0.1) -> None:
        self.lr = lr

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> list[Array]:
        """Return the updated parameters; ``params`` and ``grads`` are left unchanged."""
        return [sgd_step(p, g, self.lr) for p, g in zip(params, grads, strict=True)]


class Momentum:
    """Momentum over a list of parameters; ``step`` updates the stored velocities in place."""

    def __init__(self, lr: float = 0.1, beta: float = 0.9) -> None:
        self.lr, self.beta = lr, beta
        self.velocities: list[Array] | None = None

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> list[Array]:
        """Return the updated parameters; ``params`` and ``grads`` are left unchanged."""
        if self.velocities is None:
            self.velocities = [np.zeros_like(p, dtype=np.float64) for p in params]
        new_params = []
        for index, (p, g) in enumerate(zip(params, grads, strict=True)):
            p, self.velocities[index] = momentum_step(
                p, g, self.velocities[index], self.lr, self.beta
            )
            new_params.append(p)
        return new_params


class Adam:
    """Adam over a list of parameters; ``step`` updates the stored moments and step count."""

    def __init__(
        self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m: list[Array] | None = None
        self.v: list[Array] | None = None

    def step(self, params: Sequence[Array], grads: Sequence[Array]) -> list[Array]:
        """Return the updated parameters; ``params`` and ``grads`` are left unchanged."""
        if self.m is None or self.v is None:
            self.m = [np.zeros_like(p, dtype=np.float64) for p in params]
            self.v = [np.zeros_like(p, dtype=np.float64) for p in params]
        self.t += 1
        new_params = []
        for index, (p, g) in enumerate(zip(params, grads, strict=True)):
            p, self.m[index], self.v[index] = adam_step(
                p, g, self.m[index], self.v[index], self.t,
                self.lr, self.beta1, self.beta2, self.eps,
            )
            new_params.append(p)
        return new_params
