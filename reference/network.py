"""A multilayer perceptron: its parameters, its activations, and how they are initialized."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.activations import Activation, get_activation

Array = NDArray[np.float64]
INITIALIZERS = ("auto", "he", "xavier")


@dataclass(frozen=True)
class Network:
    """Parameters of a network with ``L`` dense layers, numbered 1..L in messages.

    ``weights[l]`` has shape ``(n_l, n_{l+1})`` and ``biases[l]`` shape ``(n_{l+1},)`` for the
    layer sizes ``n_0 (inputs), n_1, ..., n_L (outputs)``; ``activations[l]`` is that layer's
    activation. Python index ``l`` is layer ``l + 1`` of the math.
    """

    weights: tuple[Array, ...]
    biases: tuple[Array, ...]
    activations: tuple[Activation, ...]

    def __post_init__(self) -> None:
        if not (len(self.weights) == len(self.biases) == len(self.activations) >= 1):
            raise ValueError(
                "a network needs one weight matrix, one bias vector and one activation per layer; "
                f"got {len(self.weights)} weights, {len(self.biases)} biases and "
                f"{len(self.activations)} activations"
            )
        for index, (W, b) in enumerate(zip(self.weights, self.biases, strict=True), start=1):
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise ValueError(
                    f"layer {index}: W must be (n_in, n_out) and b (n_out,); "
                    f"got W {W.shape} and b {b.shape}"
                )
        for index in range(1, len(self.weights)):
            if self.weights[index - 1].shape[1] != self.weights[index].shape[0]:
                raise ValueError(
                    f"layer {index} outputs {self.weights[index - 1].shape[1]} values but "
                    f"layer {index + 1} expects {self.weights[index].shape[0]} inputs"
                )
        for index, activation in enumerate(self.activations[:-1], start=1):
            if not activation.elementwise:
                raise ValueError(
                    f"layer {index}: {activation.name} is only supported on the output layer"
                )

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """``(n_0, n_1, ..., n_L)``: inputs, then the width of every layer."""
        return (self.weights[0].shape[0], *(W.shape[1] for W in self.weights))

    @property
    def depth(self) -> int:
        """Number of dense layers ``L``."""
        return len(self.weights)

    @property
    def parameter_count(self) -> int:
        """Total number of weights and biases."""
        return sum(W.size + b.size for W, b in zip(self.weights, self.biases, strict=True))

    @classmethod
    def of(cls, weights: Sequence[ArrayLike], biases: Sequence[ArrayLike],
           hidden: str | Activation, output: str | Activation) -> Network:
        """The network ps3's ``train`` describes with lists: ``weights[l]`` ``(n_l, n_{l+1})``,
        ``biases[l]`` ``(n_{l+1},)``, one activation for every hidden layer and one for the
        output layer (names or :class:`Activation` objects)."""
        activations = [get_activation(hidden)] * (len(weights) - 1)
        return cls(tuple(np.asarray(W, dtype=np.float64) for W in weights),
                   tuple(np.asarray(b, dtype=np.float64) for b in biases),
                   (*activations, get_activation(output)))

    def with_parameters(self, weights: Sequence[Array], biases: Sequence[Array]) -> Network:
        """A network with the same activations and new parameters (shapes are checked)."""
        return Network(tuple(weights), tuple(biases), self.activations)


def _scale(init: str, n_in: int, n_out: int, activation: Activation) -> float:
    if init == "auto":
        init = "he" if activation.name in ("relu", "leaky_relu") else "xavier"
    if init == "he":
        return float(np.sqrt(2.0 / n_in))
    return float(np.sqrt(2.0 / (n_in + n_out)))


def init_network(
    layer_sizes: Sequence[int],
    activations: Sequence[str | Activation] | str | Activation,
    *,
    output_activation: str | Activation | None = None,
    init: str = "auto",
    seed: int | None = 0,
) -> Network:
    """Build a network with random weights and zero biases.

    ``layer_sizes`` is ``(n_0, n_1, ..., n_L)``. ``activations`` is either one per layer, or a
    single hidden activation used on every layer but the last, whose activation is then
    ``output_activation``. Weights are drawn from a normal distribution with standard deviation
    ``sqrt(2 / n_in)`` (He, suited to ReLU) or ``sqrt(2 / (n_in + n_out))`` (Xavier/Glorot,
    suited to sigmoid and tanh); ``init="auto"`` picks He for ReLU-like layers and Xavier for the
    rest. The same ``seed`` always gives the same network.
    """
    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes needs at least two positive sizes; got {tuple(layer_sizes)}")
    if init not in INITIALIZERS:
        raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INITIALIZERS)}")
    depth = len(sizes) - 1
    if isinstance(activations, (str, Activation)):
        if output_activation is None:
            raise ValueError("give output_activation when activations is a single hidden one")
        chosen = [get_activation(activations)] * (depth - 1) + [get_activation(output_activation)]
    else:
        chosen = [get_activation(a) for a in activations]
        if len(chosen) != depth:
            raise ValueError(
                f"{depth} layers need {depth} activations; got {len(chosen)}: "
                f"{[a.name for a in chosen]}"
            )
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out, activation in zip(sizes[:-1], sizes[1:], chosen, strict=True):
        weights.append(rng.normal(0.0, _scale(init, n_in, n_out, activation), size=(n_in, n_out)))
        biases.append(np.zeros(n_out))
    return Network(tuple(weights), tuple(biases), tuple(chosen))
