"""Training works on real tasks: XOR and scikit-learn's bundled digits."""

import numpy as np

from reference import accuracy, init_network, iterate_minibatches, train
from reference.datasets import digits, xor
from reference.updates import SGD


def test_xor_reaches_full_accuracy_within_5000_epochs():
    X, Y = xor()
    network = init_network([2, 2, 1], ["sigmoid", "sigmoid"], seed=0)
    trained, history = train(network, X, Y, "bce", epochs=5000, optimizer=SGD(lr=2.0),
                             stop_at_accuracy=1.0)
    assert accuracy(trained, X, Y) == 1.0
    assert len(history.loss) <= 5000
    assert history.loss[-1] < history.loss[0]


def test_digits_one_hidden_layer_reaches_95_percent_test_accuracy():
    X_train, Y_train, X_test, Y_test = digits()
    network = init_network([64, 64, 10], ["relu", "softmax"], seed=0)
    trained, history = train(network, X_train, Y_train, "cce", epochs=40, batch_size=32,
                             optimizer=SGD(lr=0.1), validation=(X_test, Y_test))
    assert accuracy(trained, X_test, Y_test) >= 0.95
    assert history.val_accuracy[-1] == accuracy(trained, X_test, Y_test)
    assert len(history.loss) == 40


def test_training_is_deterministic_for_a_seed_and_leaves_the_network_alone():
    X, Y = xor()
    network = init_network([2, 3, 1], ["tanh", "sigmoid"], seed=3)
    before = [W.copy() for W in network.weights]
    first, _ = train(network, X, Y, "bce", epochs=20, batch_size=2, seed=7)
    second, _ = train(network, X, Y, "bce", epochs=20, batch_size=2, seed=7)
    for a, b in zip(first.weights, second.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    for W, original in zip(network.weights, before, strict=True):
        np.testing.assert_array_equal(W, original)


def test_minibatches_cover_every_example_once():
    X = np.arange(10.0).reshape(10, 1)
    batches = list(iterate_minibatches(X, X, 4, np.random.default_rng(0)))
    assert [len(b) for b, _ in batches] == [4, 4, 2]
    seen = np.concatenate([b for b, _ in batches]).ravel()
    np.testing.assert_array_equal(np.sort(seen), X.ravel())
