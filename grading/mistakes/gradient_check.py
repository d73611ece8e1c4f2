"""Catalogued mistakes of gradient checking in the backward notebook: the numerical gradient
and the relative error (graded by :mod:`grading.checks.gradient_check`)."""

from __future__ import annotations

import numpy as np

from grading.mistakes.catalogue import mistake


@mistake("backward.numerical_gradient", "one_sided",
         "numerical_gradient uses a one-sided difference (f(x + eps) - f(x)) / eps",
         "A centered difference (f(x + eps) - f(x - eps)) / (2 eps) is far more accurate.")
def numerical_gradient_one_sided(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad, base = np.zeros_like(x), f(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        grad[index] = (f(x) - base) / eps
        x[index] = old
    return grad


@mistake("backward.numerical_gradient", "divides_by_eps",
         "numerical_gradient divides the centered difference by eps instead of 2 eps",
         "The two evaluation points are 2 eps apart.")
def numerical_gradient_half_step(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        plus = f(x)
        x[index] = old - eps
        grad[index] = (plus - f(x)) / eps
        x[index] = old
    return grad


@mistake("backward.numerical_gradient", "modifies_input",
         "numerical_gradient leaves x changed after it returns",
         "Work on a copy of x, or put each entry back after nudging it.")
def numerical_gradient_in_place(f, x, eps=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        plus = f(x)
        x[index] = old - eps
        grad[index] = (plus - f(x)) / (2 * eps)
    return grad


@mistake("backward.numerical_gradient", "ignores_eps",
         "numerical_gradient ignores its eps argument and always uses 1e-5",
         "Perturb x by the eps the function receives; 1e-5 is only its default.")
def numerical_gradient_ignores_eps(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = 1e-5
        grad[index] = (f(x + step) - f(x - step)) / 2e-5
    return grad


@mistake("backward.numerical_gradient", "other_default_eps",
         "numerical_gradient has a default eps other than 1e-5",
         "Keep the notebook's signature, eps=1e-5: callers that leave eps out rely on it.")
def numerical_gradient_other_default(f, x, eps=1e-4):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        grad[index] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


@mistake("backward.relative_error", "no_floor",
         "relative_error divides by |a| + |n| with no floor",
         "Two zero gradients agree perfectly but give 0/0; divide by max(1e-8, |a| + |n|).")
def relative_error_no_floor(a, n):
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))


@mistake("backward.relative_error", "absolute",
         "relative_error returns the absolute difference",
         "Divide by the sizes of the two gradients so the measure does not depend on scale.")
def relative_error_absolute(a, n):
    return float(np.linalg.norm(np.asarray(a, dtype=float) - n))


@mistake("backward.relative_error", "max_denominator",
         "relative_error divides by the larger of norm(a) and norm(n)",
         "The denominator is the sum norm(a) + norm(n), floored at 1e-8, not the larger norm.")
def relative_error_max_denominator(a, n):
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    larger = max(np.linalg.norm(a), np.linalg.norm(n))
    return float(np.linalg.norm(a - n) / max(1e-8, larger))


@mistake("backward.relative_error", "norm_of_a_only",
         "relative_error divides by norm(a) alone",
         "Both gradients count: divide by max(1e-8, norm(a) + norm(n)).")
def relative_error_norm_of_a(a, n):
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    return float(np.linalg.norm(a - n) / max(1e-8, np.linalg.norm(a)))
