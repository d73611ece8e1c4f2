"""The grader's end: student functions that live in a sandboxed kernel, called from outside it.

A hidden test cell's ``grade("forward.sigmoid", sigmoid)`` runs here, in the grading process,
with :class:`RemoteFunction` standing for the student's ``sigmoid``: each call sends its inputs
to the kernel (:mod:`sandbox.harness`), the student's code runs there, and only plain data comes
back (:mod:`sandbox.wire`). The comparison with the reference happens here, where no student code
ever ran, so monkeypatching NumPy, redefining the grader or returning an object that equals
everything changes nothing but the student's own outputs.

Calls behave like local calls for the graders: an argument the student's function changed in
place is changed here too, a ``np.random.Generator`` argument moves on by the draws the student
made, a function the grader passes (an activation, a loss) runs here when the student calls it,
and an exception the student's code raised is raised here with its type (builtin types; others as
:class:`StudentError`) and message. The graders hand student functions copies of their inputs
(:func:`grading.calls.call`), so what is changed here is a copy, compared afterwards with the
grader's own; a change that cannot be mirrored raises :class:`grading.calls.ChangedInPlace`.
"""

from __future__ import annotations

import builtins
import contextlib
import select
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from grading.calls import ChangedInPlace
from grading.registry import Failure
from sandbox import wire


class KernelLost(Failure):
    """The kernel stopped answering: it died, or the notebook broke its end of grading."""


class CallTimeout(Failure):
    """A call into the kernel ran past its time; the kernel was interrupted."""


