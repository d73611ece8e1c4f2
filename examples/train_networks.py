"""Train the course's two example networks with the reference package and report how they did.

XOR with a 2-2-1 sigmoid network, then scikit-learn's bundled 8x8 digits with a 64-64-10
network (ReLU, then softmax with cross-entropy). Run with ``make demo`` or
``python examples/train_networks.py``.
"""

from __future__ import annotations

import time

from reference import accuracy, init_network, train
from reference.datasets import digits, xor
from reference.updates import SGD


def train_xor() -> None:
    """Train XOR until every example is right, and print the epochs it took."""
    X, Y = xor()
    network = init_network([2, 2, 1], ["sigmoid", "sigmoid"], seed=0)
    trained, history = train(network, X, Y, "bce", epochs=5000, optimizer=SGD(lr=2.0),
                             stop_at_accuracy=1.0)
    print(f"XOR    2-2-1 sigmoid: accuracy {accuracy(trained, X, Y):.0%} after "
          f"{len(history.loss)} epochs, loss {history.loss[0]:.3f} -> {history.loss[-1]:.3f}")


def train_digits() -> None:
    """Train on the digits for 40 epochs and print train and test accuracy and the time taken."""
    X_train, Y_train, X_test, Y_test = digits()
    network = init_network([64, 64, 10], ["relu", "softmax"], seed=0)
    start = time.perf_counter()
    trained, history = train(network, X_train, Y_train, "cce", epochs=40, batch_size=32,
                             optimizer=SGD(lr=0.1))
    seconds = time.perf_counter() - start
    print(f"digits 64-64-10 relu/softmax: train accuracy {history.accuracy[-1]:.1%}, "
          f"test accuracy {accuracy(trained, X_test, Y_test):.1%}, trained in {seconds:.1f} s")


if __name__ == "__main__":
    train_xor()
    train_digits()
