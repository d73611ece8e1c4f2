"""A student's function cannot report a measurement the grader did not see (issue 15, hole 5):
``time_gradients`` is handed the functions it times and the grader sees their runs, so made-up,
scaled or slept-for times fail, and honest ones, the alternatives' included, pass."""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from grading import grade_parts
from grading.registry import lookup
from simulation.alternatives import ALTERNATIVES, load_all
from simulation.alternatives.notebook import namespace

from ..sandbox.threaded_kernel import ThreadedKernel, kernel_with

lookup("forward.sigmoid")  # registers every check
load_all()


# ---- hole 5: a measurement is what the grader saw ----

EXPLORATIONS = namespace("ps4_explorations")
HONEST = EXPLORATIONS["time_gradients"]


def _counts(sizes_list):
    return [sum(a * b + b for a, b in itertools.pairwise(s)) for s in sizes_list]


def made_up_and_slept_for(layer_sizes_list, batch_size=16, seed=0, backprop=None,
                          numerical_network_gradients=None):
    rows = [(count, 2e-4, 0.02 * count / 100) for count in _counts(layer_sizes_list)]
    time.sleep(sum(b + n for _, b, n in rows))
    return rows


def made_up_without_running_anything(layer_sizes_list, batch_size=16, seed=0, backprop=None,
                                     numerical_network_gradients=None):
    return [(count, 1e-4, 1e-4 * count) for count in _counts(layer_sizes_list)]


def scaled(factor_backprop: float, factor_numerical: float) -> Callable[..., Any]:
    def time_gradients(layer_sizes_list, batch_size=16, seed=0, **handed):
        return [(c, b * factor_backprop, n * factor_numerical)
                for c, b, n in HONEST(layer_sizes_list, batch_size, seed, **handed)]
    return time_gradients


def swapped(layer_sizes_list, batch_size=16, seed=0, **handed):
    return [(c, n, b) for c, b, n in HONEST(layer_sizes_list, batch_size, seed, **handed)]


def the_given_functions_not_the_handed_ones(layer_sizes_list, batch_size=16, seed=0,
                                            backprop=None, numerical_network_gradients=None):
    return HONEST(layer_sizes_list, batch_size, seed)  # times the notebook's own copies


def timing_only_the_cheap_one(layer_sizes_list, batch_size=16, seed=0, backprop=None,
                              numerical_network_gradients=None):
    return HONEST(layer_sizes_list, batch_size, seed, backprop=backprop,
                  numerical_network_gradients=backprop)


FAKERS = {f.__name__: f for f in (made_up_and_slept_for, made_up_without_running_anything,
                                  swapped, the_given_functions_not_the_handed_ones,
                                  timing_only_the_cheap_one)}
FAKERS |= {"scaled_down": scaled(0.1, 0.1), "scaled_up": scaled(10.0, 10.0),
           "backprop_scaled_up": scaled(20.0, 1.0)}


def _timing_part(student) -> str:
    out = []
    with contextlib.redirect_stdout(_Lines(out)):
        earned = grade_parts("explorations.time_gradients", student, points=7)
    return f"{earned} " + "".join(out)


class _Lines:
    def __init__(self, out: list[str]) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.append(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("faker", FAKERS)
def test_a_faked_measurement_loses_the_timing_part(faker):
    report = _timing_part(FAKERS[faker])
    assert report.startswith("2.0 "), report  # the parameter counts only
    assert "✗ the timings" in report


@pytest.mark.parametrize("student", [HONEST, *ALTERNATIVES["explorations.time_gradients"].values()],
                         ids=["solution", *ALTERNATIVES["explorations.time_gradients"]])
def test_honest_timings_keep_every_point(student):
    report = _timing_part(student)
    assert report.startswith("7.0 "), report


def test_a_slow_loop_style_answer_keeps_every_point():
    def time_gradients(layer_sizes_list, batch_size=16, seed=0, backprop=None,
                       numerical_network_gradients=None):
        rng = np.random.default_rng(seed)
        rows = []
        for sizes in layer_sizes_list:
            weights, biases = EXPLORATIONS["init_network"](sizes, seed, "relu")
            X = rng.normal(size=(batch_size, sizes[0]))
            Y = EXPLORATIONS["one_hot"](rng.integers(0, sizes[-1], size=batch_size), sizes[-1])
            time.sleep(0.01)  # slow work between the timed calls
            times = []
            for _ in range(3):
                start = time.time()
                backprop(X, Y, weights, biases)
                times.append(time.time() - start)
                time.sleep(0.005)
            start = time.time()
            numerical_network_gradients(X, Y, weights, biases)
            count = 0
            for W, b in zip(weights, biases, strict=True):
                count += W.size + b.size
            rows.append((count, min(times), time.time() - start))
        return rows

    assert _timing_part(time_gradients).startswith("7.0 ")


def test_honest_timings_pass_through_the_grading_connection_and_a_fake_does_not():
    kernel = ThreadedKernel(dict(EXPLORATIONS))
    honest = kernel.function("time_gradients")
    with kernel.kernel.serving():
        assert _timing_part(honest).startswith("7.0 ")
    source = ("import time\n"
              "def time_gradients(layer_sizes_list, batch_size=16, seed=0, backprop=None,\n"
              "                   numerical_network_gradients=None):\n"
              "    rows = [(sum(a * b + b for a, b in zip(s[:-1], s[1:])), 2e-4, 0.05)\n"
              "            for s in layer_sizes_list]\n"
              "    time.sleep(sum(b + n for _, b, n in rows))\n"
              "    return rows\n")
    faker = kernel_with(source)
    with faker.kernel.serving():
        assert _timing_part(faker.function("time_gradients")).startswith("2.0 ")