class Kernel:
    """The grading connection to one student's kernel.

    ``start()`` asks the kernel to serve requests (it executes ``__grading_harness__.serve()``
    silently and returns the execution's message id); requests made inside :meth:`serving` share
    one such execution, which ends when the block does;
    ``finished(msg_id)`` is the kernel's reply to that execution once it came (else None);
    ``interrupt()`` interrupts the kernel. ``deadline`` (a ``time.monotonic()`` value) bounds
    every call made until it is changed. ``hung`` names the notebook's functions known to have
    run past a time limit (set by the grader): diagnosis does not call them again.
    """

    def __init__(self, sock: socket.socket, start: Callable[[], str],
                 finished: Callable[[str], dict[str, Any] | None],
                 interrupt: Callable[[], None], grace: float = 5.0) -> None:
        self.sock = sock
        self.start = start
        self.finished = finished
        self.interrupt = interrupt
        self.grace = grace
        self.deadline = float("inf")
        self.lost: str | None = None
        self.timeouts = 0  # calls that ran past the deadline
        self.hung: set[str] = set()
        self._callbacks: dict[int, Callable[..., Any]] = {}
        self._numbered = 0  # callbacks ever registered: a number is never reused
        self._depth = 0
        self._execution: str | None = None

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """Let every request of the block be served by one execution in the kernel."""
        try:
            yield
        finally:
            if self._execution is not None and not self.lost:
                with contextlib.suppress(OSError, wire.WireError):
                    wire.send(self.sock, {"op": "done"})
            self._execution = None
            self._callbacks.clear()

    def function(self, name: str) -> RemoteFunction:
        """The student's function ``name``, callable from here."""
        return RemoteFunction(self, name)

    def describe(self, name: str) -> tuple[str, Any]:
        """``("function", None)``, ``("value", value)`` or ``("missing", None)`` for the
        notebook's global ``name``."""
        reply = self.request({"op": "describe", "name": name})
        kind = reply.get("kind")
        if kind == "value":
            return "value", wire.decode(reply.get("value"))
        if kind in ("function", "missing"):
            return kind, None
        raise KernelLost("the kernel gave an answer grading does not understand")

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send ``message``; serve the kernel's calls back until its answer; return it."""
        if self.lost:
            raise KernelLost(self.lost)
        top = self._depth == 0
        self._depth += 1
        try:
            wire.send(self.sock, message)
            if top and self._execution is None:
                self._execution = self.start()
            reply = self._await_reply(self._execution if top else None)
        except (OSError, EOFError, wire.WireError) as error:
            self.lost = ("grading lost its connection to the notebook's kernel (the notebook's "
                         f"code closed it, or the kernel died: {error})")
            raise KernelLost(self.lost) from None
        finally:
            self._depth -= 1
        if reply["op"] == "raise":
            raise _rebuild(reply)
        return reply

    def _await_reply(self, execution: str | None) -> dict[str, Any]:
        interrupted_at: float | None = None
        while True:
            readable, _, _ = select.select([self.sock], [], [], 0.05)
            if readable:
                self.sock.settimeout(max(1.0, self.grace))
                message = wire.receive(self.sock)
                if message["op"] == "callback":
                    # no `continue`: a function calling back without end still meets the deadline
                    self._serve_callback(message)
                elif message["op"] in ("return", "raise"):
                    if interrupted_at is not None and message["op"] == "raise":
                        self.timeouts += 1
                        raise CallTimeout(self._timeout_message())
                    return message
                else:
                    raise wire.WireError(f"unexpected message {message['op']!r}")
            elif execution is not None and (done := self.finished(execution)) is not None:
                self.lost = ("the notebook's code cut grading off from the kernel (its end of "
                             "grading did not answer: "
                             f"{done.get('ename', 'no error')} {done.get('evalue', '')})".strip())
                raise KernelLost(self.lost)
            now = time.monotonic()
            if interrupted_at is None and now > self.deadline:
                self.interrupt()
                interrupted_at = now
            elif interrupted_at is not None and now > interrupted_at + self.grace:
                self.timeouts += 1
                self.lost = self._timeout_message() + " It could not be interrupted."
                raise KernelLost(self.lost)

    def _timeout_message(self) -> str:
        return "your code did not finish in the time allowed (an endless loop?)"

    def _serve_callback(self, message: dict[str, Any]) -> None:
        function = self._callbacks.get(message.get("id"))  # type: ignore[arg-type]
        try:
            if function is None:
                raise RuntimeError("no such function")
            args = wire.decode(message["args"], self._reference)
            kwargs = wire.decode(message["kwargs"], self._reference)
            result = function(*args, **kwargs)
            reply = {"op": "return", "value": wire.encode(result, self._handle)}
        except Exception as error:
            reply = {"op": "raise", "type": type(error).__name__, "message": str(error)[:2000]}
        wire.send(self.sock, reply)

    def _handle(self, value: Any) -> Any:
        """Encode what only a reference can carry: this kernel's functions, and the grader's
        functions (registered, so the kernel can call them back)."""
        if isinstance(value, RemoteFunction) and value.kernel is self:
            return {"global": value.name}
        if callable(value) and not isinstance(value, (np.ndarray, np.generic, type)):
            number = self._numbered
            self._numbered += 1
            self._callbacks[number] = value
            return {"callback": number}
        return NotImplemented

    def _reference(self, tag: str, payload: Any) -> Any:
        if tag == "callback" and payload in self._callbacks:
            return self._callbacks[payload]
        if tag == "global":
            return RemoteFunction(self, str(payload))
        raise wire.WireError(f"unknown tag {tag!r}")


class RemoteFunction:
    """A student's function in the kernel, called like a local one."""

    def __init__(self, kernel: Kernel, name: str) -> None:
        self.kernel = kernel
        self.name = name
        self.__name__ = name

    def __repr__(self) -> str:
        return f"<the notebook's function {self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        reply = self.kernel.request({
            "op": "call", "name": self.name,
            "args": wire.encode(list(args), self.kernel._handle),
            "kwargs": wire.encode(dict(kwargs), self.kernel._handle)})
        decode = self.kernel._reference
        try:
            args_after = wire.decode(reply["args"], decode)
            kwargs_after = wire.decode(reply["kwargs"], decode)
            value = wire.decode(reply["value"], decode)
        except KeyError:
            raise KernelLost("the kernel's answer is incomplete") from None
        if (not isinstance(args_after, list) or len(args_after) != len(args)
                or not isinstance(kwargs_after, dict) or kwargs_after.keys() != kwargs.keys()):
            raise KernelLost("the kernel's answer does not match the call")
        # The graders hand the student copies (grading.calls.call) and compare them afterwards:
        # mirroring shows them every change, and one that cannot be mirrored is reported here.
        for where, mine, theirs in (*zip(range(len(args)), args, args_after, strict=True),
                                    *((key, kwargs[key], kwargs_after[key]) for key in kwargs)):
            if not mirror(mine, theirs):
                what = f"number {where + 1}" if isinstance(where, int) else where
                raise ChangedInPlace(
                    f"{self.name} changed its argument {what} in place (in a way grading cannot "
                    "follow); it must leave its inputs unchanged", where)
        return value


