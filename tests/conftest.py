"""Suite-wide pytest settings: an environment that each test file leaves as it found it.

``make test`` runs ``pytest -n auto --dist loadfile``: each test file goes to one worker (so a
module fixture that grades a whole course folder is built once), and one worker runs file after
file in one process, so what a file sets in ``os.environ`` must not reach the next.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from course.worker_limits import limit_blas_threads
from tests.course import nbgrader_cli


def pytest_configure(config: pytest.Config) -> None:
    """One BLAS thread per process, as a grading worker and its kernels have
    (:mod:`course.worker_limits`): ``make test`` runs a worker per core, and each grades in its
    own process and in the kernels and nbgrader processes it starts. A BLAS that also started a
    thread per core in each of them would have its threads wait for each other (OpenBLAS's
    threads spin while they wait): beside two busy processes, the digits' training check took
    half as much CPU time again with them."""
    limit_blas_threads()


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


@pytest.fixture(autouse=True, scope="session")
def _generated_courses(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> None:
    """:func:`tests.course.nbgrader_cli.released_course` keeps what `nbgrader
    generate_assignment` made in the run's temporary folder, the one every worker of
    ``pytest -n`` shares (each worker's own folder lies inside it)."""
    base = tmp_path_factory.getbasetemp()
    nbgrader_cli.GENERATED = (base if worker_id == "master" else base.parent) / "generated"
