"""How much does a gradient cost? Backpropagation against finite differences.

Reverse-mode differentiation (backpropagation) obeys the *cheap-gradient principle*: the
gradient of a scalar loss with respect to every parameter costs a small constant multiple of
one evaluation of the loss, however many parameters there are. A dense layer's forward pass is
one matrix product, ``A_prev @ W``; its backward pass is at most two of the same size,
``delta @ W.T`` for the layer below and ``A_prev.T @ delta`` for ``dW`` (the first layer needs
only the second: nobody asks for the gradient of the inputs). So backward should cost between
one and two forward passes, plus elementwise work; we take 3x as the target.

A centered finite difference needs two evaluations of the loss *per parameter*, so its cost
grows linearly with the parameter count while backpropagation's stays at a few forward passes.

Part 1 times the forward pass and the backward part alone on a 784-256-256-10 MLP.
Part 2 times a full finite-difference gradient against one forward+backward pass on small
networks of growing width. Timings are the minimum over repeats (after a warm-up, except for
the long finite-difference runs): the minimum is the run least disturbed by the rest of the
machine.

Run from the repository root: ``PYTHONPATH=. .venv/bin/python bench/cheap_gradient.py``.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

import reference
from reference import Network

Array = NDArray[np.float64]
T = TypeVar("T")
LOSS = "cce"
TARGET_RATIO = 3.0


def best_time(fn: Callable[[], T], repeats: int = 20, warmup: int = 2) -> tuple[float, T]:
    """Seconds taken by the fastest of ``repeats`` calls of ``fn`` after ``warmup`` untimed
    calls, and what the last call returned."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def make_problem(sizes: Sequence[int], batch: int, seed: int = 0) -> tuple[Network, Array, Array]:
    """A ReLU/softmax network of layer widths ``sizes`` and a seeded random batch for it.

    Returns the network, inputs ``X`` of shape ``(batch, sizes[0])`` drawn from a standard
    normal, and one-hot targets ``Y`` of shape ``(batch, sizes[-1])`` with random classes.
    """
    rng = np.random.default_rng(seed)
    network = reference.init_network(sizes, "relu", output_activation="softmax", seed=seed)
    X = rng.standard_normal((batch, sizes[0]))
    Y = reference.one_hot(rng.integers(0, sizes[-1], size=batch), sizes[-1])
    return network, X, Y


def forward_vs_backward(sizes: Sequence[int] = (784, 256, 256, 10), batch: int = 256) -> None:
    """Print the forward time, the backward time (from cached activations) and their ratio.

    Backward is :func:`reference.network_gradients` alone, given the caches of a forward pass
    made once beforehand, so the two figures do not overlap.
    """
    network, X, Y = make_problem(sizes, batch)
    _, caches = reference.network_forward(network, X)
    forward, _ = best_time(lambda: reference.network_forward(network, X))
    backward, _ = best_time(lambda: reference.network_gradients(network, caches, Y, LOSS))
    ratio = backward / forward
    print(f"Part 1: forward vs backward, layers {'-'.join(map(str, sizes))}, batch {batch}, "
          f"{network.parameter_count:,} parameters (best of 20)")
    print(f"  forward   {forward * 1e3:8.3f} ms")
    print(f"  backward  {backward * 1e3:8.3f} ms")
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"  backward / forward = {ratio:.2f}  (target <= {TARGET_RATIO:.0f}x: {verdict})")


def finite_difference_gradients(
    network: Network, X: Array, Y: Array
) -> tuple[list[Array], list[Array]]:
    """The gradient of every weight and bias by centered differences (order 2).

    Each parameter costs exactly two loss evaluations, i.e. two forward passes.
    (:func:`reference.check_network_gradients` would also run a kink test per evaluation,
    doubling that, so we call :func:`reference.numerical_gradient` directly.)
    """
    weights, biases = list(network.weights), list(network.biases)

    def loss_with(kind: str, layer: int) -> Callable[[Array], float]:
        def loss(value: Array) -> float:
            params = {"W": list(weights), "b": list(biases)}
            params[kind][layer] = value
            probe = network.with_parameters(params["W"], params["b"])
            return reference.network_loss(probe, X, Y, LOSS)
        return loss

    dW = [reference.numerical_gradient(loss_with("W", i), W) for i, W in enumerate(weights)]
    db = [reference.numerical_gradient(loss_with("b", i), b) for i, b in enumerate(biases)]
    return dW, db


def finite_differences_vs_backprop(widths: Sequence[int] = (16, 32, 64, 128)) -> None:
    """Print, for 8-h-h-4 networks on a batch of 32, the cost of both ways to get a gradient."""
    print("\nPart 2: full finite-difference gradient (2 forwards per parameter, best of 2)\n"
          "        vs one backprop (forward + backward, best of 200), batch 32")
    print(f"  {'layers':>12} {'params':>7} {'backprop ms':>12} {'finite-diff ms':>15} "
          f"{'ratio':>8} {'ratio/param':>12} {'rel. error':>11}")
    for width in widths:
        sizes = (8, width, width, 4)
        network, X, Y = make_problem(sizes, batch=32)
        backprop, (_, grads) = best_time(
            lambda n=network, X=X, Y=Y: reference.backward(n, X, Y, LOSS), repeats=200
        )
        finite, (dW, db) = best_time(
            lambda n=network, X=X, Y=Y: finite_difference_gradients(n, X, Y), repeats=2, warmup=0
        )
        error = reference.relative_error(
            np.concatenate([g.ravel() for g in (*grads.dW, *grads.db)]),
            np.concatenate([g.ravel() for g in (*dW, *db)]),
        )
        count = network.parameter_count
        ratio = finite / backprop
        print(f"  {'-'.join(map(str, sizes)):>12} {count:>7,} {backprop * 1e3:>12.3f} "
              f"{finite * 1e3:>15.1f} {ratio:>8,.0f} {ratio / count:>12.2f} {error:>11.1e}")
    print("  ratio = finite-diff / backprop; ratio/param is about 2 x (one forward) / (one "
          "backprop),\n  so if it stays flat the finite-difference cost grows linearly with the "
          "parameter count.\n  rel. error = |backprop - finite diff| / (|backprop| + "
          "|finite diff|) over all parameters.")


def main() -> None:
    """Run both parts and print the machine they ran on."""
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start\n")
    forward_vs_backward()
    finite_differences_vs_backprop()


if __name__ == "__main__":
    main()
