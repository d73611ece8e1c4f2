"""Layers worked by hand (ps2, part B): the linear row of the layer-gradient table, and one
training step of a two-layer sigmoid network with every intermediate kept.

The network of ``tests/reference/test_xor_by_hand.py``, written out step by step as a student
does it by hand: sigmoid hidden and output layers, binary cross-entropy (a mean over the ``m``
rows), one step of gradient descent. The same formulas as :mod:`reference.deltas` and
:mod:`reference.gradients`, inlined so that each intermediate has a name.
"""

from __future__ import annotations

import numpy as np

from reference.activations import sigmoid
from reference.losses import binary_cross_entropy

#: The keys of :func:`two_layer_step`'s result, in the order they are computed.
STEP_KEYS = ("Z1", "A1", "Z2", "A2", "loss", "delta2", "delta1", "dW2", "db2", "dW1", "db1",
             "W1", "b1", "W2", "b2")


def two_layer_step(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, b1: np.ndarray,
                   W2: np.ndarray, b2: np.ndarray, lr: float) -> dict[str, np.ndarray | float]:
    """Forward, backward and one gradient-descent step of a sigmoid-sigmoid network with BCE.

    X: (m, n0); Y: (m, n2) of 0s and 1s; W1: (n0, n1); b1: (n1,); W2: (n1, n2); b2: (n2,);
    lr: the learning rate. Returns a dict with the keys :data:`STEP_KEYS`: Z1, A1 (m, n1);
    Z2, A2, delta2 (m, n2); loss (a float); delta1 (m, n1); dW2, db2, dW1, db1 shaped like the
    parameters; and the updated parameters under their own names (W1 is ``W1 - lr * dW1``...).
    The inputs are left unchanged.
    """
    m = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sigmoid(Z2)
    delta2 = (A2 - Y) / m                        # sigmoid + BCE: dL/dZ2
    delta1 = (delta2 @ W2.T) * A1 * (1 - A1)     # the old W2: update after backprop
    dW2, db2 = A1.T @ delta2, delta2.sum(axis=0)
    dW1, db1 = X.T @ delta1, delta1.sum(axis=0)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "loss": binary_cross_entropy(A2, Y),
            "delta2": delta2, "delta1": delta1, "dW2": dW2, "db2": db2, "dW1": dW1,
            "db1": db1, "W1": W1 - lr * dW1, "b1": b1 - lr * db1, "W2": W2 - lr * dW2,
            "b2": b2 - lr * db2}


def linear_backward(delta: np.ndarray, A_prev: np.ndarray, W: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The linear row of the layer-gradient table: backward of ``Z = A_prev @ W + b``.

    delta: ``dL/dZ``, (m, n_out); A_prev: (m, n_in); W: (n_in, n_out). Returns
    ``(dA_prev, dW, db)``: ``delta @ W.T`` (m, n_in), ``A_prev.T @ delta`` (n_in, n_out) and
    ``delta.sum(axis=0)`` (n_out,), the index sums ``sum_k delta_ik W_jk``,
    ``sum_i A_prev_ik delta_ij`` and ``sum_i delta_ij``.
    """
    return delta @ W.T, A_prev.T @ delta, delta.sum(axis=0)
