"""How fast a class is graded: stock nbgrader against the course's parallel, sandboxed grading.

    .venv/bin/python bench/grading_speed.py                  # every part, about 45 minutes
    .venv/bin/python bench/grading_speed.py --parts compare split checks --students 20

Parts (``--parts``, default all):

* ``compare``: one simulated class (seed 5), graded by stock ``nbgrader autograde`` (the
  command, one submission after another, nbgrader's own Execute) and by
  ``course.parallel_autograde`` (one worker per core, bubblewrap sandbox); seconds per
  submission, total, throughput ratio (target at least 5x on 2 cores), seconds per correct
  submission (target under 1 s of wall time), same scores (each student whose score differs
  is named, with what the grading record says about the time limits).
* ``growth``: the parallel grading of classes of ``--sizes`` students (default 10, 100, 300),
  each the same ten simulated submissions repeated so that only the size changes; seconds per
  submission should stay flat (near-linear growth).
* ``split``: where one submission's time goes (kernel start, student code, graders, sandbox,
  gradebook writes, the rest of nbgrader), measured with timers around those steps in one
  worker; and the peak memory of a worker and of its kernels.
* ``checks``: how long each visible check takes to answer in a student's kernel, with the
  instructor's solutions filled in (target under 1 s).
* ``dask``: the same class graded on a local Dask cluster of two worker processes against the
  local pool, with the scores compared.

A benchmark, not a test: it prints figures and "NOT met" for a missed target, and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel
from nbgrader.api import Gradebook
from sandbox_cost import STOCK  # bench/ is on the path when a script here runs

from course.parallel_autograde import autograde_class
from sandbox import METADATA_KEY
from sandbox.limits import FILE as LIMITS
from simulation.simulate import simulate_class

ROOT = Path(__file__).resolve().parents[1]
NBGRADER = Path(sys.executable).with_name("nbgrader")
ENV = {**os.environ, "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}",
       "BACKPROP_CELL_TIMEOUT": "15"}


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def make_course(folder: Path, assignment: str, submitted: Path, stock: bool = False) -> Path:
    """A course folder in ``folder`` with ``assignment`` generated and ``submitted`` copied in;
    with ``stock``, nbgrader's own Execute instead of the sandbox."""
    course = folder / "course"
    (course / "source").mkdir(parents=True)
    config = (ROOT / "nbgrader_config.py").read_text() + (STOCK if stock else "")
    (course / "nbgrader_config.py").write_text(config)
    if not stock:  # each cell's own time limit (sandbox.limits); stock has the flat one only
        shutil.copy(ROOT / LIMITS, course)
    shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
    subprocess.run([str(NBGRADER), "generate_assignment", assignment, "--force"], cwd=course,
                   check=True, capture_output=True, env=ENV)
    shutil.copytree(submitted, course / "submitted", ignore=shutil.ignore_patterns("class.json"))
    return course


def simulated(folder: Path, assignment: str, students: int) -> Path:
    """The submissions of a simulated class (seed 5) in ``folder/submitted``."""
    out = folder / "submitted"
    simulate_class(ROOT / "source", ROOT / "release", [assignment], students, 5, out)
    return out


def scores(course: Path, assignment: str) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s.student.id: s.score for s in gradebook.assignment_submissions(assignment)}


def parallel(course: Path, assignment: str, workers: int | None = None
             ) -> tuple[float, list]:
    os.environ["BACKPROP_CELL_TIMEOUT"] = ENV["BACKPROP_CELL_TIMEOUT"]
    start = time.perf_counter()
    outcomes = autograde_class(course, assignment, workers=workers, progress=None)
    return time.perf_counter() - start, outcomes


# -- compare ---------------------------------------------------------------------------------

