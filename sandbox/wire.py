"""What crosses between the grader and a student's sandboxed kernel: plain data only.

Student functions receive their inputs and return their results through this encoding. What
crosses is data, read by protocol on the sending side and rebuilt as plain built-in values on
the other, so that whatever a visible check accepts, the grader reads the same way:

* numbers by :mod:`numbers` (an ``Integral`` as ``int``, a ``Real`` such as ``Fraction`` as
  ``float``, a ``Complex`` as ``complex``; ``Decimal`` as ``float``); strings and ``bool``;
* NumPy arrays and scalars of numeric dtypes (an ndarray subclass as a plain array), and
  array-likes (``__array__``, ``__array_interface__``) as what ``np.asarray`` makes of them;
* sequences: a ``list`` (or subclass, or any other non-string ``Sequence``) as a list, a
  ``tuple`` as a tuple, a named tuple (``collections.namedtuple``, ``typing.NamedTuple``) as a
  named tuple with the same field names; a ``Mapping`` (``dict`` and its subclasses,
  ``OrderedDict``...) as a dict; a ``set`` or ``frozenset`` as a frozenset;
* random generators (their state) and, from the kernel, a generator's items.

Anything else (an object with its own ``__eq__``, a class, a function) does not cross: it arrives
as an :class:`Opaque` placeholder that equals nothing, so a result cannot carry code that would
run where scores are computed. Decoding never imports or calls anything named by the message;
the named tuple types it makes are built from checked identifiers only.

Framing: each message is a 4-byte big-endian length and that many bytes of UTF-8 JSON.

This module is sent as source into the kernel (which cannot import the course's packages), so it
uses only the standard library and NumPy.
"""

from __future__ import annotations

import base64
import collections
import decimal
import functools
import json
import keyword
import math
import numbers
import socket
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from typing import Any

import numpy as np

#: Largest message either side accepts, in bytes (the whole digits data set fits 20 times).
MAX_MESSAGE = 32 * 1024 * 1024
#: Most lists and objects one message may hold (counted as ``[`` and ``{`` bytes before it is
#: parsed): parsed JSON costs tens of bytes per container, so a message of nothing but nested
#: empty lists would otherwise take the reader to gigabytes.
MAX_CONTAINERS = 200_000
#: Deepest nesting of lists, tuples and dicts that is encoded.
MAX_DEPTH = 40
#: Most items read from a generator a student function returns.
MAX_ITEMS = 100_000
#: NumPy dtype kinds that cross: bool, signed and unsigned integers, floats, complex numbers.
ARRAY_KINDS = "biufc"
#: Most fields of a named tuple that crosses as one.
MAX_FIELDS = 64
#: Bit generators whose state crosses, so a ``np.random.Generator`` argument stays in step.
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class WireError(Exception):
    """A message that breaks the rules: too large, too deep, or not this encoding."""


class Opaque:
    """Stands for a value that could not cross (its type name is kept for messages)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<an object of type {self.type_name}, which grading cannot read>"

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


def _dtype(value: np.ndarray | np.generic) -> str:
    dtype = value.dtype
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise TypeError(dtype)
    return dtype.newbyteorder("<").str if dtype.byteorder == ">" else dtype.str


def _array_payload(array: np.ndarray) -> dict[str, Any]:
    plain = np.asarray(array).view(np.ndarray)
    dtype = _dtype(plain)
    data = plain.astype(dtype, copy=False).tobytes(order="C")
    return {"dtype": dtype, "shape": list(plain.shape), "data": base64.b64encode(data).decode()}


def encode(value: Any, callback: Callable[[Any], Any] | None = None, depth: int = 0) -> Any:
    """``value`` as JSON-ready data. ``callback(v)`` is asked first for values it handles
    (callables, references); it returns NotImplemented for the rest."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    if callback is not None:
        handled = callback(value)
        if handled is not NotImplemented:
            return handled
    if value is None or type(value) in (bool, str):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, np.ndarray):
        try:
            return {"array": _array_payload(value)}
        except TypeError:
            return {"opaque": f"numpy array of dtype {value.dtype}"}
    if isinstance(value, np.generic):
        try:
            return {"scalar": _array_payload(np.asarray(value))}
        except TypeError:
            return {"opaque": f"numpy {type(value).__name__}"}
    number = _number(value)
    if number is not None:
        return number
    if isinstance(value, tuple) and _fields(value) is not None:
        return {"namedtuple": {"name": type(value).__name__, "fields": list(_fields(value)),
                               "values": [encode(item, callback, depth + 1) for item in value]}}
    if isinstance(value, tuple):
        return {"tuple": [encode(item, callback, depth + 1) for item in value]}
    if isinstance(value, Mapping):
        return {"dict": [[encode(k, callback, depth + 1), encode(v, callback, depth + 1)]
                         for k, v in value.items()]}
    if isinstance(value, Set):
        return {"set": [encode(item, callback, depth + 1) for item in value]}
    if isinstance(value, (list, Sequence)) and not isinstance(value, (bytes, bytearray)):
        return {"list": [encode(item, callback, depth + 1) for item in value]}
    if hasattr(type(value), "__array__") or hasattr(type(value), "__array_interface__"):
        try:  # an array-like (a pandas object, a tensor...): what np.asarray makes of it
            return {"array": _array_payload(np.asarray(value))}
        except Exception:
            return {"opaque": type(value).__name__}
    if isinstance(value, np.random.Generator):
        name = type(value.bit_generator).__name__
        if name in BIT_GENERATORS:
            return {"rng": {"bit_generator": name, "state": _plain(value.bit_generator.state)}}
    return {"opaque": type(value).__name__}


