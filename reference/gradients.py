"""Step 3 of backpropagation: weight gradients, for one layer and for a whole network."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.activations import Activation
from reference.deltas import hidden_delta, output_delta
from reference.forward import LayerCache, network_forward
from reference.losses import Loss, get_loss
from reference.network import Network
from reference.validation import as_matrix

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Gradients:
    """``dL/dW`` and ``dL/db`` for every layer; ``dW[l]`` has the shape of ``weights[l]``."""

    dW: tuple[Array, ...]
    db: tuple[Array, ...]


def dense_gradients(A_prev: ArrayLike, delta: ArrayLike) -> tuple[Array, Array]:
    """Gradients of one dense layer from its input and its delta.

    ``A_prev``: ``(m, n_in)``; ``delta``: ``(m, n_out)``, already ``dL/dZ`` (the 1/m of the
    mean loss is inside it). Returns ``dW = A_prev.T @ delta`` of shape ``(n_in, n_out)`` and
    ``db = delta.sum(axis=0)`` of shape ``(n_out,)``: sums over the batch, no further 1/m.
    """
    A_prev = as_matrix("A_prev", A_prev)
    delta = as_matrix("delta", delta)
    if A_prev.shape[0] != delta.shape[0]:
        raise ValueError(
            f"A_prev and delta must have the same batch size m; "
            f"got A_prev {A_prev.shape} and delta {delta.shape}"
        )
    return A_prev.T @ delta, delta.sum(axis=0)


def network_deltas(
    network: Network, caches: list[LayerCache], Y: ArrayLike, loss: str | Loss
) -> list[Array]:
    """Every layer's delta, ``deltas[l] = dL/dZ`` of layer ``l + 1``, shape ``(m, n_{l+1})``.

    Starts from :func:`output_delta` and applies :func:`hidden_delta` from the last hidden
    layer down to the first.
    """
    if len(caches) != network.depth:
        raise ValueError(f"expected {network.depth} layer caches; got {len(caches)}")
    last = caches[-1]
    deltas = [output_delta(last.A, Y, last.Z, network.activations[-1], get_loss(loss))]
    for index in range(network.depth - 2, -1, -1):
        deltas.append(
            hidden_delta(
                deltas[-1], network.weights[index + 1], caches[index].Z,
                network.activations[index],
            )
        )
    deltas.reverse()
    return deltas


def network_gradients(
    network: Network, caches: list[LayerCache], Y: ArrayLike, loss: str | Loss
) -> Gradients:
    """Gradients of every weight and bias, from the caches of :func:`network_forward`."""
    deltas = network_deltas(network, caches, Y, loss)
    pairs = [dense_gradients(c.A_prev, d) for c, d in zip(caches, deltas, strict=True)]
    return Gradients(tuple(dW for dW, _ in pairs), tuple(db for _, db in pairs))


def backward_layers(
    delta_L: ArrayLike,
    weights: Sequence[ArrayLike],
    caches: Sequence[Sequence[ArrayLike]],
    hidden: Sequence[str | Activation],
) -> tuple[list[Array], list[Array]]:
    """The backward pass as ps2's ``network_backward(delta_L, weights, caches, hidden_grads)``
    states it: from the output delta, lists of layers, and each hidden layer's activation (a
    name or an :class:`Activation`, where the notebook passes its derivative function).

    ``delta_L``: ``(m, n_L)``; ``weights[l]``: ``(n_l, n_{l+1})``; ``caches[l]``: the tuple
    ``(A_prev, Z, A)`` of layer ``l + 1``; ``hidden``: ``L - 1`` activations. Returns
    ``(dWs, dbs)``, lists of ``L`` arrays in layer order, shaped like the weights and biases.
    """
    deltas = [as_matrix("delta_L", delta_L)]
    for index in range(len(weights) - 2, -1, -1):
        deltas.append(hidden_delta(deltas[-1], weights[index + 1], caches[index][1],
                                   hidden[index]))
    pairs = [dense_gradients(cache[0], delta)
             for cache, delta in zip(caches, deltas[::-1], strict=True)]
    return [dW for dW, _ in pairs], [db for _, db in pairs]


def backward(
    network: Network, X: ArrayLike, Y: ArrayLike, loss: str | Loss
) -> tuple[float, Gradients]:
    """Forward and backward pass on one batch: returns ``(loss value, gradients)``.

    ``X``: ``(m, n_0)``; ``Y``: ``(m, n_L)``.
    """
    loss = get_loss(loss)
    A, caches = network_forward(network, X)
    return loss.value(A, Y), network_gradients(network, caches, Y, loss)