def compare(work: Path, assignment: str, students: int) -> None:
    submitted = simulated(work / "class", assignment, students)
    stock = make_course(work / "stock", assignment, submitted, stock=True)
    ours = make_course(work / "ours", assignment, submitted)
    start = time.perf_counter()
    done = subprocess.run([str(NBGRADER), "autograde", assignment], cwd=stock, env=ENV,
                          capture_output=True, text=True)
    stock_seconds = time.perf_counter() - start
    our_seconds, outcomes = parallel(ours, assignment)
    stock_scores, our_scores = scores(stock, assignment), scores(ours, assignment)
    differ = sorted(s for s in our_scores if stock_scores.get(s) != our_scores[s])
    ratio = stock_seconds / our_seconds
    print(f"\ncompare: {students} simulated submissions of {assignment} (seed 5), "
          f"{os.cpu_count()} cores, cell time limit {ENV['BACKPROP_CELL_TIMEOUT']} s")
    print(f"  {'grading':<44} {'total s':>8} {'s/submission':>13}")
    print(f"  {'stock nbgrader autograde (sequential)':<44} {stock_seconds:>8.1f} "
          f"{stock_seconds / students:>13.2f}" + ("" if done.returncode == 0 else
                                                   f"  (exit {done.returncode})"))
    print(f"  {f'parallel + bubblewrap sandbox ({os.cpu_count()} workers)':<44} "
          f"{our_seconds:>8.1f} {our_seconds / students:>13.2f}")
    print(f"  throughput ratio {ratio:.2f}x  (target >= 5x: {verdict(ratio >= 5)})")
    full = max(our_scores.values(), default=0.0)
    correct = [o for o in outcomes if our_scores.get(o.student) == full]
    if correct:
        # wall time: a worker's seconds on it, shared by the workers running at once
        per = statistics.median(o.seconds for o in correct) / max(1, os.cpu_count() or 1)
        print(f"  correct submissions: {len(correct)}, median {per:.2f} s of wall time each "
              f"(a worker's time / {os.cpu_count()} workers; target < 1 s: {verdict(per < 1)})")
    print(f"  scores: {len(our_scores)} graded, {len(stock_scores)} by stock; "
          + ("identical" if not differ and len(stock_scores) == len(our_scores) else
             f"DIFFER for {len(differ) or 'missing students'}"))
    for student in differ:
        print(f"    {student}: stock {stock_scores.get(student)}, ours {our_scores[student]}; "
              + "; ".join(time_incidents(ours, assignment, student)))
    memory(outcomes)


def time_incidents(course: Path, assignment: str, student: str) -> list[str]:
    """What the grading record of ``student`` says about time limits (the usual reason a score
    differs from stock nbgrader's: a cell's own limit is shorter than the flat one)."""
    found = []
    for path in sorted((course / "autograded" / student / assignment).glob("*.ipynb")):
        record = json.loads(path.read_text()).get("metadata", {}).get(METADATA_KEY, {})
        found += [i for i in record.get("incidents", []) if "time limit" in i]
    return found or ["no time limit incident"]


def memory(outcomes: list) -> None:
    workers = max(o.worker_mb for o in outcomes)
    kernels = max(o.kernel_mb for o in outcomes)
    print(f"  peak memory: {workers:.0f} MiB per worker process, {kernels:.0f} MiB for the "
          "largest kernel (with its sandbox)")


# -- growth ----------------------------------------------------------------------------------

#: The growth classes repeat the ten submissions of this seed, a class in miniature: three
#: typical students, two strong, two struggling, one blank, one late and one endless loop.
GROWTH_SEED, GROWTH_BASE = 2, 10


def repeated(folder: Path, assignment: str, size: int) -> tuple[Path, int]:
    """A class of ``size`` made of the same ``GROWTH_BASE`` simulated submissions over and over
    (``student001`` is copied to ``student011``, ``student021``...), so that classes of every
    size have the same mix; and how many of them loop forever."""
    base = folder / "base"
    plans = simulate_class(ROOT / "source", ROOT / "release", [assignment], GROWTH_BASE,
                           GROWTH_SEED, base)
    out = folder / "submitted"
    for n in range(size):
        original = plans[n % GROWTH_BASE].student
        shutil.copytree(base / original, out / f"student{n + 1:03d}")
    loops = sum(plans[n % GROWTH_BASE].profile == "infinite_loop" for n in range(size))
    return out, loops


