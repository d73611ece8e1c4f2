"""How long does the reference package take to learn the 8x8 digits, and how well?

Trains a 64-64-10 network (ReLU hidden layer, softmax output, categorical cross-entropy) with
plain SGD (learning rate 0.1, batches of 32, 40 epochs, seed 0) on
:func:`reference.datasets.digits`, the scikit-learn digits split 75/25. Every optimizer step is
one forward and one backward pass through :func:`reference.backward`, so the wall time is a
whole-pipeline figure for the course's NumPy code: it includes the per-epoch loss and accuracy
that :func:`reference.train` records on the training set, but not loading the data.

Targets: training under 10 s, test accuracy of at least 95%.

Run from the repository root: ``PYTHONPATH=. .venv/bin/python bench/train_digits.py``.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np
from numpy.typing import NDArray

import reference
from reference import Network

Array = NDArray[np.float64]
TARGET_SECONDS = 10.0
TARGET_ACCURACY = 0.95


def train_digits(
    X_train: Array, Y_train: Array, epochs: int = 40, seed: int = 0
) -> tuple[Network, float]:
    """Train a fresh network on ``X_train``, ``Y_train``; return it and the wall time in s."""
    network = reference.init_network((64, 64, 10), "relu", output_activation="softmax", seed=seed)
    start = time.perf_counter()
    network, _ = reference.train(
        network, X_train, Y_train, "cce",
        epochs=epochs, optimizer=reference.SGD(lr=0.1), batch_size=32, seed=seed,
    )
    return network, time.perf_counter() - start


def verdict(ok: bool) -> str:
    """``"met"`` or ``"NOT met"``."""
    return "met" if ok else "NOT met"


def main() -> None:
    """Train once and print the time and accuracies against their targets."""
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start\n")
    X_train, Y_train, X_test, Y_test = reference.digits()
    network, seconds = train_digits(X_train, Y_train)
    train_acc = reference.accuracy(network, X_train, Y_train)
    test_acc = reference.accuracy(network, X_test, Y_test)
    print(f"digits: {len(X_train)} train / {len(X_test)} test, 64-64-10 relu/softmax, cce, "
          "SGD lr 0.1, batch 32, 40 epochs, seed 0")
    print(f"  wall time       {seconds:6.2f} s   (target < {TARGET_SECONDS:.0f} s: "
          f"{verdict(seconds < TARGET_SECONDS)})")
    print(f"  train accuracy  {train_acc:6.2%}")
    print(f"  test accuracy   {test_acc:6.2%}   (target >= {TARGET_ACCURACY:.0%}: "
          f"{verdict(test_acc >= TARGET_ACCURACY)})")


if __name__ == "__main__":
    main()