def _float_text(value: float) -> str:
    return value.hex() if math.isfinite(value) else repr(value)


def _number(value: Any) -> dict[str, Any] | None:
    """A number's encoding by its :mod:`numbers` class (``bool`` excluded); None for others."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Number, decimal.Decimal)):
        return None
    if isinstance(value, numbers.Integral):
        return {"int": str(int(value))}
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        return {"float": _float_text(float(value))}
    if isinstance(value, numbers.Complex):
        value = complex(value)
        return {"complex": [_float_text(value.real), _float_text(value.imag)]}
    return None


def _fields(value: tuple) -> tuple[str, ...] | None:
    """The field names of a named tuple (a tuple whose class lists one name per item)."""
    fields = getattr(type(value), "_fields", None)
    if (isinstance(fields, tuple) and len(fields) == len(value) <= MAX_FIELDS
            and all(isinstance(f, str) for f in fields)):
        return fields
    return None


@functools.lru_cache(maxsize=256)
def _named_tuple_type(name: str, fields: tuple[str, ...]) -> type:
    """A named tuple class with these (checked) names: the grader's stand-in for the
    student's, made once per name and fields."""
    if not name.isidentifier() or keyword.iskeyword(name) or len(name) > 80:
        name = "Record"
    return collections.namedtuple(name, fields, rename=True)


def _plain(state: Any) -> Any:
    """A bit generator's state (dicts of ints, strings and small arrays) as JSON data."""
    if isinstance(state, dict):
        return {str(k): _plain(v) for k, v in state.items()}
    if isinstance(state, np.ndarray):
        return {"array": _array_payload(state)}
    if isinstance(state, (np.integer, int)):
        return {"int": str(int(state))}
    return state


def _unplain(state: Any) -> Any:
    if isinstance(state, dict) and set(state) == {"array"}:
        return _decode_array(state["array"])
    if isinstance(state, dict) and set(state) == {"int"}:
        return int(state["int"])
    if isinstance(state, dict):
        return {k: _unplain(v) for k, v in state.items()}
    return state


