"""Parameter updates and clipping, checked on small hand-worked cases."""

import numpy as np
import pytest

from reference import (
    SGD,
    Adam,
    Momentum,
    adam_step,
    clip_by_global_norm,
    clip_by_value,
    global_norm,
    momentum_step,
    sgd_step,
)


def test_sgd_moves_against_the_gradient():
    np.testing.assert_allclose(sgd_step([1.0, -2.0], [0.5, -1.0], lr=0.1), [0.95, -1.9])


def test_momentum_accumulates_velocity():
    w, v = np.array([1.0]), np.zeros(1)
    w, v = momentum_step(w, [1.0], v, lr=0.1, beta=0.9)   # v = 1,    w = 1 - 0.1
    np.testing.assert_allclose((w, v), ([0.9], [1.0]))
    w, v = momentum_step(w, [1.0], v, lr=0.1, beta=0.9)   # v = 1.9,  w = 0.9 - 0.19
    np.testing.assert_allclose((w, v), ([0.71], [1.9]))


def test_adam_first_step_is_lr_times_sign_thanks_to_bias_correction():
    w, m, v = adam_step([1.0, 1.0], [0.003, -40.0], np.zeros(2), np.zeros(2), t=1, lr=0.01)
    np.testing.assert_allclose(w, [0.99, 1.01], rtol=1e-6)
    np.testing.assert_allclose(m, [0.0003, -4.0])
    np.testing.assert_allclose(v, [0.001 * 0.003**2, 0.001 * 1600.0])


def test_adam_second_step_by_hand():
    g1, g2 = 2.0, 1.0
    w, m, v = adam_step([0.0], [g1], [0.0], [0.0], t=1, lr=0.1)
    w, m, v = adam_step(w, [g2], m, v, t=2, lr=0.1)
    m2 = 0.9 * 0.1 * g1 + 0.1 * g2
    v2 = 0.999 * 0.001 * g1**2 + 0.001 * g2**2
    m_hat, v_hat = m2 / (1 - 0.9**2), v2 / (1 - 0.999**2)
    np.testing.assert_allclose(w, [-0.1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)])


def test_adam_rejects_step_zero():
    with pytest.raises(ValueError, match="starts at 1"):
        adam_step([0.0], [1.0], [0.0], [0.0], t=0)


def test_clip_by_value_clips_each_entry():
    clipped = clip_by_value([np.array([-3.0, 0.5]), np.array([[2.0]])], limit=1.0)
    np.testing.assert_allclose(clipped[0], [-1.0, 0.5])
    np.testing.assert_allclose(clipped[1], [[1.0]])


def test_clip_by_global_norm_keeps_direction():
    grads = [np.array([3.0]), np.array([[4.0]])]          # global norm 5
    clipped, norm = clip_by_global_norm(grads, max_norm=1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(clipped[0], [0.6])
    np.testing.assert_allclose(clipped[1], [[0.8]])
    assert global_norm(clipped) == pytest.approx(1.0)
    unchanged, _ = clip_by_global_norm(grads, max_norm=10.0)
    np.testing.assert_allclose(unchanged[0], grads[0])


@pytest.mark.parametrize("optimizer", [SGD(0.1), Momentum(0.1), Adam(0.1)])
def test_optimizers_leave_their_inputs_alone(optimizer):
    params = [np.ones((2, 3)), np.zeros(3)]
    grads = [np.full((2, 3), 0.5), np.ones(3)]
    before = [p.copy() for p in params + grads]
    new = optimizer.step(params, grads)
    new = optimizer.step(new, grads)
    for original, kept in zip(params + grads, before, strict=True):
        np.testing.assert_array_equal(original, kept)
    assert all(np.all(n < p) for n, p in zip(new, params, strict=True))


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match=r"param \(2, 3\) and grad \(3, 2\)"):
        sgd_step(np.zeros((2, 3)), np.zeros((3, 2)), 0.1)
