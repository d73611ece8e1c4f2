"""A student's function called through the grading connection behaves like a local call for
the graders: results, exceptions, arguments changed in place, random generators, callbacks.
Here the kernel's end (sandbox.harness) runs in a thread of the test over a socket pair."""

from __future__ import annotations

import inspect
import time

import numpy as np
import pytest

from grading import grade
from sandbox import remote, wire

from .threaded_kernel import ThreadedKernel as Notebook


def student(source: str) -> Notebook:
    namespace = {"np": np}
    exec(source, namespace)
    return Notebook(namespace)


def test_results_and_describe():
    notebook = student("def double(x):\n    return 2 * x\nanswer = 'b'\n")
    double = notebook.kernel.function("double")
    with notebook.kernel.serving():
        assert np.array_equal(double(np.arange(3.0)), [0.0, 2.0, 4.0])
        assert notebook.kernel.describe("answer") == ("value", "b")
    assert len(notebook.threads) == 1, "one execution serves the whole block"
    assert notebook.kernel.describe("double") == ("function", None)
    assert notebook.kernel.describe("nothing") == ("missing", None)


def test_exceptions_keep_their_type_and_message():
    notebook = student(
        "class Oops(Exception): pass\n"
        "def shape_error(x): raise ValueError('shapes (2,3) and (4,) not aligned')\n"
        "def stub(x): raise NotImplementedError()\n"
        "def own(x): raise Oops('mine')\n"
        "def leave(x): raise SystemExit(3)\n")
    kernel = notebook.kernel
    with pytest.raises(ValueError, match="not aligned"):
        kernel.function("shape_error")(1)
    with pytest.raises(NotImplementedError):
        kernel.function("stub")(1)
    with pytest.raises(Exception, match="mine") as raised:
        kernel.function("own")(1)
    assert type(raised.value).__name__ == "Oops"
    with pytest.raises(Exception) as raised:
        kernel.function("leave")(1)
    assert type(raised.value).__name__ == "SystemExit" and not isinstance(raised.value,
                                                                          SystemExit)


def test_changes_to_arguments_come_back():
    notebook = student(
        "def scale(x, things, rng):\n"
        "    x *= 2\n    things.append(rng.random())\n    return None\n")
    x, things, rng = np.ones(3), [], np.random.default_rng(1)
    twin = np.random.default_rng(1)
    notebook.kernel.function("scale")(x, things, rng)
    assert np.array_equal(x, [2.0, 2.0, 2.0])
    assert things == [twin.random()]
    assert rng.random() == twin.random()


def test_the_student_calls_the_graders_functions_back():
    notebook = student("def apply(g, z):\n    return g(z) + g(2 * z)\n")
    seen = []

    def g(z):
        seen.append(np.shape(z))
        return z + 1

    assert np.array_equal(notebook.kernel.function("apply")(g, np.zeros(2)), [2.0, 2.0])
    assert seen == [(2,), (2,)]


def test_a_generator_result_is_a_generator():
    notebook = student("def batches(n):\n    for i in range(n):\n        yield i\n")
    result = notebook.kernel.function("batches")(3)
    assert inspect.isgenerator(result) and list(result) == [0, 1, 2]


def test_an_object_equal_to_everything_does_not_cross():
    notebook = student(
        "class Anything:\n    def __eq__(self, other): return True\n"
        "def sigmoid(z):\n    return Anything()\n")
    result = notebook.kernel.function("sigmoid")(np.zeros(2))
    assert isinstance(result, wire.Opaque)
    with pytest.raises(AssertionError):
        grade("forward.sigmoid", notebook.kernel.function("sigmoid"))


def test_a_correct_remote_function_passes_its_grader():
    notebook = student(
        "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n"
        "    return np.exp(-np.logaddexp(0, -z))\n")
    grade("forward.sigmoid", notebook.kernel.function("sigmoid"))


def test_a_broken_harness_loses_the_kernel_for_good():
    notebook = student("def f(x):\n    return x\n")
    notebook.harness.serve = lambda: None  # the notebook replaced its end of grading
    with pytest.raises(remote.KernelLost):
        notebook.kernel.function("f")(1)
    with pytest.raises(remote.KernelLost):
        notebook.kernel.describe("f")


def test_a_function_that_calls_back_forever_still_meets_the_deadline():
    notebook = student("def spin(g):\n    while True:\n        g(1.0)\n")
    interrupted = []
    notebook.kernel.interrupt = lambda: interrupted.append(True)
    notebook.kernel.grace = 0.3
    notebook.kernel.deadline = time.monotonic() + 0.5
    start = time.monotonic()
    with pytest.raises(remote.KernelLost, match="did not finish"):
        notebook.kernel.function("spin")(lambda x: x)
    assert interrupted and time.monotonic() - start < 5
