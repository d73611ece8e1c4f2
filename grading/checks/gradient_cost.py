"""Hidden graders for ps4_explorations/explorations.ipynb, its third experiment: what a gradient
costs by backpropagation against finite differences, counted (``parameter_count``,
``gradient_cost_ratio``, in forward passes) and measured (``time_gradients``). Its first two
experiments, and the questions around all three, are graded in
:mod:`grading.checks.explorations`.

Counts are compared with :mod:`reference.diagnostics`. A timing is a measurement, so it is
checked against what the grader itself observed, never trusted: ``time_gradients`` is handed
the two functions it must time (``backprop`` and ``numerical_network_gradients``), they run in
the grader when the student's code calls them, and every reported time must lie between the
shortest run the grader saw of that function and the longest any of its runs could have looked
from the sandbox (:func:`check_time_gradients_timings`).

A slip costs once (:mod:`grading.carry_forward`): ``time_gradients`` counts parameters with the
student's ``parameter_count``, as the notebook asks, and is declared with
:func:`~grading.dependencies.uses_helpers`, so a wrong ``parameter_count`` costs its own points
only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.calls import call, unpack
from grading.checks.explorations import single_number
from grading.compare import assert_close
from grading.dependencies import Helper, uses_helpers
from grading.registry import Failure, describe, register
from reference import diagnostics


@register("explorations.parameter_count")
def check_parameter_count(parameter_count: Callable) -> None:
    """Weights and biases of networks from one layer to four, and of one drawn for the
    student."""
    name = "explorations.parameter_count"
    rng = variant.rng(90)
    drawn = [int(n) for n in rng.integers(1, 100, size=int(rng.integers(2, 6)))]
    for sizes in ([2, 1], [2, 4, 1], [64, 64, 10], [784, 256, 256, 10], [3, 5, 5, 5, 2], drawn):
        got = call(name, parameter_count, (list(sizes),), names="layer_sizes")
        want = diagnostics.parameter_count(sizes)
        if np.ndim(got) != 0 or got != want:
            raise Failure(f"{name}: for layer_sizes={sizes}, expected {want} parameters; "
                          f"got {got!r}")


#: (n_params, centered, backward_cost) of gradient_cost_ratio's cases; None leaves the
#: argument to the notebook's default (centered=True, backward_cost=2.0).
COST_CASES = ((3, None, None), (4, False, None), (3, False, 1.0), (10, True, 1.0),
              (4810, None, None), (7, False, 0.0), (1_000_000, False, 1.0), (12, True, None),
              (1_000_000, None, 3.0))


@register("explorations.gradient_cost_ratio")
def check_gradient_cost_ratio(gradient_cost_ratio: Callable) -> None:
    """Centered and one-sided counts, several backward costs, the defaults left as they are;
    then a case drawn for the student."""
    name = "explorations.gradient_cost_ratio"
    rng = variant.rng(91)
    drawn = (int(rng.integers(2, 10**6)), bool(rng.integers(0, 2)),
             float(rng.choice([0.5, 1.0, 1.5, 2.0, 3.0])))
    for n_params, centered, backward_cost in (*COST_CASES, drawn):
        given = {key: value for key, value in (("centered", centered),
                                               ("backward_cost", backward_cost))
                 if value is not None}
        case = ", ".join([f"n_params={n_params}", *(f"{k}={v}" for k, v in given.items())]
                         ) + (" (the others left to their defaults)" if len(given) < 2 else "")
        raw = call(name, gradient_cost_ratio, (n_params,), given, names="n_params")
        got = single_number(name, case, raw)
        want = diagnostics.gradient_cost_ratio(n_params, **given)
        assert_close(name, case, got, np.float64(want), rtol=1e-9, atol=0.0)


def _counts(rows: Any) -> list[Any]:
    """The parameter counts of time_gradients' rows."""
    return [row[0] for row in rows]


