"""The recorder and the matching of a failed submission against the mistake catalogue."""

from __future__ import annotations

import numpy as np
import pytest

from grading import Failure, grade
from grading.diagnosis import Raised, Recorder, Yielded, same


def test_recorder_keeps_arguments_as_they_were_before_the_call():
    def doubles_in_place(x):
        x *= 2
        return x

    recorder = Recorder(doubles_in_place)
    recorder(np.ones(3))
    (call,) = recorder.calls
    np.testing.assert_array_equal(call.args[0], np.ones(3))
    np.testing.assert_array_equal(call.outcome, np.full(3, 2.0))
    np.testing.assert_array_equal(call.args_after[0], np.full(3, 2.0))


def test_recorder_records_errors_and_reraises_them():
    recorder = Recorder(lambda z: np.ones(2) @ np.ones(3))
    with pytest.raises(ValueError):
        recorder(1.0)
    assert isinstance(recorder.calls[0].outcome, Raised)
    assert recorder.calls[0].outcome.kind == "ValueError"


def test_recorder_passes_generators_through_and_records_what_was_read():
    recorder = Recorder(lambda n: (i * i for i in range(n)))
    assert list(recorder(3)) == [0, 1, 4]
    assert recorder.calls[0].outcome == Yielded([0, 1, 4], ended=True)


def test_same_compares_nested_results_with_tolerance():
    assert same((np.ones(2), [1.0, {"a": 2.0}]), (np.ones(2) + 1e-12, [1.0, {"a": 2.0}]))
    assert not same((np.ones(2),), (np.ones(3),))
    assert not same(Raised("ValueError", "x"), np.ones(2))


def test_a_wrong_answer_outside_the_catalogue_gets_no_false_name():
    def sigmoid_off_by_a_little(z):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float))) + 1e-3

    with pytest.raises(Failure) as failure:
        grade("forward.sigmoid", sigmoid_off_by_a_little)
    assert "Likely mistake" not in str(failure.value)
    assert "largest error" in str(failure.value)


def test_a_correct_answer_is_not_touched_by_the_recorder():
    def sigmoid(z):
        z = np.asarray(z, dtype=float)
        out = np.empty_like(z)
        for index in np.ndindex(z.shape):      # a loop instead of vectorized code
            v = z[index]
            out[index] = 1 / (1 + np.exp(-v)) if v >= 0 else np.exp(v) / (1 + np.exp(v))
        return out

    grade("forward.sigmoid", sigmoid)


def test_hostile_results_do_not_break_the_diagnosis():
    class Hostile:
        def __deepcopy__(self, memo):
            raise RuntimeError("no copies")

        def __array__(self, *args, **kwargs):
            raise RuntimeError("no arrays")

    with pytest.raises(Failure):
        grade("forward.sigmoid", lambda z: Hostile())