def growth(work: Path, assignment: str, sizes: list[int]) -> None:
    print(f"\ngrowth: parallel sandboxed grading of {assignment}; every class repeats the same "
          f"{GROWTH_BASE} simulated submissions (seed {GROWTH_SEED})")
    print(f"  {'students':>8} {'endless loops':>13} {'total s':>8} {'s/submission':>13} "
          f"{'per minute':>11}")
    rows = []
    for size in sizes:
        folder = work / f"growth-{size}"
        submitted, loops = repeated(folder / "class", assignment, size)
        course = make_course(folder, assignment, submitted)
        seconds, _ = parallel(course, assignment)
        rows.append(seconds / size)
        print(f"  {size:>8} {loops:>13} {seconds:>8.1f} {seconds / size:>13.2f} "
              f"{60 * size / seconds:>11.1f}")
        shutil.rmtree(folder)
    spread = max(rows) / min(rows)
    print(f"  largest / smallest s per submission: {spread:.2f} (1.0 is perfectly linear)")


# -- split -----------------------------------------------------------------------------------

PARTS = {  # part -> the methods whose time counts towards it
    # nbclient's synchronous names, which wrap the async methods once, at class creation
    "kernel start": ["nbclient.client:NotebookClient.start_new_kernel",
                     "nbclient.client:NotebookClient.start_new_kernel_client"],
    "kernel shutdown": ["nbclient.client:NotebookClient._cleanup_kernel"],
    "student code": ["nbconvert.preprocessors.execute:ExecutePreprocessor.preprocess_cell"],
    "graders": ["sandbox.execute:SealedExecute._grade"],
    "gradebook writes": ["nbgrader.preprocessors.saveautogrades:SaveAutoGrades.preprocess",
                         "nbgrader.converters.autograde:Autograde.init_assignment"],
    "sealed execute": ["sandbox.execute:SealedExecute.preprocess"],
}


def _timed(function, part: str, log: Path):
    def record(seconds: float) -> None:
        with log.open("a") as handle:
            handle.write(json.dumps([os.getpid(), part, seconds]) + "\n")

    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                record(time.perf_counter() - start)
    else:
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                record(time.perf_counter() - start)
    return wrapper


@contextlib.contextmanager
def timers(log: Path):
    """Timers around the methods of PARTS, in this process and the workers it forks."""
    import importlib

    undo = []
    for part, targets in PARTS.items():
        for target in targets:
            module_name, qualified = target.split(":")
            owner = importlib.import_module(module_name)
            *path, name = qualified.split(".")
            for attribute in path:
                owner = getattr(owner, attribute)
            original = owner.__dict__[name]
            setattr(owner, name, _timed(original, part, log))
            undo.append((owner, name, original))
    try:
        yield
    finally:
        for owner, name, original in undo:
            setattr(owner, name, original)


def split(work: Path, assignment: str, students: int) -> None:
    folder = work / "split"
    course = make_course(folder, assignment, simulated(folder / "class", assignment, students))
    log = folder / "timings.jsonl"
    with timers(log):
        _, outcomes = parallel(course, assignment, workers=1)
    totals: dict[str, float] = defaultdict(float)
    for line in log.read_text().splitlines():
        _, part, spent = json.loads(line)
        totals[part] += spent
    per = {part: spent / students for part, spent in totals.items()}
    total = sum(o.seconds for o in outcomes) / students
    inside = ("kernel start", "kernel shutdown", "student code", "graders")
    rows = [(part, per.get(part, 0.0)) for part in inside]
    rows.append(("sandbox (scratch copy, connection, reaping)",
                 per["sealed execute"] - sum(per.get(p, 0.0) for p in inside)))
    rows.append(("gradebook writes", per.get("gradebook writes", 0.0)))
    rows.append(("rest of nbgrader (files, conversion...)", total - sum(s for _, s in rows)))
    print(f"\nsplit: where one submission's time goes ({students} simulated submissions of "
          f"{assignment}, one worker, {total:.2f} s each on average)")
    for part, spent in rows:
        print(f"  {part:<44} {spent:>6.2f} s  {100 * spent / total:>5.1f}%")
    memory(outcomes)


# -- checks ----------------------------------------------------------------------------------

