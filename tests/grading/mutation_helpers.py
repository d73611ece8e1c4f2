"""Shared by the tests of the mutation benchmark's operators: tiny functions to mutate, and
helpers that make their mutants and run them.

``bench/`` is no package: its scripts import their sibling modules by name, so this module puts
``bench/`` on ``sys.path`` as the benchmark's own directory is when it runs.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from mutation_generation import Mutant, mutants_of  # noqa: E402


def mutants(code: str, kinds: dict[str, str] | None = None,
            region: tuple[int, int] | None = None) -> list[Mutant]:
    """Every mutant of the only function in ``code`` (dedented), its whole body the region."""
    code = textwrap.dedent(code).strip() + "\n"
    name = code.split("(", 1)[0].removeprefix("def ").strip()
    lines = code.count("\n")
    return mutants_of(code, name, region or (2, lines), kinds)


def made_by(found: list[Mutant], operator: str, kind: str = "") -> list[Mutant]:
    """The mutants of ``operator`` whose description contains ``kind``."""
    return [m for m in found if m.operator == operator and kind in m.kind]


def only(found: list[Mutant], operator: str, kind: str = "") -> Mutant:
    """The one mutant of ``operator`` whose description contains ``kind``."""
    chosen = made_by(found, operator, kind)
    assert len(chosen) == 1, (f"expected one {operator!r} mutant {kind!r}, got "
                              f"{[m.kind for m in made_by(found, operator)]}")
    return chosen[0]


def function_of(mutant: Mutant | str, name: str) -> Callable[..., Any]:
    """The function ``name`` defined by a mutant's code (or by ``code``)."""
    namespace: dict[str, Any] = {"np": np}
    exec(mutant.code if isinstance(mutant, Mutant) else textwrap.dedent(mutant), namespace)
    return namespace[name]


# ---- tiny functions the operators are tried on ----

ACCUMULATE = """
def total(xs, start):
    result = start
    for x in xs:
        result += x
    return result
"""

ADAM = """
def adam(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
"""
ADAM_ARGS = (np.array([0.5, -1.0]), np.array([0.3, 0.2]), np.array([0.1, 0.0]),
             np.array([0.01, 0.02]))

MOMENTUM = """
def momentum(param, grad, velocity, lr, beta=0.9):
    new_velocity = beta * velocity + grad
    return param - lr * new_velocity, new_velocity
"""

MINIBATCHES = """
def batches(X, Y, size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X), size):
        rows = order[start:start + size]
        yield X[rows], Y[rows]
"""

GRADIENTS = """
def gradients(A, delta):
    m = A.shape[0]
    dW = A.T @ delta / m
    db = delta.sum(axis=0) / m
    return dW, db
"""

MEAN = """
def mean(xs):
    total = 0
    count = 0
    for x in xs:
        total = total + x
        count = count + 1
    return total / count
"""

SGD = """
def sgd(param, grad, lr):
    return param - lr * grad
"""

#: Every tiny function above.
SAMPLES = (ACCUMULATE, ADAM, MOMENTUM, MINIBATCHES, GRADIENTS, MEAN, SGD)
