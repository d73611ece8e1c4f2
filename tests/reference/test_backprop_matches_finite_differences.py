"""Every backward function agrees with centered finite differences on random cases.

Relative error ``|a - n| / max(1e-8, |a| + |n|)`` (Euclidean norms), float64, below 1e-7.
Numerical gradients use the fourth-order centered stencil with ``eps = 1e-3``; the plain
second-order one cannot resolve the tiny gradients deep sigmoid networks produce (its rounding
error is larger than they are), which is itself the vanishing-gradient story.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import (
    ACTIVATIONS,
    check_network_gradients,
    dense_gradients,
    get_activation,
    get_loss,
    hidden_delta,
    numerical_gradient,
    output_delta,
    relative_error,
    softmax_backward,
)
from reference.gradcheck import GRADCHECK_THRESHOLD

from .cases import (
    HIDDEN_ACTIVATIONS,
    OUTPUT_PAIRS,
    batch_sizes,
    depths,
    random_network,
    seeds,
    targets,
    widths,
)

EPS, ORDER = 1e-3, 4
PROPERTY = settings(max_examples=25, deadline=None, derandomize=True)


def numeric(f, x):
    return numerical_gradient(f, x, eps=EPS, order=ORDER)


def away_from_kink(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Normal samples with |z| >= 0.01, so a 2e-3 nudge never crosses ReLU's kink."""
    z = rng.normal(size=shape)
    return np.where(np.abs(z) < 0.01, 0.5 * np.sign(z) + 0.01, z)


@pytest.mark.parametrize(("output", "loss"), OUTPUT_PAIRS)
@PROPERTY
@given(
    hidden=st.sampled_from(HIDDEN_ACTIVATIONS),
    depth=depths,
    m=batch_sizes,
    layer_widths=st.lists(widths, min_size=6, max_size=6),
    seed=seeds,
)
def test_network_gradients_match_finite_differences(output, loss, hidden, depth, m,
                                                     layer_widths, seed):
    rng = np.random.default_rng(seed)
    sizes = layer_widths[: depth + 1]
    if output == "softmax" or loss == "cce_logits":
        sizes[-1] = max(sizes[-1], 2)
    network = random_network(rng, sizes, [hidden] * (depth - 1) + [output])
    X = rng.normal(size=(m, sizes[0]))
    Y = targets(loss, rng, m, sizes[-1])
    errors = check_network_gradients(network, X, Y, loss, eps=EPS, order=ORDER)
    assert set(errors) == {f"{k}{i}" for i in range(1, depth + 1) for k in "Wb"}
    worst = max(errors, key=errors.get)
    assert errors[worst] < GRADCHECK_THRESHOLD, f"{worst}: relative error {errors[worst]:.2e}"


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@PROPERTY
@given(m=batch_sizes, n=widths, seed=seeds)
def test_activation_backward_matches_finite_differences(name, m, n, seed):
    rng = np.random.default_rng(seed)
    activation = get_activation(name)
    n = max(n, 2) if name == "softmax" else n
    Z = away_from_kink(rng, (m, n))
    dA = rng.normal(size=(m, n))
    expected = numeric(lambda z: float(np.sum(dA * activation.forward(z))), Z)
    assert relative_error(activation.backward(dA, Z), expected) < GRADCHECK_THRESHOLD
    if activation.elementwise:
        assert relative_error(dA * activation.grad(Z), expected) < GRADCHECK_THRESHOLD


@PROPERTY
@given(m=batch_sizes, n=widths, seed=seeds)
def test_softmax_backward_matches_finite_differences_for_large_logits(m, n, seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(scale=5.0, size=(m, max(n, 2))) + rng.normal(scale=300.0, size=(m, 1))
    dA = rng.normal(size=Z.shape)
    expected = numeric(lambda z: float(np.sum(dA * get_activation("softmax").forward(z))), Z)
    assert relative_error(softmax_backward(dA, Z), expected) < GRADCHECK_THRESHOLD


@pytest.mark.parametrize(("output", "loss"), OUTPUT_PAIRS)
@PROPERTY
@given(m=batch_sizes, k=widths, seed=seeds)
def test_output_delta_matches_finite_differences(output, loss, m, k, seed):
    rng = np.random.default_rng(seed)
    k = max(k, 2) if output == "softmax" or loss == "cce_logits" else k
    activation, loss_fn = get_activation(output), get_loss(loss)
    Z = away_from_kink(rng, (m, k))
    Y = targets(loss, rng, m, k)
    delta = output_delta(activation.forward(Z), Y, Z, activation, loss_fn)
    expected = numeric(lambda z: loss_fn.value(activation.forward(z), Y), Z)
    assert relative_error(delta, expected) < GRADCHECK_THRESHOLD


@pytest.mark.parametrize("loss", ["mse", "bce", "cce", "bce_logits", "cce_logits"])
@PROPERTY
@given(m=batch_sizes, k=widths, seed=seeds)
def test_loss_gradient_matches_finite_differences(loss, m, k, seed):
    rng = np.random.default_rng(seed)
    loss_fn = get_loss(loss)
    Y = targets(loss, rng, m, k)
    if loss in ("bce", "cce"):
        A = rng.uniform(0.05, 0.95, size=(m, k))
    else:
        A = rng.normal(size=(m, k))
    expected = numeric(lambda a: loss_fn.value(a, Y), A)
    assert relative_error(loss_fn.grad(A, Y), expected) < GRADCHECK_THRESHOLD


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
@PROPERTY
@given(m=batch_sizes, n=widths, n_next=widths, seed=seeds)
def test_hidden_delta_matches_finite_differences(name, m, n, n_next, seed):
    """hidden_delta is dL/dZ_l for L = sum(delta_next * (g(Z_l) @ W_next))."""
    rng = np.random.default_rng(seed)
    activation = get_activation(name)
    Z = away_from_kink(rng, (m, n))
    W_next = rng.normal(size=(n, n_next))
    delta_next = rng.normal(size=(m, n_next))
    expected = numeric(lambda z: float(np.sum(delta_next * (activation.forward(z) @ W_next))), Z)
    got = hidden_delta(delta_next, W_next, Z, activation)
    assert relative_error(got, expected) < GRADCHECK_THRESHOLD


@PROPERTY
@given(m=batch_sizes, n_in=widths, n_out=widths, seed=seeds)
def test_dense_gradients_match_finite_differences(m, n_in, n_out, seed):
    """dW and db are dL/dW and dL/db for L = sum(delta * (A_prev @ W + b))."""
    rng = np.random.default_rng(seed)
    A_prev = rng.normal(size=(m, n_in))
    W, b = rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    delta = rng.normal(size=(m, n_out))
    dW, db = dense_gradients(A_prev, delta)
    assert dW.shape == (n_in, n_out) and db.shape == (n_out,)
    expected_dW = numeric(lambda w: float(np.sum(delta * (A_prev @ w + b))), W)
    expected_db = numeric(lambda bb: float(np.sum(delta * (A_prev @ W + bb))), b)
    assert relative_error(dW, expected_dW) < GRADCHECK_THRESHOLD
    assert relative_error(db, expected_db) < GRADCHECK_THRESHOLD
