"""The kernel's end of grading: calls a student's function on the grader's inputs, sends back
what it returned.

This module is sent as source into the student's sandboxed kernel before the notebook runs; it
cannot import the course's packages there (they are not in the sandbox), so it is given
:mod:`sandbox.wire` as an argument. It knows nothing of the graders or the reference: it
receives a name and arguments, calls, and answers. When the student's function calls a function
the grader handed it (an activation, a loss to differentiate), that call goes back to the grader,
which runs its own copy and answers; meanwhile the kernel waits, serving any call the grader
makes in turn.

The grader executes ``__grading_harness__.serve()`` in the kernel (once per grading statement):
it answers requests until the grader says ``done``, so the student's code runs in the kernel's
main thread, where an interrupt can stop it.
"""

from __future__ import annotations

import builtins
import socket
from types import ModuleType
from typing import Any

#: How many characters of an exception's message are sent.
MESSAGE_LIMIT = 2000


def _exception_type(name: str) -> type[BaseException]:
    found = getattr(builtins, name, None)
    if isinstance(found, type) and issubclass(found, Exception):
        return found
    return RuntimeError


class Harness:
    """Serves the grader's requests on ``sock``, looking names up in ``namespace`` (the
    notebook's globals)."""

    def __init__(self, sock: socket.socket, wire: ModuleType, namespace: dict[str, Any]) -> None:
        self.sock = sock
        self.wire = wire
        self.namespace = namespace

    def serve(self) -> None:
        """Answer the grader's requests until it says it is done."""
        while (request := self.wire.receive(self.sock))["op"] != "done":
            self._answer(request)

    def _answer(self, request: dict[str, Any]) -> None:
        try:
            if request["op"] == "call":
                reply = self._call(request)
            elif request["op"] == "describe":
                reply = self._describe(str(request["name"]))
            else:
                reply = _raised(RuntimeError(f"unknown request {request['op']!r}"))
        except BaseException as error:  # whatever happened, the grader hears of it
            reply = _raised(error)
        try:
            self.wire.send(self.sock, reply)
        except self.wire.WireError as error:
            self.wire.send(self.sock, _raised(error))

    def _describe(self, name: str) -> dict[str, Any]:
        if name not in self.namespace:
            return {"op": "return", "kind": "missing"}
        value = self.namespace[name]
        if callable(value):
            return {"op": "return", "kind": "function"}
        return {"op": "return", "kind": "value", "value": self.wire.encode(value)}

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        target = self.namespace.get(str(request["name"]))
        if not callable(target):
            raise NameError(f"name {request['name']!r} is not defined")
        args = self.wire.decode(request["args"], self._stub)
        kwargs = self.wire.decode(request["kwargs"], self._stub)
        result = target(*args, **kwargs)
        encoded = self.wire.encode_result(result, self._reference)
        return {"op": "return", "value": encoded,
                "args": self.wire.encode(args, self._reference),
                "kwargs": self.wire.encode(kwargs, self._reference)}

    def _stub(self, tag: str, payload: Any) -> Any:
        """A grader's function (``callback``) or a notebook name (``global``) in an argument."""
        if tag == "callback":
            return _Callback(self, int(payload))
        if tag == "global":
            return self.namespace[str(payload)]
        raise self.wire.WireError(f"unknown tag {tag!r}")

    def _reference(self, value: Any) -> Any:
        if isinstance(value, _Callback) and value.harness is self:
            return {"callback": value.number}
        return NotImplemented

    def call_grader(self, number: int, args: tuple, kwargs: dict[str, Any]) -> Any:
        """Run the grader's function ``number`` on ``args``; serve the grader's own requests
        until its answer comes."""
        self.wire.send(self.sock, {"op": "callback", "id": number,
                                   "args": self.wire.encode(list(args), self._reference),
                                   "kwargs": self.wire.encode(kwargs, self._reference)})
        while True:
            message = self.wire.receive(self.sock)
            if message["op"] == "return":
                return self.wire.decode(message["value"], self._stub)
            if message["op"] == "raise":
                raise _exception_type(str(message.get("type")))(str(message.get("message")))
            self._answer(message)


class _Callback:
    """A function the grader passed in; calling it asks the grader to run it."""

    def __init__(self, harness: Harness, number: int) -> None:
        self.harness = harness
        self.number = number

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.harness.call_grader(self.number, args, kwargs)


def _raised(error: BaseException) -> dict[str, Any]:
    return {"op": "raise", "type": type(error).__name__,
            "message": str(error)[:MESSAGE_LIMIT]}


def connect(path: str, wire: ModuleType, namespace: dict[str, Any]) -> Harness:
    """Connect to the grader's socket at ``path``; the harness that serves it."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return Harness(sock, wire, namespace)


def bootstrap(path: str, wire_source: str, harness_source: str) -> str:
    """The code the grader runs silently in a new kernel, before the notebook's first cell."""
    return (
        "def __grading_setup__():\n"
        "    import types\n"
        "    wire = types.ModuleType('grading_wire')\n"
        f"    exec(compile({wire_source!r}, 'grading_wire', 'exec'), wire.__dict__)\n"
        "    harness = types.ModuleType('grading_harness')\n"
        f"    exec(compile({harness_source!r}, 'grading_harness', 'exec'), harness.__dict__)\n"
        f"    return harness.connect({path!r}, wire, globals())\n"
        "__grading_harness__ = __grading_setup__()\n"
        "del __grading_setup__\n"
    )

