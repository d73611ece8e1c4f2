"""What a cell keeps of the kernel's output messages: sizes measured, errors shortened, the
grader's mark removed, stderr turned into ordinary text.

Used by :class:`sandbox.execute.SealedExecute`, which bounds the output a cell keeps (its
``output_bytes``) with :func:`size` and keeps a shortened error (:func:`short_error`) even past
that bound, so that a failing cell still fails.
"""

from __future__ import annotations

import json
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output

from sandbox import METADATA_KEY

#: Kept of an error: its name and message, and the last lines of its traceback.
ERROR_LIMITS = {"ename": 200, "evalue": 4000, "traceback": 8000}


def unmarked(msg: dict[str, Any]) -> dict[str, Any]:
    """The kernel's message without the grader's mark in its output metadata: only the grader's
    own outputs carry it."""
    metadata = msg["content"].get("metadata")
    if not (isinstance(metadata, dict) and METADATA_KEY in metadata):
        return msg
    kept = {key: value for key, value in metadata.items() if key != METADATA_KEY}
    return {**msg, "content": {**msg["content"], "metadata": kept}}


def size(content: dict[str, Any]) -> int:
    """The size of a message's content as JSON, in bytes (roughly: characters)."""
    return len(json.dumps(content, default=str))


def short_error(content: dict[str, Any]) -> dict[str, Any]:
    """An error's content cut to :data:`ERROR_LIMITS` (a traceback keeps its last lines)."""
    lines = content.get("traceback")
    lines = [str(line) for line in lines[-200:]] if isinstance(lines, list) else []
    kept: list[str] = []
    budget = ERROR_LIMITS["traceback"]
    for line in reversed(lines):
        if len(line) > budget:
            break
        kept.insert(0, line)
        budget -= len(line)
    return {"ename": str(content.get("ename", "Error"))[:ERROR_LIMITS["ename"]],
            "evalue": str(content.get("evalue", ""))[:ERROR_LIMITS["evalue"]],
            "traceback": kept}


def as_text(output: NotebookNode) -> NotebookNode:
    """stderr shown as ordinary text: a warning is not an error (nbgrader scores 0 a test cell
    with any stderr)."""
    if output.output_type == "stream" and output.get("name") == "stderr":
        return new_output("stream", name="stdout", text=output.text)
    return output
