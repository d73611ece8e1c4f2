"""Catalogued mistakes of the activation derivatives of the backward notebook (graded by
:mod:`grading.checks.derivatives`)."""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake


@mistake("backward.sigmoid_grad", "formula_of_activation_on_z",
         "sigmoid_grad uses z * (1 - z): the activation's formula applied to the pre-activation",
         "a * (1 - a) holds for the activation a = sigmoid(z). sigmoid_grad receives z: "
         "compute the sigmoid first.")
def sigmoid_grad_on_z(z):
    z = np.asarray(z, dtype=float)
    return z * (1 - z)


@mistake("backward.sigmoid_grad", "missing_one_minus",
         "sigmoid_grad returns sigmoid(z) without the (1 - sigmoid(z)) factor",
         "The derivative is s(z) * (1 - s(z)); it peaks at 0.25 when z = 0.")
def sigmoid_grad_missing_factor(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@mistake("backward.tanh_grad", "formula_of_activation_on_z",
         "tanh_grad uses 1 - z**2: the activation's formula applied to the pre-activation",
         "1 - a**2 holds for a = tanh(z). tanh_grad receives z: compute tanh(z) first.")
def tanh_grad_on_z(z):
    return 1 - np.asarray(z, dtype=float) ** 2


@mistake("backward.tanh_grad", "missing_square",
         "tanh_grad uses 1 - tanh(z) without the square",
         "The derivative of tanh is 1 - tanh(z)**2, which is 1 at z = 0 and never negative.")
def tanh_grad_missing_square(z):
    return 1 - np.tanh(np.asarray(z, dtype=float))


@mistake("backward.relu_grad", "one_at_zero",
         "relu_grad is 1 at z = 0",
         "Our convention: ReLU's derivative is 0 for z <= 0, including the kink at 0.")
def relu_grad_one_at_zero(z):
    return (np.asarray(z) >= 0).astype(float)


@mistake("backward.relu_grad", "returns_relu",
         "relu_grad returns relu(z) instead of its derivative",
         "The derivative is 1 where z > 0 and 0 elsewhere: a mask, not the values.")
def relu_grad_returns_relu(z):
    return np.maximum(np.asarray(z, dtype=float), 0)


@mistake("backward.leaky_relu_grad", "ignores_slope",
         "leaky_relu_grad is 0 for z <= 0, as for a plain ReLU",
         "Below zero, leaky ReLU has slope `slope`, so its derivative there is `slope`.")
def leaky_relu_grad_ignores_slope(z, slope=0.01):
    return (np.asarray(z) > 0).astype(float)


@mistake("backward.leaky_relu_grad", "slope_everywhere",
         "leaky_relu_grad puts the slope on the positive side",
         "For z > 0 leaky ReLU is the identity: derivative 1. The slope is for z <= 0.")
def leaky_relu_grad_swapped(z, slope=0.01):
    return np.where(np.asarray(z) > 0, slope, 1.0)


@mistake("backward.leaky_relu_grad", "one_at_zero",
         "leaky_relu_grad is 1 at z = 0",
         "Our convention puts the kink with the negative side: the derivative is `slope` for "
         "z <= 0, so test z > 0, not z >= 0.")
def leaky_relu_grad_one_at_zero(z, slope=0.01):
    return np.where(np.asarray(z) >= 0, 1.0, slope)


@mistake("backward.leaky_relu_grad", "fixed_slope",
         "leaky_relu_grad uses 0.01 below zero whatever its slope argument",
         "Below zero the derivative is the `slope` the function receives; 0.01 is only its "
         "default.")
def leaky_relu_grad_fixed_slope(z, slope=0.01):
    return np.where(np.asarray(z) > 0, 1.0, 0.01)