def _decode_array(payload: Any) -> np.ndarray:
    if not isinstance(payload, dict) or set(payload) != {"dtype", "shape", "data"}:
        raise WireError("malformed array")
    dtype = np.dtype(str(payload["dtype"]))
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.itemsize > 32:
        raise WireError(f"dtype {dtype} does not cross")
    shape = tuple(int(n) for n in payload["shape"])
    if any(n < 0 for n in shape) or len(shape) > 32:
        raise WireError("malformed array shape")
    data = base64.b64decode(str(payload["data"]), validate=True)
    if len(data) != dtype.itemsize * math.prod(shape):
        raise WireError("array data does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


def _float(text: Any) -> float:
    if text in ("nan", "inf", "-inf"):
        return float(text)
    return float.fromhex(str(text))


def decode(data: Any, callback: Callable[[str, Any], Any] | None = None, depth: int = 0) -> Any:
    """The value :func:`encode` made ``data`` from. ``callback(tag, payload)`` decodes the tags
    this module does not know (``callback``, ``global``); without it they are an error."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    if data is None or type(data) in (bool, str):
        return data
    if type(data) is not dict or len(data) != 1:
        raise WireError(f"not a value of this encoding: {type(data).__name__}")
    ((tag, payload),) = data.items()
    if tag == "int":
        text = str(payload)
        if len(text) > 4300:
            raise WireError("integer too long")
        return int(text)
    if tag == "float":
        return _float(payload)
    if tag == "complex":
        return complex(_float(payload[0]), _float(payload[1]))
    if tag == "array":
        return _decode_array(payload)
    if tag == "scalar":
        return _decode_array(payload)[()]
    if tag == "namedtuple":
        if (not isinstance(payload, dict) or set(payload) != {"name", "fields", "values"}
                or not isinstance(payload["fields"], list)
                or not isinstance(payload["values"], list)
                or len(payload["fields"]) != len(payload["values"])
                or len(payload["fields"]) > MAX_FIELDS
                or not all(isinstance(f, str) and len(f) <= 80 for f in payload["fields"])):
            raise WireError("malformed named tuple")
        kind = _named_tuple_type(str(payload["name"])[:80], tuple(payload["fields"]))
        return kind(*(decode(item, callback, depth + 1) for item in payload["values"]))
    if tag == "set":
        if not isinstance(payload, list):
            raise WireError("malformed set")
        items = [decode(item, callback, depth + 1) for item in payload]
        if not all(_hashable(item) for item in items):
            raise WireError("unhashable set item")
        return frozenset(items)
    if tag in ("list", "tuple", "generator"):
        if not isinstance(payload, list):
            raise WireError(f"malformed {tag}")
        items = [decode(item, callback, depth + 1) for item in payload]
        if tag == "generator":
            return (item for item in items)
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        if not isinstance(payload, list):
            raise WireError("malformed dict")
        result = {}
        for pair in payload:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("malformed dict entry")
            key = decode(pair[0], callback, depth + 1)
            if not _hashable(key):
                raise WireError("unhashable dict key")
            result[key] = decode(pair[1], callback, depth + 1)
        return result
    if tag == "rng":
        return make_rng(payload)
    if tag == "opaque":
        return Opaque(str(payload)[:200])
    if callback is not None:
        return callback(tag, payload)
    raise WireError(f"unknown tag {tag!r}")


def _hashable(value: Any) -> bool:
    """Whether a decoded value can be a dict key or set item (plain values and tuples and
    frozensets of them)."""
    if value is None or isinstance(value, (str, int, float, complex, bool, np.generic)):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(_hashable(item) for item in value)
    return False


def make_rng(payload: Any) -> np.random.Generator:
    """A ``np.random.Generator`` in the state an ``rng`` payload describes."""
    name = payload.get("bit_generator") if isinstance(payload, dict) else None
    if name not in BIT_GENERATORS:
        raise WireError(f"bit generator {name!r} does not cross")
    bit_generator = getattr(np.random, name)()
    bit_generator.state = _unplain(payload["state"])
    return np.random.Generator(bit_generator)


def rng_state(payload: Any) -> dict[str, Any]:
    """The bit generator state of an ``rng`` payload (to set on the grader's own generator)."""
    return make_rng(payload).bit_generator.state


def materialize(value: Any) -> Any:
    """A generator or iterator read to the end (at most :data:`MAX_ITEMS` items) and tagged, so
    the other side gets a generator back; anything else unchanged."""
    if isinstance(value, Iterator) and not isinstance(value, (str, bytes, np.ndarray)):
        items = []
        for item in value:
            items.append(item)
            if len(items) > MAX_ITEMS:
                raise WireError(f"the generator gave more than {MAX_ITEMS} items")
        return _Items(items)
    return value


class _Items(list):
    """Items read from a generator (encoded with the ``generator`` tag)."""


def encode_result(value: Any, callback: Callable[[Any], Any] | None = None) -> Any:
    """Like :func:`encode`, with a generator's items tagged ``generator``."""
    value = materialize(value)
    if isinstance(value, _Items):
        return {"generator": [encode(item, callback, 1) for item in value]}
    return encode(value, callback)


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    """Write one framed message."""
    body = json.dumps(message, separators=(",", ":")).encode()
    if len(body) > MAX_MESSAGE:
        raise WireError(f"a message of {len(body)} bytes is over the {MAX_MESSAGE} byte limit")
    sock.sendall(struct.pack(">I", len(body)) + body)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket) -> dict[str, Any]:
    """Read one framed message (blocking; the caller sets the socket's timeout)."""
    (size,) = struct.unpack(">I", _read_exactly(sock, 4))
    if size > MAX_MESSAGE:
        raise WireError(f"a message of {size} bytes is over the {MAX_MESSAGE} byte limit")
    body = _read_exactly(sock, size)
    if body.count(b"[") + body.count(b"{") > MAX_CONTAINERS:
        raise WireError(f"a message with more than {MAX_CONTAINERS} lists and objects")
    message = json.loads(body)
    if not isinstance(message, dict) or not isinstance(message.get("op"), str):
        raise WireError("a message must be an object with an 'op'")
    return message