def _with_solutions(assignment: str) -> list[nbformat.NotebookNode]:
    """Each released notebook of ``assignment`` with the instructor's solution cells in."""
    notebooks = []
    for released in sorted((ROOT / "release" / assignment).glob("*.ipynb")):
        student = nbformat.read(released, as_version=4)
        source = nbformat.read(ROOT / "source" / assignment / released.name, as_version=4)
        solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                     if c.metadata.get("nbgrader", {}).get("solution")}
        for cell in student.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solutions:
                cell.source = solutions[grade_id]
        notebooks.append(student)
    return notebooks


def checks(assignments: list[str]) -> None:
    print("\nchecks: seconds for a visible check to answer in the student's kernel "
          "(instructor's solutions filled in)")
    print(f"  {'notebook':<18} {'checks':>6} {'median s':>9} {'max s':>7}  slowest")
    worst = 0.0
    for assignment in assignments:
        for notebook in _with_solutions(assignment):
            with tempfile.TemporaryDirectory() as folder:
                shutil.copytree(ROOT / "release" / assignment, folder, dirs_exist_ok=True)
                manager, client = start_new_kernel(
                    kernel_name="python3", cwd=folder, env={**os.environ, "MPLBACKEND": "Agg"})
                times = {}
                try:
                    for cell in notebook.cells:
                        if cell.cell_type != "code":
                            continue
                        start = time.perf_counter()
                        client.execute_interactive(cell.source, timeout=600,
                                                   output_hook=lambda message: None)
                        spent = time.perf_counter() - start
                        meta = cell.metadata.get("nbgrader", {})
                        if meta.get("grade") and not meta.get("solution"):
                            times[meta["grade_id"]] = spent
                finally:
                    client.stop_channels()
                    manager.shutdown_kernel(now=True)
            slowest = max(times, key=times.get)
            worst = max(worst, times[slowest])
            print(f"  {assignment:<18} {len(times):>6} {statistics.median(times.values()):>9.3f} "
                  f"{times[slowest]:>7.3f}  {slowest}")
    print(f"  slowest visible check {worst:.2f} s  (target < 1 s: {verdict(worst < 1.0)})")


# -- dask ------------------------------------------------------------------------------------

def dask(work: Path, assignment: str, students: int) -> None:
    from distributed import Client, LocalCluster

    submitted = simulated(work / "dask-class", assignment, students)
    local = make_course(work / "dask-local", assignment, submitted)
    on_dask = make_course(work / "dask-cluster", assignment, submitted)
    local_seconds, _ = parallel(local, assignment)
    with LocalCluster(n_workers=os.cpu_count() or 2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        start = time.perf_counter()
        autograde_class(on_dask, assignment, scheduler=client, progress=None)
        dask_seconds = time.perf_counter() - start
    same = scores(local, assignment) == scores(on_dask, assignment)
    print(f"\ndask: {students} simulated submissions of {assignment}")
    print(f"  local pool ({os.cpu_count()} workers)        {local_seconds:>7.1f} s")
    print(f"  local Dask cluster ({os.cpu_count()} processes)  {dask_seconds:>7.1f} s")
    print(f"  scores {'identical' if same else 'DIFFER'}; one gradebook each")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["compare", "growth", "split", "checks",
                                                       "dask"])
    parser.add_argument("--assignment", default="ps1_forward")
    parser.add_argument("--students", type=int, default=40, help="class size of compare, dask")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument("--split-students", type=int, default=10)
    parser.add_argument("--check-assignments", nargs="+",
                        default=["ps1_forward", "ps2_backward", "ps3_training",
                                 "ps4_explorations", "quiz"])
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="grading-speed-") as scratch:
        work = Path(scratch)
        for part in args.parts:
            start = time.perf_counter()
            if part == "compare":
                compare(work, args.assignment, args.students)
            elif part == "growth":
                growth(work, args.assignment, args.sizes)
            elif part == "split":
                split(work, args.assignment, args.split_students)
            elif part == "checks":
                checks(args.check_assignments)
            elif part == "dask":
                dask(work, args.assignment, args.students)
            else:
                parser.error(f"unknown part {part}")
            print(f"  ({part}: {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
