"""Grading a class on Dask distributed (a local cluster of worker processes here): every
student scores what the simulator intended, into the one gradebook, and a damaged submission
is reported without stopping the others."""

from __future__ import annotations

import os
import resource

import pytest
from nbgrader.api import Gradebook

from course.parallel_autograde import autograde_class
from course.worker_limits import WORKER_MB
from simulation.simulate import simulate_class

from .nbgrader_cli import RELEASE, SOURCE, released_course

pytestmark = pytest.mark.notebooks

ASSIGNMENT = "ps1_forward"


@pytest.fixture(scope="module")
def graded_on_dask(tmp_path_factory):
    from distributed import Client, LocalCluster

    course = released_course(tmp_path_factory.mktemp("dask"), [ASSIGNMENT])
    plans = simulate_class(SOURCE, RELEASE, [ASSIGNMENT], 5, 11, course / "submitted",
                           guarantee=("broken_file",))
    os.environ["BACKPROP_CELL_TIMEOUT"] = "10"
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            outcomes = autograde_class(course, ASSIGNMENT, scheduler=client, progress=None)
            workers = len(client.scheduler_info()["workers"])
            caps = client.run(lambda: resource.getrlimit(resource.RLIMIT_AS)[0])
    finally:
        del os.environ["BACKPROP_CELL_TIMEOUT"]
    return course, plans, outcomes, workers, caps


def test_every_student_scores_what_the_simulator_intended(graded_on_dask):
    course, plans, outcomes, workers, _ = graded_on_dask
    assert workers == 2
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        got = {s.student.id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}
    assert got == {p.student: p.intended_score for p in plans}
    assert [o.student for o in outcomes] == sorted(p.student for p in plans)


def test_a_damaged_submission_is_reported_and_the_rest_graded(graded_on_dask):
    _, plans, outcomes, _, _ = graded_on_dask
    broken = {p.student for p in plans if p.profile == "broken_file"}
    failed = {o.student: o.reason for o in outcomes if o.status != "graded"}
    assert set(failed) == broken
    assert all("not valid JSON" in reason for reason in failed.values())


def test_each_outcome_carries_the_time_and_memory_it_took(graded_on_dask):
    _, _, outcomes, _, _ = graded_on_dask
    graded = [o for o in outcomes if o.status == "graded"]
    assert graded
    for outcome in graded:
        assert outcome.seconds > 0
        assert outcome.worker_mb > 50  # a Python process with nbgrader loaded
        assert outcome.kernel_mb > 20  # the notebook's kernel, waited for by the worker


def test_a_dask_task_caps_its_workers_memory_like_a_local_worker(graded_on_dask):
    """A kernel that floods the grader must kill one Dask worker, not exhaust its machine."""
    caps = set(graded_on_dask[4].values())
    assert WORKER_MB * 2**20 in caps
    assert caps <= {WORKER_MB * 2**20, resource.RLIM_INFINITY}  # a worker given no task
