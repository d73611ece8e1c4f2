"""Loss values by their stated formulas, stability, and the simplified output deltas."""

import warnings

import numpy as np
import pytest

from reference import (
    binary_cross_entropy,
    binary_cross_entropy_from_logits,
    categorical_cross_entropy,
    categorical_cross_entropy_from_logits,
    get_loss,
    mean_squared_error,
    mean_squared_error_grad,
    sigmoid,
    sigmoid_bce_output_delta,
    softmax,
    softmax_cce_output_delta,
)


def test_mse_is_half_the_squared_error_averaged_over_the_batch():
    A = np.array([[1.0, 2.0], [3.0, 5.0]])
    Y = np.array([[0.0, 2.0], [1.0, 1.0]])
    # (1 + 0 + 4 + 16) / (2 * 2)
    assert mean_squared_error(A, Y) == pytest.approx(21 / 4)
    np.testing.assert_allclose(mean_squared_error_grad(A, Y), (A - Y) / 2)


def test_bce_by_hand():
    A, Y = np.array([[0.8], [0.4]]), np.array([[1.0], [0.0]])
    assert binary_cross_entropy(A, Y) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)


def test_cce_by_hand():
    A = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert categorical_cross_entropy(A, Y) == pytest.approx(-(np.log(0.7) + np.log(0.8)) / 2)


def test_from_logits_versions_agree_with_probability_versions():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(5, 3))
    Y01 = (rng.random((5, 3)) < 0.5).astype(float)
    Y1hot = np.eye(3)[rng.integers(0, 3, 5)]
    assert binary_cross_entropy_from_logits(Z, Y01) == pytest.approx(
        binary_cross_entropy(sigmoid(Z), Y01))
    assert categorical_cross_entropy_from_logits(Z, Y1hot) == pytest.approx(
        categorical_cross_entropy(softmax(Z), Y1hot))


def test_losses_stay_finite_and_silent_when_saturated():
    Z = np.array([[1e3, -1e3], [-1e3, 1e3]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = [
            binary_cross_entropy(sigmoid(Z), Y),
            binary_cross_entropy_from_logits(Z, Y),
            categorical_cross_entropy(softmax(Z), Y),
            categorical_cross_entropy_from_logits(Z, Y),
            *[float(np.abs(get_loss(n).grad(sigmoid(Z), Y)).max()) for n in ("bce", "cce")],
        ]
    assert all(np.isfinite(values))
    # From logits, a confident wrong answer costs its full margin, not a clipped constant.
    assert binary_cross_entropy_from_logits(Z, Y) == pytest.approx(2000.0)
    assert categorical_cross_entropy_from_logits(Z, Y) == pytest.approx(2000.0)


def test_simplified_output_deltas_are_error_over_m():
    A, Y = np.array([[0.9, 0.1], [0.3, 0.7]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(sigmoid_bce_output_delta(A, Y), (A - Y) / 2)
    np.testing.assert_allclose(softmax_cce_output_delta(A, Y), (A - Y) / 2)


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"A \(4, 1\) and Y \(4,\)|2-D"):
        mean_squared_error(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match=r"A \(4, 2\) and Y \(4, 3\)"):
        binary_cross_entropy(np.full((4, 2), 0.5), np.zeros((4, 3)))


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'.*mse"):
        get_loss("hinge")
