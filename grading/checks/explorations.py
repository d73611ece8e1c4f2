"""Hidden graders for ps4_explorations/explorations.ipynb: gradient norms, dead ReLUs, and the
cost of backpropagation against finite differences (measured, and counted in forward passes);
and, registered with :func:`grading.answers.ask`, the prediction made before each of the three
experiments (graded for being recorded as a number) and the reading of what it showed (graded
on being right).

Values are compared with :mod:`reference.diagnostics`. A timing is a measurement, so it is
checked against what the grader itself observed, never trusted: ``time_gradients`` is handed
the two functions it must time (``backprop`` and ``numerical_network_gradients``), they run in
the grader when the student's code calls them, and every reported time must lie between the
shortest run the grader saw of that function and the longest any of its runs could have looked
from the sandbox (:func:`check_time_gradients_timings`).

A slip costs once (:mod:`grading.diagnosis`): ``deep_gradient_norms`` calls the student's
``gradient_norms``, ``dead_fractions`` the student's ``dead_unit_fraction``, and
``time_gradients`` counts parameters with the student's ``parameter_count``, as the notebook
asks; each is declared with :func:`~grading.diagnosis.uses_helpers`, so a wrong helper costs
its own points only.
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
from grading.answers import Asked, ask
from grading.calls import call, call_pure, unpack
from grading.compare import close, tolerances
from grading.diagnosis import Helper, uses_helpers
from grading.registry import Failure, describe, register
from reference import diagnostics


def _numbers(name: str, case: str, got: Any, count: int) -> np.ndarray:
    """``got`` as a float array of ``count`` numbers (a list, tuple or 1-D array)."""
    try:
        values = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        values = None
    if values is None or values.shape != (count,):
        raise Failure(f"{name}: for {case}, expected a list of {count} number"
                      f"{'s' if count != 1 else ''}, one per layer; "
                      f"got {describe(got)}" + (f" of length {len(got)}"
                                                if isinstance(got, (list, tuple)) else ""))
    return values


def _scalar(name: str, case: str, got: Any) -> np.float64:
    if np.ndim(got) != 0:
        raise Failure(f"{name}: for {case}, expected one number; got {describe(got)}")
    return np.float64(got)


@register("explorations.gradient_norms")
def check_gradient_norms(gradient_norms: Callable) -> None:
    """One Frobenius norm per array, for one, three and two arrays of very different sizes."""
    name = "explorations.gradient_norms"
    for seed, shapes in enumerate((((3, 4),), ((5, 2), (2, 2), (2, 1)), ((64, 32), (32, 10)))):
        rng = variant.rng(seed)
        dWs = [rng.normal(scale=10.0**-i, size=shape) for i, shape in enumerate(shapes)]
        case = f"dWs of shapes {list(shapes)}"
        raw = call_pure(name, gradient_norms, ("dWs",), (dWs,))
        got = _numbers(name, case, raw, len(dWs))
        close(name, case, got, np.array(diagnostics.gradient_norms(dWs)), **tolerances(raw),
              mistakes={
            "take the square root of the sum of squares": np.array(
                [np.sum(dW**2) for dW in dWs]),
            "the Frobenius norm squares the entries; it does not sum their absolute values":
                np.array([np.sum(np.abs(dW)) for dW in dWs]),
            "sum the squares, do not average them": np.array(
                [np.sqrt(np.mean(dW**2)) for dW in dWs])})


@uses_helpers("explorations.deep_gradient_norms",
              Helper("gradient_norms", "explorations.gradient_norms", diagnostics.gradient_norms))
def _deep_gradient_norms_through(gradient_norms: Callable) -> Callable:
    """The notebook's deep_gradient_norms: the given init_network and backprop (here the
    reference's), then the student's gradient_norms of the dWs."""

    def deep_gradient_norms(X: Any, Y: Any, hidden: str, depth: int = 8, width: int = 32,
                            seed: int = 0) -> Any:
        sizes = [np.shape(X)[1], *[width] * depth, np.shape(Y)[1]]
        network = reference.init_network(sizes, hidden, output_activation="softmax", seed=seed)
        _, grads = reference.backward(network, X, Y, "cce")
        return gradient_norms(list(grads.dW))

    return deep_gradient_norms


@register("explorations.deep_gradient_norms")
def check_deep_gradient_norms(deep_gradient_norms: Callable) -> None:
    """Norms of every dW of fresh deep networks, against the reference, layer 1 first."""
    name = "explorations.deep_gradient_norms"
    for seed, (hidden, depth, width) in enumerate((("sigmoid", 3, 8), ("relu", 5, 16),
                                                   ("tanh", 2, 8), ("sigmoid", 8, 32))):
        rng, network_seed = variant.rng(seed), variant.int_seed(seed)
        X, Y = rng.random((16, 10)), reference.one_hot(rng.integers(0, 4, size=16), 4)
        case = (f"X (16, 10), Y (16, 4), hidden={hidden!r}, depth={depth}, width={width}, "
                f"seed={network_seed}")
        raw = call_pure(name, deep_gradient_norms, ("X", "Y"), (X, Y), hidden, depth=depth,
                        width=width, seed=network_seed)
        got = _numbers(name, case, raw, depth + 1)
        want = diagnostics.deep_gradient_norms(X, Y, hidden, depth, width, network_seed)
        network = reference.init_network([10, *[width] * depth, 4], hidden,
                                         output_activation="softmax", seed=network_seed)
        _, grads = reference.backward(network, X, Y, "cce")
        close(name, case, got, np.array(want), **tolerances(raw), mistakes={
            "list the layers from the first (next to the input) to the output layer":
                np.array(want[::-1]),
            "these are the norms of the bias gradients db; measure dW":
                np.array(diagnostics.gradient_norms(grads.db))},
              advice="Build the network with init_network([n_in] + [width] * depth + [n_out], "
              "seed, hidden) and use the given backprop on the whole batch")


@register("explorations.dead_unit_fraction")
def check_dead_unit_fraction(dead_unit_fraction: Callable) -> None:
    """Units off on every row, counted with ``<= 0``, as a share of the units."""
    name = "explorations.dead_unit_fraction"
    rng = variant.rng(0)
    mixed = rng.normal(size=(6, 8)) + np.array([-9, -9, 0, 0, 0, 9, 9, 9])
    mixed[:, 2] = np.minimum(mixed[:, 2], 0.0)
    mixed[0, 2] = 0.0
    for unit in (3, 4):  # mixed whatever the draw (the seeded one is): one row on, one off
        if np.all(mixed[:, unit] > 0) or np.all(mixed[:, unit] <= 0):
            mixed[unit - 3, unit], mixed[unit - 2, unit] = -1.0, 1.0
    if not np.any(np.any(mixed > 0, axis=0) & np.all(mixed <= 1, axis=0)):
        mixed[:, 4] = np.minimum(mixed[:, 4], 0.9)  # a unit barely on: <= 1 is not <= 0
    cases = {"Z of shape (6, 8): two units always negative, one never positive (some exact "
             "zeros), the rest mixed or positive": mixed,
             "Z of shape (1, 5), a single example": np.array([[-1.0, 0.0, 2.0, -0.5, 3.0]]),
             "Z of shape (30, 4), all positive": np.abs(rng.normal(size=(30, 4))) + 0.1,
             "Z of shape (3, 7), all negative": -np.abs(rng.normal(size=(3, 7))) - 0.1}
    for case, Z in cases.items():
        raw = call_pure(name, dead_unit_fraction, ("Z",), (Z,))
        got = _scalar(name, case, raw)
        close(name, case, got, np.float64(diagnostics.dead_unit_fraction(Z)),
              **tolerances(raw), mistakes={
            "a unit is dead at z <= 0 (relu_grad(0) is 0), not only at z < 0":
                np.float64(np.mean(np.all(Z < 0, axis=0))),
            "a unit is dead only if it is off for every example (all rows), not any":
                np.float64(np.mean(np.any(Z <= 0, axis=0))),
            "return the fraction of units, not of entries of Z": np.float64(np.mean(Z <= 0)),
            "return a fraction of the units, not a count":
                np.float64(np.sum(np.all(Z <= 0, axis=0))),
            "units are the columns of Z; rows are examples":
                np.float64(np.mean(np.all(Z <= 0, axis=1)))})


@uses_helpers("explorations.dead_fractions",
              Helper("dead_unit_fraction", "explorations.dead_unit_fraction",
                     diagnostics.dead_unit_fraction))
def _dead_fractions_through(dead_unit_fraction: Callable) -> Callable:
    """The notebook's dead_fractions: the student's dead_unit_fraction of each hidden Z."""

    def dead_fractions(caches: Any) -> list[Any]:
        return [dead_unit_fraction(Z) for _, Z, _ in caches[:-1]]

    return dead_fractions


_ACTIVATION_NAMES = {"relu": "ReLU", "sigmoid": "sigmoid"}


@register("explorations.dead_fractions")
def check_dead_fractions(dead_fractions: Callable) -> None:
    """One dead fraction per hidden layer of ReLU networks with negative biases, and of a
    sigmoid network, whose A = sigmoid(Z) is never <= 0: the fractions are those of Z, the
    pre-activations, whatever the activation."""
    name = "explorations.dead_fractions"
    for seed, (sizes, hidden) in enumerate((([5, 8, 3], "relu"), ([6, 16, 16, 16, 4], "relu"),
                                            ([4, 12, 10, 3], "sigmoid"))):
        rng = variant.rng(seed)
        net = reference.init_network(sizes, hidden, output_activation="softmax",
                                     seed=variant.int_seed(seed))
        net = net.with_parameters(net.weights, [rng.normal(-1.0, 1.0, size=b.shape)
                                                for b in net.biases])
        X = rng.normal(size=(20, sizes[0]))
        _, caches = reference.network_forward(net, X)
        if hidden == "sigmoid" and not any(diagnostics.dead_fractions(caches)):
            # a unit dead (Z <= 0 on every row, A never 0) whatever the draw, as in the
            # seeded one: else a fraction of A would pass for one of Z
            biases = [b.copy() for b in net.biases]
            biases[0][0] = -100.0
            net = net.with_parameters(net.weights, biases)
            _, caches = reference.network_forward(net, X)
        caches = [tuple(cache) for cache in caches]
        case = f"the caches of a {_ACTIVATION_NAMES[hidden]} network with layer sizes {sizes}"
        raw = got = call_pure(name, dead_fractions, ("caches",), (caches,))
        if isinstance(got, (list, tuple)) and len(got) == len(caches):
            raise Failure(f"{name}: for {case}, got {len(got)} numbers; leave out the output "
                          f"layer (the last cache): expected {len(caches) - 1}, one per hidden "
                          "layer")
        got = _numbers(name, case, got, len(caches) - 1)
        close(name, case, got, np.array(diagnostics.dead_fractions(caches)), **tolerances(raw),
              mistakes={"dead_unit_fraction takes Z, the pre-activation (the middle item of "
                        "each cache (A_prev, Z, A)), not the activation A":
                        np.array([diagnostics.dead_unit_fraction(A) for _, _, A in caches[:-1]])},
              advice="Use dead_unit_fraction on Z, the middle item of each cache (A_prev, Z, A)")


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
            weights_only = sum(a * b for a, b in pairwise(sizes))
            hint = (" It looks like the biases are missing: each layer has n_out of them."
                    if got == weights_only else "")
            raise Failure(f"{name}: for layer_sizes={sizes}, expected {want} parameters; "
                          f"got {got!r}.{hint}")


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
        got = _scalar(name, case, raw)
        want = diagnostics.gradient_cost_ratio(n_params, **given)
        close(name, case, got, np.float64(want), rtol=1e-9, atol=0.0)


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


# ---- Predict, run, read: the questions around the three experiments (grading.answers) ----
# A prediction earns its point for being recorded as a number; a reading is graded on being right.

for _experiment in ("vanishing", "dead", "cost"):
    ask(f"explorations.answer_{_experiment}_prediction", Asked("numeric"))
ask("explorations.answer_vanishing_reading", Asked(
    "single", "ABCD", "A",
    "read the sigmoid curve's first and last points on the log axis, and compare their ratio "
    "with 0.25 raised to the number of sigmoid layers the delta crosses."))
ask("explorations.answer_dead_reading", Asked(
    "single", "ABCD", "B",
    "compare, for each run, the share of dead units with the loss it ends at and with the "
    "gradient that still reaches layer 1."))
ask("explorations.answer_cost_reading", Asked(
    "single", "ABCD", "A",
    "time one forward pass of the smallest and of the largest network: does it grow with P at "
    "these sizes?"))
