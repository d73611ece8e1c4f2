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


#: Seconds each of the slowest test files took in a full `make test` on 2 cores (2026-11-29).
#: Only the order in which the files are handed to the workers depends on them: the longest
#: first, so that the run does not end with one worker alone on a long file while the other
#: has nothing left (``make test`` passes ``--no-loadscope-reorder``, else pytest-xdist would
#: order the files by their number of tests). A file not listed counts by its markers.
SECONDS = {
    "tests/sandbox/test_returned_types.py": 73,
    "tests/grading/test_slips_cost_once.py": 69,
    "tests/course/test_serve.py": 52,
    "tests/course/test_course_cycle.py": 44,
    "tests/course/test_notebooks_run.py": 42,
    "tests/course/test_simulated_class.py": 42,
    "tests/sandbox/test_resource_attacks.py": 39,
    "tests/course/test_readme_commands.py": 34,
    "tests/course/test_check_cell_messages.py": 31,
    "tests/reference/test_backprop_matches_finite_differences.py": 28,
    "tests/ui/test_student_in_lab.py": 25,
    "tests/sandbox/test_cell_limits.py": 20,
    "tests/ui/test_student_html_is_inert.py": 19,
    "tests/ui/test_submit_and_feedback.py": 19,
    "tests/ui/test_instructor_in_lab.py": 19,
    "tests/course/test_regrade.py": 17,
    "tests/sandbox/test_forgery_attacks.py": 17,
    "tests/sandbox/test_tampering_attacks.py": 17,
    "tests/grading/test_student_variants.py": 14,
    "tests/course/test_profile.py": 12,
    "tests/course/test_dask_grading.py": 11,
    "tests/sandbox/test_attacks.py": 11,
    "tests/sandbox/test_ordinary_user.py": 11,
    "tests/course/test_feedback.py": 11,
}
#: What a file not in SECONDS counts for, by the marks of its tests.
MARKED_SECONDS = {"browser": 10, "notebooks": 8}


def _seconds(item: pytest.Item) -> float:
    path = item.nodeid.split("::", 1)[0]
    if path in SECONDS:
        return SECONDS[path]
    return max((MARKED_SECONDS.get(mark.name, 0) for mark in item.iter_markers()), default=0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest files first (see :data:`SECONDS`); within a file, the tests keep their
    order, and every test of a file counts what its slowest-marked test counts."""
    weight: dict[str, float] = {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        weight[path] = max(weight.get(path, 0), _seconds(item))
    items.sort(key=lambda item: -weight[item.nodeid.split("::", 1)[0]])
