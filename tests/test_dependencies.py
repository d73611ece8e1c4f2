"""What the project's dependencies do when the course's tools start."""

from __future__ import annotations

import subprocess
import sys


def test_nbformat_checks_iri_formats_without_building_earley_parsers():
    """jsonschema, under nbformat and nbgrader, takes rfc3987 (pyproject.toml) for its "iri"
    format: rfc3987-syntax, its fallback, builds its parsers on import, a second of CPU in every
    nbgrader command and grading process."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys, nbformat, jsonschema\n"
         "print('rfc3987' in sys.modules, 'rfc3987_syntax' in sys.modules)"],
        capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]
