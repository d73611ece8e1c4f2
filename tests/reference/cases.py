"""Random test cases for the property-based gradient checks: shapes, networks and targets."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from reference import init_network, one_hot
from reference.network import Network

HIDDEN_ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu")

#: Every output activation with every loss it makes sense with. BCE needs outputs in (0, 1),
#: categorical cross-entropy needs rows that are probability distributions, and the
#: ``_logits`` losses take the raw pre-activation.
OUTPUT_PAIRS = (
    ("identity", "mse"),
    ("sigmoid", "mse"),
    ("tanh", "mse"),
    ("relu", "mse"),
    ("leaky_relu", "mse"),
    ("softmax", "mse"),
    ("sigmoid", "bce"),
    ("softmax", "cce"),
    ("identity", "bce_logits"),
    ("identity", "cce_logits"),
)

batch_sizes = st.integers(min_value=1, max_value=64)
widths = st.integers(min_value=1, max_value=32)
depths = st.integers(min_value=1, max_value=5)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def targets(loss: str, rng: np.random.Generator, m: int, k: int) -> np.ndarray:
    """Targets of shape ``(m, k)`` that fit ``loss``: one-hot rows, 0/1 labels, or reals."""
    if loss in ("cce", "cce_logits"):
        return one_hot(rng.integers(0, k, size=m), k)
    if loss in ("bce", "bce_logits"):
        return (rng.random((m, k)) < 0.5).astype(np.float64)
    return rng.normal(size=(m, k))


def random_network(
    rng: np.random.Generator, sizes: list[int], activations: list[str]
) -> Network:
    """A network with the given shape and random (not zero) biases.

    Zero biases would put a layer fed by a dead ReLU exactly on ReLU's kink at 0, where no
    derivative exists to check.
    """
    net = init_network(sizes, activations, seed=int(rng.integers(2**32)))
    return net.with_parameters(net.weights, [rng.normal(0, 0.5, size=b.shape) for b in net.biases])
