"""The suite hands its slowest files to the workers first (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SECONDS

ROOT = Path(__file__).resolve().parents[1]


def test_every_timed_file_exists():
    missing = [path for path in SECONDS if not (ROOT / path).is_file()]
    assert not missing, f"tests/conftest.py SECONDS names files that are gone: {missing}"


def test_the_files_run_longest_first(request: pytest.FixtureRequest):
    """The collected files (whatever this run selected) come in order of their weight, and a
    file's tests stay together."""
    files: list[str] = []
    for item in request.session.items:
        path = item.nodeid.split("::", 1)[0]
        if not files or files[-1] != path:
            assert path not in files, f"{path}'s tests were split apart"
            files.append(path)
    timed = [SECONDS[path] for path in files if path in SECONDS]
    assert timed == sorted(timed, reverse=True)
    if any(path in SECONDS for path in files):
        assert files[0] in SECONDS
