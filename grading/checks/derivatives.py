"""Hidden graders of the activation derivatives of ``ps2_backward/backward.ipynb``.

``sigmoid_grad``, ``tanh_grad``, ``relu_grad`` and ``leaky_relu_grad`` take the pre-activation
``z`` (any shape) and return the derivative at each entry, of ``z``'s shape. Each is tried on
:func:`grading.cases.elementwise_cases` (several shapes, ``|z|`` up to 1e3 with the kink z = 0,
a float32 array) against the reference package. A wrong answer is named by the runner, from the
catalogued mistakes of :mod:`grading.mistakes.derivatives` (``z * (1 - z)`` for the sigmoid's
derivative, 1 at the kink...); the checks add only what no catalogued value names (NaN where the
answer is finite).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reference
from grading.cases import check_elementwise
from grading.registry import register


@register("backward.sigmoid_grad")
def check_sigmoid_grad(sigmoid_grad: Callable[..., Any]) -> None:
    """s(z) * (1 - s(z)) for every shape; 0 (not nan) at |z| = 1e3."""
    check_elementwise("sigmoid_grad", sigmoid_grad, reference.sigmoid_grad,
                      nan_hint="use the (stable) given sigmoid: s = sigmoid(z), then s * (1 - s)")


@register("backward.tanh_grad")
def check_tanh_grad(tanh_grad: Callable[..., Any]) -> None:
    """1 - tanh(z)**2 for every shape; 0 at |z| = 1e3."""
    check_elementwise("tanh_grad", tanh_grad, reference.tanh_grad,
                      nan_hint="use the given tanh (stable): 1 - tanh(z)**2")


@register("backward.relu_grad")
def check_relu_grad(relu_grad: Callable[..., Any]) -> None:
    """1 where z > 0 and 0 where z <= 0 (0 at the kink z = 0)."""
    check_elementwise("relu_grad", relu_grad, reference.relu_grad)


@register("backward.leaky_relu_grad")
def check_leaky_relu_grad(leaky_relu_grad: Callable[..., Any]) -> None:
    """1 where z > 0 and slope where z <= 0, with the default slope and slope=0.2."""
    check_elementwise("leaky_relu_grad", leaky_relu_grad, reference.leaky_relu_grad)
    check_elementwise("leaky_relu_grad", leaky_relu_grad, reference.leaky_relu_grad, slope=0.2)