def mirror(local: Any, changed: Any) -> bool:
    """Apply to the grader's arguments what the student's code did to the kernel's copies:
    arrays written in place, lists and dicts changed, random generators moved on.

    Returns False when ``changed`` differs from ``local`` in a way that cannot be applied in
    place (an array of another shape or type, a read-only array written, a tuple or number
    that is not the same): the caller must not take ``local`` for what the student's code saw.
    """
    if isinstance(local, np.ndarray):
        if not isinstance(changed, np.ndarray) or local.shape != changed.shape:
            return False
        if local.dtype != changed.dtype and not _equal_arrays(local, changed):
            return False
        if local.flags.writeable:
            np.copyto(local, changed, casting="unsafe")
            return True
        return _equal_arrays(local, changed)
    if isinstance(local, np.random.Generator):
        if not isinstance(changed, np.random.Generator):
            return False
        local.bit_generator.state = changed.bit_generator.state
        return True
    if isinstance(local, list):
        if not isinstance(changed, list):
            return False
        if len(local) != len(changed):
            local[:] = changed
            return True
        applied = True
        for index, theirs in enumerate(changed):
            if _same_kind(local[index], theirs):
                applied = mirror(local[index], theirs) and applied
            else:
                local[index] = theirs
        return applied
    if isinstance(local, dict):
        if not isinstance(changed, dict):
            return False
        applied = True
        for key, theirs in changed.items():
            if key in local and _same_kind(local[key], theirs):
                applied = mirror(local[key], theirs) and applied
            else:
                local[key] = theirs
        for key in [k for k in local if k not in changed]:
            del local[key]
        return applied
    if isinstance(local, tuple):
        if not isinstance(changed, tuple) or len(local) != len(changed):
            return False
        return all([mirror(mine, theirs) for mine, theirs in zip(local, changed, strict=True)])
    if isinstance(local, (bool, int, float, complex, str, bytes, np.generic)) or local is None:
        return _equal(local, changed)
    return True  # a function, or what does not cross: nothing the student could change


def _equal_arrays(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        return bool(np.array_equal(a, b, equal_nan=True))
    except TypeError:
        return bool(np.array_equal(a, b))


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) or (a != a and b != b)  # NaN is still NaN
    except Exception:
        return False


def _same_kind(a: Any, b: Any) -> bool:
    mutable = (np.ndarray, list, dict, tuple, np.random.Generator)
    both_tuples = isinstance(a, tuple) and isinstance(b, tuple)  # a NamedTuple comes back plain
    return isinstance(a, mutable) and (type(a) is type(b) or both_tuples)


def _rebuild(reply: dict[str, Any]) -> BaseException:
    """The exception a ``raise`` reply describes: a builtin exception type by name; for another
    name (the student's own class, SystemExit), a new Exception subclass of that name."""
    name, message = str(reply.get("type")), str(reply.get("message", ""))
    if name == "KeyboardInterrupt":
        return CallTimeout("your code was interrupted")
    found = getattr(builtins, name, None)
    if isinstance(found, type) and issubclass(found, Exception):
        try:
            return found(message)
        except Exception:  # a builtin whose constructor wants other arguments
            pass
    if not name.isidentifier() or len(name) > 80:
        name = "Exception"
    return type(name, (Exception,), {})(message)
