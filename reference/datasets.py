"""Small data sets that ship with the course: nothing is downloaded."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def xor() -> tuple[Array, Array]:
    """The four XOR examples: ``X`` of shape ``(4, 2)`` and ``Y`` of shape ``(4, 1)``."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, Y


def one_hot(labels: ArrayLike, num_classes: int) -> Array:
    """Integer labels of shape ``(m,)`` as one-hot rows, shape ``(m, num_classes)``."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must have shape (m,); got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1}; got {labels.min()}..{labels.max()}"
        )
    out = np.zeros((labels.size, num_classes))
    out[np.arange(labels.size), labels.astype(np.int64)] = 1.0
    return out


def digits(
    test_fraction: float = 0.25, seed: int = 0
) -> tuple[Array, Array, Array, Array]:
    """scikit-learn's bundled 8x8 handwritten digits, split into train and test sets.

    Pixels (0..16) are scaled to [0, 1]. Returns ``X_train (m_train, 64)``,
    ``Y_train (m_train, 10)`` one-hot, ``X_test (m_test, 64)``, ``Y_test (m_test, 10)``. The
    split is stratified by digit and fixed by ``seed``.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    X = data.data.astype(np.float64) / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, data.target, test_size=test_fraction, random_state=seed, stratify=data.target
    )
    return X_train, one_hot(y_train, 10), X_test, one_hot(y_test, 10)
