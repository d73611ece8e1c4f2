"""Running mutants against the graders: one forked process per mutant, with time limits.

Each mutant runs in a fresh namespace in which its notebook's cells have run, the mutated cell
in place of the original (so a notebook function that calls the mutated one calls the mutant).
The function's graders run in notebook order and stop at the first failure; a mutant that
passes them all is compared with the original (``mutation_equivalence.py``). A grader that runs
longer than its ``timeout`` is stopped by an alarm; a process that outlives its hard limit (the
graders' time limits, the comparison's budget and a margin) is killed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from mutation_equivalence import Probe, compare
from mutation_generation import Mutant
from mutation_notebooks import Notebook, Target, run_cells
from mutation_outcomes import ERROR, KILLED, SURVIVED, TIMEOUT, Result

from grading import grade

#: Seconds the equivalence comparison of one surviving mutant may take.
EQUIVALENCE_BUDGET = 30.0


@dataclass(frozen=True)
class Job:
    """One mutant of one target, with what its evaluation needs."""

    notebook: Notebook
    target: Target
    mutant: Mutant
    probes: list[Probe] = field(repr=False)
    timeout: float


class TimeLimit(BaseException):
    """Raised in a mutant's process when its time is up (a BaseException: ``grade`` and student
    code catch ``Exception`` only)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimit` if the block runs longer than ``seconds`` (main thread only)."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def evaluate(job: Job) -> Result:
    """Grade the mutant with every grader of its function; compare it if it survives them."""
    try:
        namespace = run_cells(job.notebook, {job.target.cell: job.mutant.code})
    except Exception as error:
        return Result(KILLED, f"its cell fails: {type(error).__name__}")
    function = namespace[job.target.function]
    for exercise in job.target.exercises:
        try:
            with time_limit(job.timeout):
                grade(exercise, function)
        except TimeLimit:
            return Result(TIMEOUT, f"{exercise} took over {job.timeout:g} s")
        except AssertionError:
            return Result(KILLED, exercise)
    try:
        with time_limit(EQUIVALENCE_BUDGET):
            return Result(*compare(function, job.probes))
    except TimeLimit:
        return Result(SURVIVED, "undecided: the comparison with the original timed out")


def child(job: Job, sender: multiprocessing.connection.Connection) -> None:
    """Body of a mutant's process: evaluate, send the result, and leave without cleanup."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        result = evaluate(job)
    except BaseException as error:  # a bug of this script, not a verdict on the grader
        result = Result(ERROR, f"{type(error).__name__}: {error}")
    sender.send(result)
    sender.close()
    os._exit(0)


@dataclass
class Running:
    """A mutant's process in flight."""

    index: int
    process: Any
    receiver: multiprocessing.connection.Connection
    deadline: float


def run_jobs(jobs: Sequence[Job], workers: int) -> list[Result]:
    """Evaluate every job in a forked process, ``workers`` at a time, killing any that goes past
    its hard limit (the graders' time limits, the comparison's, and a margin)."""
    context = multiprocessing.get_context("fork")
    results: list[Result | None] = [None] * len(jobs)
    pending, running = list(range(len(jobs)))[::-1], []
    done = 0
    while pending or running:
        while pending and len(running) < workers:
            index = pending.pop()
            receiver, sender = context.Pipe(duplex=False)
            sys.stdout.flush()
            process = context.Process(target=child, args=(jobs[index], sender), daemon=True)
            process.start()
            sender.close()
            job = jobs[index]
            limit = job.timeout * len(job.target.exercises) + EQUIVALENCE_BUDGET + 30
            running.append(Running(index, process, receiver, time.monotonic() + limit))
        ready = multiprocessing.connection.wait([r.receiver for r in running], timeout=0.5)
        for run in list(running):
            if run.receiver in ready:
                results[run.index] = receive(run)
            elif time.monotonic() > run.deadline:
                run.process.kill()
                results[run.index] = Result(TIMEOUT, "killed after its hard time limit")
            else:
                continue
            run.process.join()
            run.receiver.close()
            running.remove(run)
            done += 1
            progress(done, len(jobs))
    return [result or Result(ERROR, "no result") for result in results]


def receive(run: Running) -> Result:
    """The result a mutant's process sent; a process that died without one crashed."""
    try:
        return run.receiver.recv()
    except EOFError:
        return Result(KILLED, f"its process crashed (exit code {run.process.exitcode})")


def progress(done: int, total: int) -> None:
    """A progress line on a terminal's stderr."""
    if sys.stderr.isatty():
        print(f"\r  {done}/{total} mutants evaluated", end="" if done < total else "\n",
              file=sys.stderr, flush=True)

