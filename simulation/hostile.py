"""Hostile submissions aimed at the grader's memory, shared by the attack suite
(``tests/sandbox/test_resource_attacks.py``) and the memory benchmark (``bench/hostile_memory.py``).

Each attack is the source of the ``sigmoid`` solution cell of problem set 1 (the rest of the
notebook left as released). All of them try to make the grading process, not the sandboxed
kernel, hold something huge: the kernel's own memory is capped by its sandbox, the grader's is
bounded only by what it agrees to read.
"""

from __future__ import annotations

import json
from pathlib import Path

#: Attacks through what the kernel sends, by name.
MEMORY_ATTACKS = {
    # 500 tracebacks of 200 kB in one cell, then a 3 MB error message: errors once escaped the
    # output cap (a 320 MB autograded notebook).
    "error_flood": """
ip = get_ipython()
for _ in range(500):
    try:
        raise ValueError("x" * 200_000)
    except ValueError:
        ip.showtraceback()
def sigmoid(z):
    raise ValueError("y" * 3_000_000)
""",
    # Display messages forged on the kernel's own socket: 39 MB and 3.9 MB of nested lists
    # (JSON that grows about 30-fold when parsed).
    "huge_iopub_message": """
ip = get_ipython()
publisher = ip.display_pub
for count in (13_000_000, 1_300_000):
    body = b'{"data": {"application/json": [' + b"[[]]," * (count // 2) + b'[]]}, "metadata": {}}'
    publisher.session.send(publisher.pub_socket, "display_data", content=body,
                           parent=publisher.parent_header)
""",
    # Replies forged on the grading socket while the grader calls sigmoid: 39 MB (over the
    # size limit) and 18 MB (under it, but six million nested lists).
    "huge_grading_reply": """
import struct
def sigmoid(z):
    for count in (13_000_000, 6_000_000):
        body = b'{"op": "return", "value": {"list": [' + b"[]," * count + b'[]]}}'
        __grading_harness__.sock.sendall(struct.pack(">I", len(body)) + body)
    return z
""",
}


#: An attack the grader cannot bound by what it reads, by name: one display message of 96
#: parts of 60 MiB each (5.6 GiB), every part under the size limit of one part. ZeroMQ hands a
#: message over only once all its parts are in, and has no limit on their number or total, so
#: what stops it is the grading worker's memory limit (``course.parallel_autograde.
#: limit_memory``). Slow to grade (minutes): in the memory benchmark, not the attack suite.
WORKER_LIMIT_ATTACKS = {
    "many_parts": """
ip = get_ipython()
publisher = ip.display_pub
part = b"x" * (60 * 2**20)
publisher.pub_socket.send_multipart([part] * 96, copy=False)
import time
time.sleep(3)
""",
}

def nested_lists_notebook(released: Path, target: Path, megabytes: int = 39) -> None:
    """Write to ``target`` the released notebook ``released`` with one output holding
    ``megabytes`` MB of nested JSON lists: the file a worker once parsed into 5 GiB."""
    notebook = json.loads(released.read_text(encoding="utf-8"))
    filler = "[" + "[[]]," * (megabytes * 2**20 // 5) + "[]]"
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    cell["outputs"] = [{"output_type": "display_data", "metadata": {},
                        "data": {"application/json": "@FILLER@"}}]
    text = json.dumps(notebook).replace('"@FILLER@"', filler)
    target.write_text(text, encoding="utf-8")
