"""Is a surviving mutant equivalent? It is compared with the original on probes: every call the
graders made (up to ``MAX_REPLAYED``) and variants of up to ``MAX_TEMPLATES`` small ones.

The variants replace the float arrays of a call by random normal arrays of the same shapes and
dtypes at scales 1 (twice), 5, 0.01 and 1e-9, by the edge values 0, +-1, 0.5, +-1e3 (twice), or
by zeros (Python floats also scaled by 0.5-1.5 in the first three); for a function with
hyper-parameters, a call leaves them to their defaults. Results and arguments after the call
are compared with :func:`grading.diagnosis.same`. The original runs twice on every probe; where
its own two results differ (timings), a mutant's must be positive and within ``NOISE_FACTOR`` of
them, on one of ``NOISY_TRIES`` tries.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from mutation_calls import with_default_hyperparameters
from mutation_notebooks import quiet
from mutation_outcomes import EQUIVALENT, SURVIVED

from grading.diagnosis import Call, Raised, same

#: At most this many recorded calls are replayed verbatim, and this many are perturbed.
MAX_REPLAYED, MAX_TEMPLATES = 40, 8
#: Recorded calls with more float entries than this are replayed but not perturbed.
MAX_TEMPLATE_SIZE = 20_000
EDGE_VALUES = np.array([0.0, 1.0, -1.0, 0.5, 1e3, -1e3])
#: Where the original's own results vary between two runs (timings), a mutant's must lie within
#: this factor of them.
NOISE_FACTOR = 10.0
#: A mutant is called up to this many times on a probe where the original's own two results
#: differ (a timing on a busy machine can stray past NOISE_FACTOR once), once elsewhere.
NOISY_TRIES = 3
#: A generator's items are read up to this many.
MAX_ITEMS = 10_000
#: How a probe's float array is refilled: the array in, an array of its shape and dtype out.
Fill = Callable[[np.ndarray], np.ndarray]


@dataclass
class Probe:
    """Arguments to call a function with, and what the original gave on them in two runs: each
    an observation ``(result, arguments after the call)``."""

    label: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    runs: tuple[Any, Any] = (None, None)


def make_probes(calls: Sequence[Call], seed: int,
                function: Callable[..., Any] | None = None) -> list[Probe]:
    """The recorded calls (up to MAX_REPLAYED) and perturbed copies of small ones; and, for a
    ``function`` with hyper-parameters (``lr``, ``beta1``...), the small calls with them left
    to their defaults (a grader that always passes them cannot see a changed default)."""
    numbered = list(enumerate(calls, 1))
    probes = [Probe(f"grader call {number}", call.args, call.kwargs)
              for number, call in spaced(numbered, MAX_REPLAYED)]
    small = [(number, call) for number, call in numbered
             if 0 < float_size((call.args, call.kwargs)) <= MAX_TEMPLATE_SIZE]
    rng = np.random.default_rng(seed)
    for number, call in spaced(small, MAX_TEMPLATES):
        for label, fill, scale_floats in variants(rng):
            args, kwargs = perturb((call.args, call.kwargs), fill, rng, scale_floats)
            probes.append(Probe(f"{label} shaped like grader call {number}", args, kwargs))
        defaulted = with_default_hyperparameters(function, call) if function else None
        if defaulted is not None:
            probes.append(Probe(f"grader call {number} with the hyper-parameters' defaults",
                                *defaulted))
    return probes



def variants(rng: np.random.Generator) -> list[tuple[str, Fill, bool]]:
    """How a probe's float arrays are refilled: (label, array -> new array, also rescale Python
    float arguments)."""

    def normal(scale: float) -> Fill:
        return lambda a: (scale * rng.normal(size=a.shape)).astype(a.dtype)

    def edge(a: np.ndarray) -> np.ndarray:
        return rng.choice(EDGE_VALUES, size=a.shape).astype(a.dtype)

    return [
        ("random normal inputs", normal(1.0), True),
        ("random normal inputs", normal(1.0), True),
        ("random inputs of scale 5", normal(5.0), True),
        ("random inputs of scale 0.01", normal(0.01), False),
        ("random inputs of scale 1e-9", normal(1e-9), False),
        ("edge values (0, +-1, 0.5, +-1e3)", edge, False),
        ("edge values (0, +-1, 0.5, +-1e3)", edge, False),
        ("all-zero inputs", np.zeros_like, False),
    ]


def spaced(items: Sequence[Any], count: int) -> list[Any]:
    """At most ``count`` items, evenly spread over ``items``, first and last included."""
    if len(items) <= count:
        return list(items)
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def float_size(value: Any) -> int:
    """How many float array entries ``value`` holds (in nested lists, tuples and dicts)."""
    if isinstance(value, np.ndarray):
        return value.size if value.dtype.kind == "f" else 0
    if isinstance(value, (list, tuple)):
        return sum(float_size(item) for item in value)
    if isinstance(value, dict):
        return sum(float_size(item) for item in value.values())
    return 0


def perturb(value: Any, fill: Fill, rng: np.random.Generator, scale_floats: bool) -> Any:
    """``value`` with every float array replaced by ``fill(array)``, and Python floats scaled by
    a random factor in [0.5, 1.5) when ``scale_floats``."""

    def leaf(item: Any) -> Any:
        if isinstance(item, np.ndarray) and item.dtype.kind == "f":
            return fill(item)
        if isinstance(item, float) and not isinstance(item, np.floating) and scale_floats:
            return item * rng.uniform(0.5, 1.5)
        return item

    return rebuilt(value, leaf)


def rebuilt(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """``value`` with ``leaf`` applied to everything nested lists, tuples and dicts hold, in
    order (a list stays a list, any other tuple becomes a plain tuple)."""
    if isinstance(value, (list, tuple)):
        items = [rebuilt(item, leaf) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {key: rebuilt(item, leaf) for key, item in value.items()}
    return leaf(value)


def call_on(function: Callable[..., Any], probe: Probe) -> tuple[Any, Any]:
    """What ``function`` gives on a copy of the probe's arguments, and those arguments after
    the call (functions in them replaced by a placeholder: copies of a function differ)."""
    args, kwargs = copy.deepcopy((probe.args, probe.kwargs))
    with quiet(), contextlib.redirect_stdout(io.StringIO()):
        try:
            result = function(*args, **kwargs)
            if inspect.isgenerator(result):
                result = {"yielded": list(itertools.islice(result, MAX_ITEMS))}
            result = copy.deepcopy(result)
        except Exception as error:
            result = Raised.of(error)
    return result, without_functions(args)


def without_functions(value: Any) -> Any:
    """``value`` with every callable in nested lists, tuples and dicts replaced by a string."""
    return rebuilt(value, lambda item: "<function>" if callable(item) else item)


def settle(function: Callable[..., Any], probes: Sequence[Probe]) -> None:
    """Store what the original gives on every probe, in two runs (to see what varies)."""
    for probe in probes:
        probe.runs = (call_on(function, probe), call_on(function, probe))


def agree(first: Any, second: Any, candidate: Any) -> bool:
    """Whether ``candidate`` matches the original's two observations ``first`` and ``second``:
    within :func:`~grading.diagnosis.same`'s tolerance where they agree, and, for a number
    where they do not (a timing), positive and within a factor NOISE_FACTOR of them."""
    if same(first, second):
        return same(first, candidate)
    if all(isinstance(v, (list, tuple)) for v in (first, second, candidate)):
        return len(first) == len(second) == len(candidate) and all(
            agree(*items) for items in zip(first, second, candidate, strict=True))
    if all(isinstance(v, dict) for v in (first, second, candidate)):
        return first.keys() == second.keys() == candidate.keys() and all(
            agree(first[key], second[key], candidate[key]) for key in first)
    try:
        x, y, z = (float(v) for v in (first, second, candidate))
    except (TypeError, ValueError):
        return False
    low, high = min(x, y), max(x, y)
    return low > 0 and low / NOISE_FACTOR <= z <= high * NOISE_FACTOR


def compare(mutant: Callable[..., Any], probes: Sequence[Probe]) -> tuple[str, str]:
    """``(EQUIVALENT, note)`` if the mutant agrees with the original on every probe, else
    ``(SURVIVED, the first probe where it differs)``."""
    noisy = False
    for probe in probes:
        varies = not same(*probe.runs)
        tries = NOISY_TRIES if varies else 1
        if not any(agree(*probe.runs, call_on(mutant, probe)) for _ in range(tries)):
            return SURVIVED, f"differs on {probe.label}"
        noisy = noisy or varies
    return EQUIVALENT, ("agrees within the run-to-run variation of the original's timings"
                        if noisy else "")