def _with_counts(rows: Any, right: Any) -> list[tuple[Any, ...]]:
    """The student's rows with the parameter counts of ``right`` (their times kept)."""
    return [(count, *tuple(row)[1:]) for row, (count, *_) in zip(rows, right, strict=True)]


@uses_helpers("explorations.time_gradients",
              Helper("parameter_count", "explorations.parameter_count",
                     diagnostics.parameter_count),
              parts=("the parameter counts",), compared=_counts, merged=_with_counts)
def _time_gradients_counts(parameter_count: Callable) -> Callable:
    """The parameter counts of the notebook's time_gradients: the student's parameter_count
    of each network (the times are the student's own measurements, not compared)."""

    def time_gradients(layer_sizes_list: Any, batch_size: int = 16, seed: int = 0,
                       backprop: Any = None, numerical_network_gradients: Any = None) -> Any:
        return [(parameter_count(sizes), None, None) for sizes in layer_sizes_list]

    return time_gradients


#: The networks time_gradients is asked to time (different shapes, so that every call the
#: student's code makes says which network it is for).
TIMED_NETWORKS = ([3, 4, 2], [8, 32, 32, 4])
TIMED_BATCH = 8
#: Timed functions, by the name of the argument that hands them over, and the row entry that
#: reports each one's time.
TIMED = {"backprop": "backprop_seconds", "numerical_network_gradients": "numerical_seconds"}
#: A reported time may exceed what the grader observed by rounding and a clock's slew only.
CLOCK_RTOL, CLOCK_ATOL = 1e-3, 1e-6
#: Seconds each run of the backprop handed over lasts at least when the timings are checked:
#: far longer than what a student's code does between two calls, so that a time that also
#: spans a backprop run (``numerical_seconds`` measured from a start taken before the last
#: backprop call) exceeds what the grader could have seen.
BACKPROP_LEAST = 0.01


@dataclass(frozen=True)
class _Run:
    """One call of a function the grader handed to the student's code, as the grader saw it:
    which function, the shapes of the weights and of X it got, and when it began and ended
    (``time.perf_counter()`` in the grader: the machine's monotonic clock, the one the
    student's ``time.perf_counter()`` reads in the sandbox)."""

    function: str
    weights: tuple[tuple[int, ...], ...]
    X: tuple[int, ...]
    start: float
    end: float


class _Watched:
    """A function the grader hands to ``time_gradients`` to be timed. It runs here, in the
    grader (the student's call comes back from the sandbox), and notes each of its runs: the
    grader knows how often and how long what the student timed ran, whatever the student
    reports."""

    def __init__(self, name: str, function: Callable[..., Any], runs: list[_Run],
                 least: float = 0.0) -> None:
        self.name = name
        self.__name__ = name
        self.function = function
        self.runs = runs
        self.least = least

    def __call__(self, X: Any, Y: Any, weights: Any, biases: Any, hidden: str = "relu") -> Any:
        shapes = tuple(np.shape(W) for W in weights) if isinstance(weights, (list, tuple)) else ()
        start = time.perf_counter()
        try:
            return self.function(X, Y, weights, biases, hidden)
        finally:
            if (rest := start + self.least - time.perf_counter()) > 0:
                time.sleep(rest)  # a run of at least `least` seconds
            end = time.perf_counter()
            self.runs.append(_Run(self.name, shapes, np.shape(X), start, end))

    def __deepcopy__(self, memo: dict[int, Any]) -> _Watched:
        return self  # handed over as it is: its runs are the grader's record


def _network(weights: Sequence[Any], biases: Sequence[Any], hidden: str) -> reference.Network:
    activations = [reference.get_activation(hidden)] * (len(weights) - 1)
    return reference.Network(tuple(np.asarray(W, dtype=np.float64) for W in weights),
                             tuple(np.asarray(b, dtype=np.float64) for b in biases),
                             (*activations, reference.get_activation("softmax")))


