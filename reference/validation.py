"""Input checks shared by the reference functions.

Each check raises ``ValueError`` with a message that names the argument, the shape that was
expected and the shape that was found, so that a student reading it knows what to change.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def as_matrix(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """Return ``value`` as a 2-D float64 array of shape ``(rows, cols)``; never a view to write to.

    A 2-D input comes back as a float64 array (a copy if the dtype changes). Anything else raises
    ``ValueError``: batches are rows, so even one example is a ``(1, n)`` matrix.
    """
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (m, n) with one example per row; "
            f"got shape {array.shape}"
        )
    return array


def require_same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape; "
            f"got {name_a} {a.shape} and {name_b} {b.shape}"
        )


def require_layer_fits(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> None:
    """Raise ``ValueError`` unless ``X (m, n_in) @ W (n_in, n_out) + b (n_out,)`` is defined."""
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D array of shape (n_in, n_out); got shape {W.shape}")
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X has {X.shape[1]} features per row (shape {X.shape}) but W expects "
            f"{W.shape[0]} inputs (shape {W.shape}); W must have shape (n_in, n_out)"
        )
    if b.shape != (W.shape[1],):
        raise ValueError(
            f"b must have shape (n_out,) = ({W.shape[1]},) to match W {W.shape}; got {b.shape}"
        )
