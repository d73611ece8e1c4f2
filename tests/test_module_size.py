"""Every Python module of the project, tests and benchmarks included, stays under
:data:`MOST_LINES` lines: a module that grows past it holds more than one job and is split by
job (``source/README.md`` says where each exercise's pieces live)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MOST_LINES = 400


def _tracked_python() -> list[Path]:
    """The Python files git tracks, or, outside a git checkout, those of the project's
    folders."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "*.py"], cwd=ROOT, check=True,
                                capture_output=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return sorted(p for folder in ("reference", "grading", "sandbox", "course", "simulation",
                                       "bench", "tests", "examples")
                      for p in (ROOT / folder).rglob("*.py"))
    return [ROOT / name for name in listed.split("\0") if name]


def test_the_project_has_python_modules_to_measure():
    assert len(_tracked_python()) > 100


@pytest.mark.parametrize("path", _tracked_python(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_stays_under_the_line_limit(path):
    if not path.is_file():
        pytest.skip("deleted from the work tree")
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MOST_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by job"