def _backprop(X: Any, Y: Any, weights: Sequence[Any], biases: Sequence[Any],
              hidden: str) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """The notebook's ``backprop``: (loss, dWs, dbs) of a softmax network under cross-entropy."""
    loss, grads = reference.backward(_network(weights, biases, hidden), X, Y, "cce")
    return float(loss), list(grads.dW), list(grads.db)


def _numerical_network_gradients(X: Any, Y: Any, weights: Sequence[Any], biases: Sequence[Any],
                                 hidden: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The notebook's ``numerical_network_gradients``: two forward passes per parameter."""
    network = _network(weights, biases, hidden)
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)

    def loss_with(layer: int, kind: str) -> Callable[[np.ndarray], float]:
        def loss(value: np.ndarray) -> float:
            Ws, bs = list(network.weights), list(network.biases)
            (Ws if kind == "W" else bs)[layer] = value
            A = X
            for W, b, activation in zip(Ws, bs, network.activations, strict=True):
                A = activation.forward(A @ W + b)
            return reference.categorical_cross_entropy(A, Y)
        return loss

    layers = range(network.depth)
    return ([reference.numerical_gradient(loss_with(i, "W"), network.weights[i]) for i in layers],
            [reference.numerical_gradient(loss_with(i, "b"), network.biases[i]) for i in layers])


@dataclass(frozen=True)
class _Timed:
    """What one call of the student's time_gradients gave, and what the grader saw meanwhile:
    every run of the functions it handed over, and when the call began and ended."""

    rows: list[tuple[Any, Any, Any]]
    runs: list[_Run]
    start: float
    end: float


def _timed_rows(time_gradients: Callable, backprop_least: float = 0.0) -> _Timed:
    """The student's (parameter_count, backprop_seconds, numerical_seconds) per network of
    :data:`TIMED_NETWORKS`, with the grader's own record of what ran; each run of the backprop
    handed over lasts at least ``backprop_least`` seconds."""
    name = "explorations.time_gradients"
    case = f"time_gradients({list(TIMED_NETWORKS)}, batch_size={TIMED_BATCH}, seed=0)"
    runs: list[_Run] = []
    handed = {"backprop": _Watched("backprop", _backprop, runs, backprop_least),
              "numerical_network_gradients": _Watched(
                  "numerical_network_gradients", _numerical_network_gradients, runs)}
    start = time.perf_counter()
    got = call(name, time_gradients, ([list(s) for s in TIMED_NETWORKS],),
               {"batch_size": TIMED_BATCH, "seed": 0, **handed}, names="layer_sizes_list")
    end = time.perf_counter()
    if not isinstance(got, (list, tuple)) or len(got) != len(TIMED_NETWORKS):
        raise Failure(f"{name}: {case} should give one (parameter_count, backprop_seconds, "
                      f"numerical_seconds) per network ({len(TIMED_NETWORKS)}); "
                      f"got {describe(got)}")
    rows = [unpack(name, case, row, ("parameter_count", "backprop_seconds",
                                     "numerical_seconds")) for row in got]
    return _Timed(rows, list(runs), start, end)


@register("explorations.time_gradients", part="the parameter counts", weight=2)
def check_time_gradients_counts(time_gradients: Callable) -> None:
    """One row per network, whose first entry is the network's parameter count."""
    for sizes, (count, _, _) in zip(TIMED_NETWORKS, _timed_rows(time_gradients).rows,
                                    strict=True):
        want = diagnostics.parameter_count(sizes)
        if count != want:
            raise Failure(f"explorations.time_gradients: for layer sizes {sizes}, the parameter "
                          f"count should be {want}; got {count!r}")


