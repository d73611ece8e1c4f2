"""Only plain data crosses between a student's kernel and the grader, exactly, and a message
that breaks the rules is refused rather than trusted."""

from __future__ import annotations

import collections
import decimal
import fractions
import inspect
import socket
import typing

import numpy as np
import pytest

from sandbox import wire


def round_trip(value, **kwargs):
    return wire.decode(wire.encode(value), **kwargs)


@pytest.mark.parametrize("value", [
    None, True, 0, -3, 2**80, 1.5, float("inf"), -0.0, 1e-310, 3 + 4j, "text",
    [1, [2.0, "x"]], (1, (2,)), {"a": 1, 2: [3]},
])
def test_plain_values_cross_exactly(value):
    back = round_trip(value)
    assert back == value and type(back) is type(value)


def test_nan_crosses():
    assert np.isnan(round_trip(float("nan")))


@pytest.mark.parametrize("array", [
    np.arange(12.0).reshape(3, 4), np.array([True, False]), np.arange(5, dtype=np.int32),
    np.array([1 + 2j], dtype=np.complex64), np.zeros((0, 3)), np.asfortranarray(np.eye(3)),
    np.arange(6.0)[::2], np.array(3.5), np.arange(4, dtype=">f8"),
])
def test_arrays_keep_values_shape_and_dtype(array):
    back = round_trip(array)
    assert type(back) is np.ndarray and back.shape == array.shape
    assert back.dtype == array.dtype.newbyteorder("=")
    np.testing.assert_array_equal(back, array)


def test_numpy_scalars_stay_numpy_scalars():
    back = round_trip(np.float32(1.25))
    assert type(back) is np.float32 and back == np.float32(1.25)


def test_a_generator_arrives_as_a_generator_of_its_items():
    back = wire.decode(wire.encode_result(x * 2 for x in range(3)))
    assert inspect.isgenerator(back) and list(back) == [0, 2, 4]


def test_a_random_generator_crosses_in_its_state():
    rng = np.random.default_rng(7)
    rng.random(3)
    copy = round_trip(rng)
    assert copy.random() == rng.random()


class Anything:
    """What a cheating submission returns: equal to everything."""

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class SneakyArray(np.ndarray):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [Anything(), lambda x: x, object, np.array([Anything()])])
def test_what_is_not_plain_data_arrives_opaque(value):
    back = round_trip(value)
    assert isinstance(back, wire.Opaque)
    assert back != back and not (back == 1)


def test_a_text_subclass_arrives_as_its_plain_text():
    sneaky = type("Str", (str,), {"__eq__": lambda s, o: True, "__hash__": str.__hash__})("x")
    back = round_trip(sneaky)
    assert type(back) is str and back == "x" and back != "y"


Cache = collections.namedtuple("Cache", "A_prev Z A")


class Grads(typing.NamedTuple):
    dW: np.ndarray
    db: np.ndarray


class Shouting(dict):
    pass


class Items(list):
    pass


class Pair(tuple):
    pass


@pytest.mark.parametrize(("value", "expected"), [
    (fractions.Fraction(1, 4), 0.25), (decimal.Decimal("0.5"), 0.5),
    (True, True),
    ({"b", "c"}, frozenset({"b", "c"})), (frozenset({1, 2}), frozenset({1, 2})),
    (collections.OrderedDict(x=1, y=2), {"x": 1, "y": 2}), (Shouting(a=1), {"a": 1}),
    (Items([1, 2]), [1, 2]), (Pair((1, 2)), (1, 2)), (range(3), [0, 1, 2]),
    (collections.deque([1, 2]), [1, 2]), ({"x": {1, 2}}.keys(), frozenset({"x"})),
])
def test_values_cross_by_protocol_as_plain_values(value, expected):
    back = round_trip(value)
    assert back == expected and type(back) is type(expected)


@pytest.mark.parametrize("value", [
    Cache(np.ones(2), np.zeros(2), np.ones(2)), Grads(np.eye(2), np.ones(2)),
])
def test_named_tuples_keep_their_field_names(value):
    back = round_trip(value)
    assert isinstance(back, tuple) and back._fields == value._fields
    assert type(back).__name__ == type(value).__name__
    for mine, theirs in zip(back, value, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert type(round_trip(value)) is type(back), "one type per name and fields"


@pytest.mark.parametrize("payload", [
    {"name": "x", "fields": ["def", "class"], "values": [{"int": "1"}, {"int": "2"}]},
    {"name": "os.system('x')", "fields": ["a b", "_c"], "values": [{"int": "1"}, {"int": "2"}]},
])
def test_named_tuple_names_are_checked_not_trusted(payload):
    back = wire.decode({"namedtuple": payload})
    assert tuple(back) == (1, 2) and type(back).__name__ in ("x", "Record")
    assert all(field.isidentifier() for field in back._fields)


@pytest.mark.parametrize("message", [
    {"namedtuple": {"name": "x", "fields": ["a"], "values": [1, 2]}},
    {"namedtuple": {"name": "x", "fields": [1], "values": [1]}},
    {"set": [{"list": [1]}]},
])
def test_malformed_containers_are_refused(message):
    with pytest.raises(wire.WireError):
        wire.decode(message)


class ArrayLike:
    """What pandas and other libraries return: not an ndarray, but convertible to one."""

    def __array__(self, dtype=None, copy=None):
        return np.arange(3.0)

    def __eq__(self, other):
        return True


def test_an_array_like_arrives_as_the_array_it_stands_for():
    back = round_trip(ArrayLike())
    assert type(back) is np.ndarray and back.tolist() == [0.0, 1.0, 2.0]


def test_an_ndarray_subclass_arrives_as_a_plain_array():
    sneaky = np.arange(3.0).view(SneakyArray)
    back = round_trip(sneaky)
    assert type(back) is np.ndarray and not (back == np.zeros(3)).all()


@pytest.mark.parametrize("message", [
    {"array": {"dtype": "O", "shape": [1], "data": ""}},
    {"array": {"dtype": "<f8", "shape": [2], "data": "AAAA"}},
    {"array": {"dtype": "<f8", "shape": [-1], "data": ""}},
    {"pickle": "gASV"},
    {"list": "not a list"},
    {"int": "9" * 5000},
    [1, 2],
    {"rng": {"bit_generator": "os.system", "state": {}}},
])
def test_malformed_data_is_refused(message):
    with pytest.raises((wire.WireError, ValueError)):
        wire.decode(message)


def test_nesting_is_bounded():
    deep: list = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.encode(deep)


def test_messages_are_framed_and_size_checked():
    left, right = socket.socketpair()
    with left, right:
        wire.send(left, {"op": "return", "value": wire.encode(np.ones(3))})
        assert np.array_equal(wire.decode(wire.receive(right)["value"]), np.ones(3))
        left.sendall((wire.MAX_MESSAGE + 1).to_bytes(4, "big"))
        with pytest.raises(wire.WireError):
            wire.receive(right)
