"""JupyterLab's contents for a student: a released notebook opens without an unsaved mark.

When a notebook's kernel connects, JupyterLab writes the kernel's ``language_info`` (Python's
version, the lexer, the file extension...) into the notebook's metadata, and any change to the
notebook marks its tab unsaved. Released notebooks carry only ``{"name": "python"}`` there (the
full record names a Python version, which differs between machines), so every notebook a
student opened looked changed before they typed anything. ``StudentContentsManager``, set by
the student configuration (``jupyter_student_config/jupyter_server_config.py``), serves a
Python notebook whose ``language_info`` has no version with the one this machine's Python
kernel reports, so the kernel's record changes nothing. The file on disk is untouched until
the student saves (which writes the same record).

`make lab` has no nbgrader exchange, so no student id: it sets :data:`QUIZ_NUMBERS` to
``default`` in JupyterLab's environment (its kernels inherit it), and the quiz's numbers cell
then shows the default numbers, the same for everyone, and says why (grading/quiz_numbers.py).
A course server whose students submit through the exchange does not set it: there each student
sees numbers of their own.
"""

from __future__ import annotations

from typing import Any

from ipykernel.ipkernel import IPythonKernel
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

#: Set to ``default`` by `make lab`: the quiz shows its default numbers (no exchange, no id).
QUIZ_NUMBERS = "BACKPROP_QUIZ_NUMBERS"

#: The kernel specs whose kernel is this Python's ipykernel (the course's notebooks use it).
PYTHON_KERNELS = frozenset({"python3"})


def complete_language_info(notebook: dict[str, Any]) -> None:
    """Fill in ``notebook``'s ``language_info`` as the Python kernel will report it, when it
    is a Python notebook whose record has no version yet."""
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict):
        return
    kernel = (metadata.get("kernelspec") or {}).get("name")
    info = metadata.get("language_info") or {}
    if kernel in PYTHON_KERNELS and info.get("name", "python") == "python" \
            and "version" not in info:
        metadata["language_info"] = {**info, **IPythonKernel.language_info}


class StudentContentsManager(AsyncLargeFileManager):
    """Jupyter Server's default contents manager; notebooks get a complete ``language_info``."""

    async def get(self, path: str, content: bool = True, type: str | None = None,
                  format: str | None = None, require_hash: bool = False) -> dict[str, Any]:
        model = await super().get(path, content=content, type=type, format=format,
                                  require_hash=require_hash)
        if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            complete_language_info(model["content"])
        return model