@register("explorations.time_gradients", part="the timings", weight=5)
def check_time_gradients_timings(time_gradients: Callable) -> None:
    """Each reported time is one the grader saw: the functions it handed over (``backprop``
    and ``numerical_network_gradients``) ran here, on the network of each row, and each
    reported time lies between the shortest run of that function and the longest a run could
    have looked from the sandbox (from the end of the grader's previous event to the start of
    its next one). A made-up time, a scaled one, or one for which nothing ran cannot; nor can
    a time that spans another run too: the backprop handed over here lasts at least
    :data:`BACKPROP_LEAST`, longer than anything else the student's code does between calls."""
    name = "explorations.time_gradients"
    timed = _timed_rows(time_gradients, BACKPROP_LEAST)
    _check_runs_are_of_the_networks(name, timed.runs)
    for sizes, (_, backprop, numerical) in zip(TIMED_NETWORKS, timed.rows, strict=True):
        _check_seconds(name, sizes, backprop, numerical)
        for function, seconds in zip(TIMED, (backprop, numerical), strict=True):
            _check_measured(name, sizes, function, float(seconds), timed)


def _weight_shapes(sizes: Sequence[int]) -> tuple[tuple[int, int], ...]:
    return tuple(pairwise(sizes))


def _check_runs_are_of_the_networks(name: str, runs: Sequence[_Run]) -> None:
    """Every run was on one of the networks asked for, with a batch of the size asked for."""
    networks = {_weight_shapes(sizes): sizes for sizes in TIMED_NETWORKS}
    for run in runs:
        sizes = networks.get(run.weights)
        if sizes is None:
            raise Failure(f"{name}: {run.function} was called with weights of shapes "
                          f"{list(run.weights)}, which belong to none of the networks "
                          f"{list(TIMED_NETWORKS)}; build each network with "
                          "init_network(sizes, seed, \"relu\")")
        if run.X != (TIMED_BATCH, sizes[0]):
            raise Failure(f"{name}: for layer sizes {sizes} and batch_size={TIMED_BATCH}, "
                          f"{run.function} was called with X of shape {run.X}; expected "
                          f"{(TIMED_BATCH, sizes[0])} (rng.normal(size=(batch_size, sizes[0])))")


def _check_measured(name: str, sizes: Sequence[int], function: str, seconds: float,
                    timed: _Timed) -> None:
    """``seconds`` (reported for ``function`` on the network ``sizes``) lies between the
    shortest run of it and the longest time one of its runs could have been measured as."""
    label = TIMED[function]
    ordered = sorted(timed.runs, key=lambda run: run.start)
    starts = [run.start for run in ordered[1:]] + [timed.end]
    ends = [timed.start] + [run.end for run in ordered[:-1]]
    own = [index for index, run in enumerate(ordered)
           if run.function == function and run.weights == _weight_shapes(sizes)]
    if not own:
        raise Failure(f"{name}: for layer sizes {sizes}, your code never called the "
                      f"{function} it was given (the argument {function}), yet reports "
                      f"{label} = {seconds:.3g}; time that function: the hidden tests hand "
                      "over their own and see each of its runs")
    shortest = min(ordered[i].end - ordered[i].start for i in own)
    longest = max(starts[i] - ends[i] for i in own)
    if seconds < shortest * (1 - CLOCK_RTOL) - CLOCK_ATOL:
        raise Failure(f"{name}: for layer sizes {sizes}, you report {label} = {seconds:.3g} s, "
                      f"but every run of {function} took at least {shortest:.3g} s; report the "
                      "time measured around a call: start = time.perf_counter() just before, "
                      "time.perf_counter() - start just after")
    if seconds > longest * (1 + CLOCK_RTOL) + CLOCK_ATOL:
        raise Failure(f"{name}: for layer sizes {sizes}, you report {label} = {seconds:.3g} s, "
                      f"but no run of {function} could have been measured as longer than "
                      f"{longest:.3g} s (even counting everything your code did between two "
                      "calls); report the time of one call, measured around it with "
                      "time.perf_counter() (the fastest of your runs for backprop)")


def _check_seconds(name: str, sizes: Sequence[int], *times: Any) -> None:
    for label, seconds in zip(TIMED.values(), times, strict=True):
        if np.ndim(seconds) != 0 or not np.isfinite(seconds) or not seconds > 0:
            raise Failure(f"{name}: for layer sizes {sizes}, {label} should be a positive "
                          f"number of seconds (from time.perf_counter()); got {seconds!r}")
