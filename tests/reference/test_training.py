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


def _by_hand(network, X, Y, loss, epochs, batch_size, seed, update):
    """The training loop written out around ``update(index, param, grad, t)``: one rng for the
    whole run, one step number t per minibatch."""
    from reference.gradients import backward

    rng, t = np.random.default_rng(seed), 0
    for _ in range(epochs):
        for X_b, Y_b in iterate_minibatches(X, Y, batch_size, rng):
            _, grads = backward(network, X_b, Y_b, loss)
            t += 1
            params = [update(i, p, g, t) for i, (p, g) in enumerate(
                zip([*network.weights, *network.biases], [*grads.dW, *grads.db], strict=True))]
            network = network.with_parameters(params[:network.depth], params[network.depth:])
    return network


def test_train_keeps_the_optimizers_state_for_the_whole_run():
    """Momentum's velocities and Adam's moments and step count carry on from one minibatch and
    one epoch to the next: train follows the loop written out with the step functions."""
    from reference.updates import Adam, Momentum, adam_step, momentum_step

    X, Y = xor()
    network = init_network([2, 3, 1], ["tanh", "sigmoid"], seed=1)
    velocity, moments = {}, {}

    def momentum(i, p, g, t):
        p, velocity[i] = momentum_step(p, g, velocity.get(i, np.zeros_like(p)), 0.1, 0.9)
        return p

    def adam(i, p, g, t):
        m, v = moments.get(i, (np.zeros_like(p), np.zeros_like(p)))
        p, *moments[i] = adam_step(p, g, m, v, t, lr=0.01)
        return p

    for optimizer, update in ((Momentum(lr=0.1, beta=0.9), momentum), (Adam(lr=0.01), adam)):
        trained, _ = train(network, X, Y, "bce", epochs=4, batch_size=2, seed=5,
                           optimizer=optimizer)
        expected = _by_hand(network, X, Y, "bce", 4, 2, 5, update)
        for got, want in zip([*trained.weights, *trained.biases],
                             [*expected.weights, *expected.biases], strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_train_without_an_optimizer_takes_plain_gradient_descent_steps():
    X, Y = xor()
    network = init_network([2, 3, 1], ["tanh", "sigmoid"], seed=2)
    default, _ = train(network, X, Y, "bce", epochs=5, batch_size=2, seed=1)
    sgd, _ = train(network, X, Y, "bce", epochs=5, batch_size=2, seed=1, optimizer=SGD(lr=0.1))
    for a, b in zip(default.weights, sgd.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_race_on_the_digits_ends_as_ps3_says():
    """ps3's race (64-64-10 ReLU network, 10 epochs, batches of 32, the same start and batches):
    momentum at SGD's lr falls far below SGD, momentum at a tenth of it stays near SGD, and Adam
    at lr 0.01 ends lowest (its reading's answer and its explanation depend on it)."""
    from reference.updates import Adam, Momentum

    X_train, Y_train, _, _ = digits()
    network = init_network([64, 64, 10], ["relu", "softmax"], seed=0)
    final = {}
    for run, optimizer in {"A": SGD(lr=0.05), "B": Momentum(lr=0.05), "C": Momentum(lr=0.005),
                           "D": Adam(lr=0.01)}.items():
        _, history = train(network, X_train, Y_train, "cce", epochs=10, batch_size=32, seed=0,
                           optimizer=optimizer)
        final[run] = history.loss[-1]
    assert final["D"] < final["B"] < 0.5 * final["A"]
    assert 0.5 < final["C"] / final["A"] < 2.0
