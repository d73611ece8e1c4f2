"""Training loop: minibatches, an optimizer, a loss history, and accuracy."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.forward import network_forward
from reference.gradients import backward
from reference.losses import Loss, get_loss
from reference.network import Network
from reference.updates import SGD, Adam, Momentum, clip_by_global_norm
from reference.validation import as_matrix

Array = NDArray[np.float64]
Optimizer = SGD | Momentum | Adam


@dataclass
class History:
    """What happened during training, one entry per epoch.

    ``loss``: training loss on the whole training set after the epoch; ``accuracy``: training
    accuracy; ``val_loss`` and ``val_accuracy``: the same on the validation set, if one was given.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)


def iterate_minibatches(
    X: ArrayLike, Y: ArrayLike, batch_size: int, rng: np.random.Generator | None = None
) -> Iterator[tuple[Array, Array]]:
    """Yield ``(X_batch, Y_batch)`` pairs that cover every example once.

    Rows are shuffled with ``rng`` (in order if ``rng`` is None). The last batch may be smaller.
    ``X``: ``(m, n)``; ``Y``: ``(m, k)``.
    """
    X, Y = as_matrix("X", X), as_matrix("Y", Y)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y need one row per example; got X {X.shape} and Y {Y.shape}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1; got {batch_size}")
    order = np.arange(X.shape[0]) if rng is None else rng.permutation(X.shape[0])
    for start in range(0, X.shape[0], batch_size):
        rows = order[start:start + batch_size]
        yield X[rows], Y[rows]


def predict(network: Network, X: ArrayLike) -> NDArray[np.int64]:
    """Predicted class of each row of ``X``, shape ``(m,)``.

    With several outputs, the class is the largest output. With one output, it is 1 when the
    output is above 0.5 for a sigmoid layer, above 0 otherwise (tanh or logits), else 0.
    """
    A, _ = network_forward(network, X)
    if A.shape[1] > 1:
        return A.argmax(axis=1)
    threshold = 0.5 if network.activations[-1].name == "sigmoid" else 0.0
    return (A[:, 0] > threshold).astype(np.int64)


def _labels(Y: ArrayLike) -> NDArray[np.int64]:
    Y = np.asarray(Y)
    if Y.ndim == 2 and Y.shape[1] > 1:
        return Y.argmax(axis=1)
    return Y.reshape(-1).round().astype(np.int64)


def accuracy(network: Network, X: ArrayLike, Y: ArrayLike) -> float:
    """Share of rows of ``X`` whose predicted class is right.

    ``Y`` is one-hot ``(m, k)``, binary ``(m, 1)``, or integer labels ``(m,)``.
    """
    return float(np.mean(predict(network, X) == _labels(Y)))


def train(
    network: Network,
    X: ArrayLike,
    Y: ArrayLike,
    loss: str | Loss,
    *,
    epochs: int,
    optimizer: Optimizer | None = None,
    batch_size: int | None = None,
    clip_norm: float | None = None,
    seed: int | None = 0,
    validation: tuple[ArrayLike, ArrayLike] | None = None,
    stop_at_accuracy: float | None = None,
) -> tuple[Network, History]:
    """Train ``network`` with minibatch gradient descent; returns the trained network and history.

    ``X``: ``(m, n_0)``; ``Y``: ``(m, n_L)``. Each epoch shuffles the rows (seeded) and takes one
    optimizer step per batch of ``batch_size`` rows (the whole set when None): ``optimizer``
    (plain SGD with ``lr=0.1`` when None) keeps its state, velocities or moments and step count,
    through every batch and epoch of the run, so a new one is needed for each run. ``clip_norm``
    rescales each batch's gradients to that global norm at most. Training stops early once the
    training accuracy reaches ``stop_at_accuracy``. The network passed in is not modified.
    """
    X, Y = as_matrix("X", X), as_matrix("Y", Y)
    loss = get_loss(loss)
    optimizer = optimizer if optimizer is not None else SGD(lr=0.1)
    rng = np.random.default_rng(seed)
    size = batch_size or X.shape[0]
    history = History()
    for _ in range(epochs):
        for X_batch, Y_batch in iterate_minibatches(X, Y, size, rng):
            _, grads = backward(network, X_batch, Y_batch, loss)
            grad_list = [*grads.dW, *grads.db]
            if clip_norm is not None:
                grad_list, _ = clip_by_global_norm(grad_list, clip_norm)
            params = optimizer.step([*network.weights, *network.biases], grad_list)
            network = network.with_parameters(params[:network.depth], params[network.depth:])
        _record(history, network, X, Y, loss, validation)
        if stop_at_accuracy is not None and history.accuracy[-1] >= stop_at_accuracy:
            break
    return network, history


def _record(
    history: History,
    network: Network,
    X: Array,
    Y: Array,
    loss: Loss,
    validation: tuple[ArrayLike, ArrayLike] | None,
) -> None:
    A, _ = network_forward(network, X)
    history.loss.append(loss.value(A, Y))
    history.accuracy.append(accuracy(network, X, Y))
    if validation is not None:
        X_val, Y_val = validation
        A_val, _ = network_forward(network, X_val)
        history.val_loss.append(loss.value(A_val, Y_val))
        history.val_accuracy.append(accuracy(network, X_val, Y_val))
