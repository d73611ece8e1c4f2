"""Suite-wide pytest settings: an environment that each test file leaves as it found it.

``make test`` runs ``pytest -n auto --dist loadfile``: each test file goes to one worker (so a
module fixture that grades a whole course folder is built once), and one worker runs file after
file in one process, so what a file sets in ``os.environ`` must not reach the next.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="module")
def _environment_restored() -> Iterator[None]:
    """A test file may point the course at its own exchange, gradebook or time limit through
    ``BACKPROP_*`` variables (``simulation.semester`` sets them, as its command needs): whatever
    it set ends with the file, so a later file in the same worker gets its own course's
    settings."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
