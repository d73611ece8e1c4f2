# Student code, linted like the notebooks it stands for (pyproject.toml's rules for *.ipynb).
"""Correct activation derivatives of ps2 (backward.ipynb), written differently from the
reference: ``sigmoid_grad``, ``tanh_grad``, ``relu_grad`` and ``leaky_relu_grad``, each of an
array ``z`` of any shape, returning an array of that shape. ``sigmoid`` is the notebook's
given one (:func:`simulation.alternatives.notebook.namespace`), as a student's cell uses it.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.alternatives import correct
from simulation.alternatives.notebook import namespace

sigmoid = namespace("ps2_backward")["sigmoid"]


# ---- sigmoid_grad(z): s * (1 - s), s = sigmoid(z) ----


@correct("backward.sigmoid_grad")
def sigmoid_grad_logaddexp(z):
    s = np.exp(-np.logaddexp(0, -np.asarray(z)))
    return s * (1 - s)


@correct("backward.sigmoid_grad")
def sigmoid_grad_symmetric(z):
    e = np.exp(-np.abs(z))  # sigma'(z) = e^-|z| / (1 + e^-|z|)^2, the same for z and -z
    return e / (1 + e) ** 2


@correct("backward.sigmoid_grad")
def sigmoid_grad_cosh(z):
    return 0.25 / np.cosh(np.asarray(z) / 2) ** 2  # cosh overflows to inf for huge z: 0.25/inf = 0


@correct("backward.sigmoid_grad")
def sigmoid_grad_both_sides(z):
    return sigmoid(z) * sigmoid(-np.asarray(z))  # 1 - sigmoid(z) = sigmoid(-z)


@correct("backward.sigmoid_grad")
def sigmoid_grad_loop(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for index in np.ndindex(z.shape):
        e = math.exp(-abs(z[index]))
        out[index] = e / (1 + e) ** 2
    return out


# ---- tanh_grad(z): 1 - tanh(z)**2 ----


@correct("backward.tanh_grad")
def tanh_grad_sech(z):
    return 1 / np.cosh(z) ** 2


@correct("backward.tanh_grad")
def tanh_grad_factored(z):
    t = np.tanh(z)
    return (1 - t) * (1 + t)


@correct("backward.tanh_grad")
def tanh_grad_exp(z):
    e = np.exp(-2 * np.abs(z))
    return 4 * e / (1 + e) ** 2


@correct("backward.tanh_grad")
def tanh_grad_square(z):
    return 1 - np.square(np.tanh(z))


# ---- relu_grad(z): 1 where z > 0, 0 elsewhere ----


@correct("backward.relu_grad")
def relu_grad_where(z):
    return np.where(z > 0, 1.0, 0.0)


@correct("backward.relu_grad")
def relu_grad_heaviside(z):
    return np.heaviside(z, 0.0)  # the second argument is the value at z = 0


@correct("backward.relu_grad")
def relu_grad_mask(z):
    grad = np.zeros(np.shape(z))
    grad[np.asarray(z) > 0] = 1
    return grad


@correct("backward.relu_grad")
def relu_grad_sign(z):
    return np.maximum(np.sign(z), 0.0)


@correct("backward.relu_grad")
def relu_grad_loop(z):
    return np.array([1.0 if x > 0 else 0.0 for x in np.ravel(z)]).reshape(np.shape(z))


# ---- leaky_relu_grad(z, slope): 1 where z > 0, slope elsewhere ----


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_mask(z, slope=0.01):
    grad = np.ones(np.shape(z))
    grad[np.asarray(z) <= 0] = slope
    return grad


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_sum_of_masks(z, slope=0.01):
    return (z > 0) + slope * (z <= 0)


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_where_negative(z, slope=0.01):
    return np.where(z <= 0, slope, 1.0)


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_vectorize(z, slope=0.01):
    derivative = np.vectorize(lambda x: 1.0 if x > 0 else slope)
    return derivative(z)


@correct("backward.leaky_relu_grad")
def leaky_relu_grad_loop(z, slope=0.01):
    return np.array([1.0 if x > 0 else slope for x in np.ravel(z)]).reshape(np.shape(z))
