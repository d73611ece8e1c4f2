"""Step 1 of backpropagation: the forward pass, keeping what the backward pass needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.activations import Activation, get_activation
from reference.losses import Loss, get_loss
from reference.network import Network
from reference.validation import as_matrix, require_layer_fits

Array = NDArray[np.float64]


class LayerCache(NamedTuple):
    """What one layer's forward pass hands to its backward pass.

    ``A_prev``: the layer's input, ``(m, n_in)``; ``Z``: its pre-activation, ``(m, n_out)``;
    ``A``: its activation ``g(Z)``, ``(m, n_out)``.
    """

    A_prev: Array
    Z: Array
    A: Array


def dense_forward(
    X: ArrayLike, W: ArrayLike, b: ArrayLike, activation: str | Activation = "identity"
) -> tuple[Array, LayerCache]:
    """Forward pass of one dense layer: ``Z = X @ W + b``, ``A = g(Z)``.

    ``X``: ``(m, n_in)``, ``W``: ``(n_in, n_out)``, ``b``: ``(n_out,)``. Returns ``A`` of shape
    ``(m, n_out)`` and the :class:`LayerCache` ``(X, Z, A)``. ``b`` is added to every row.
    """
    X = as_matrix("X", X)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    require_layer_fits(X, W, b)
    Z = X @ W + b
    A = get_activation(activation).forward(Z)
    return A, LayerCache(X, Z, A)


def network_forward(network: Network, X: ArrayLike) -> tuple[Array, list[LayerCache]]:
    """Forward pass through every layer. ``X``: ``(m, n_0)``.

    Returns the output ``A_L`` of shape ``(m, n_L)`` and one :class:`LayerCache` per layer, in
    order (``caches[0]`` is layer 1), as the backward pass will need them.
    """
    A = as_matrix("X", X)
    if A.shape[1] != network.layer_sizes[0]:
        raise ValueError(
            f"X has {A.shape[1]} features per row (shape {A.shape}) but the network expects "
            f"{network.layer_sizes[0]} inputs"
        )
    return forward_layers(A, network.weights, network.biases, network.activations)


def forward_layers(
    X: ArrayLike,
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike],
    activations: Sequence[str | Activation],
) -> tuple[Array, list[LayerCache]]:
    """The forward pass as ps1's ``network_forward(X, weights, biases, activations)`` states it:
    lists of layers instead of a :class:`Network`, one activation (a name or an
    :class:`Activation`) per layer.

    ``X``: ``(m, n_0)``; ``weights[l]``: ``(n_l, n_{l+1})``; ``biases[l]``: ``(n_{l+1},)``.
    Returns ``A_L`` of shape ``(m, n_L)`` and one :class:`LayerCache` per layer, in order.
    """
    A, caches = X, []
    for W, b, activation in zip(weights, biases, activations, strict=True):
        A, cache = dense_forward(A, W, b, activation)
        caches.append(cache)
    return A, caches


def network_loss(network: Network, X: ArrayLike, Y: ArrayLike, loss: str | Loss) -> float:
    """The loss of ``network`` on the batch ``X`` ``(m, n_0)``, ``Y`` ``(m, n_L)``: forward only."""
    A, _ = network_forward(network, X)
    return get_loss(loss).value(A, Y)
