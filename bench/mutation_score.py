"""How strong are the hidden graders? Mutation testing beyond the mistake catalogue.

The mistake catalogue (``grading/mistakes/``) proves that every *known* student error fails its
grader. Mutation testing asks the wider question: take each exercise's solution, as written in the
source notebook, and change one small thing in it (an operator, a comparison, a constant, an axis,
a transpose, an argument order, a statement, a hyper-parameter, a loop's edge...); does the grader
notice?

For every graded function (``grade("<notebook>.<function>", fn)`` in a notebook's hidden tests,
the quiz excluded) the script

1. runs the notebook's ``setup`` and ``given`` cells and its solution cells in a fresh namespace
   (plots, training demos and test cells are skipped; matplotlib uses the Agg backend), so the
   solution resolves its globals the way it does in the notebook;
2. makes mutants of the function: the operators of ``mutation_operators.py`` (AST mutations
   inside the solution region only, between ``### BEGIN SOLUTION`` and ``### END SOLUTION``,
   but for the defaults of hyper-parameters in the given signature), then the hand-written
   plausible mistakes of ``mutation_mistakes.HAND_WRITTEN``; drops mutants whose code is the
   same as the original's or as an earlier mutant's, and keeps at most ``--cap`` per function
   (a fixed, seeded sample);
3. runs, for each mutant, the graders of the function in notebook order until one fails
   (``training.train``, ``train_xor`` and ``train_digits`` all grade ``train``), with the mutant
   in place of the solution in a fresh namespace, so the notebook's other functions that call it
   call the mutant. Each mutant runs in its own forked process (a clean state, and a hung one can
   be killed), at most ``--workers`` at a time, with ``--timeout`` seconds per grader; a process
   that goes past its hard limit is killed;
4. for each mutant that passes every grader, decides whether it is *equivalent*, i.e. computes
   the same function: it is compared with the original on every call the graders made (recorded
   with :class:`grading.diagnosis.Recorder`) and on perturbed copies of them (the float arrays
   replaced by random normal ones of the same shapes and dtypes at scales 1, 5, 0.01 and 1e-9,
   by the edge values 0, +-1, 0.5, +-1e3, or by zeros; hyper-parameters left to their
   defaults), results and arguments after the call compared with
   :func:`grading.diagnosis.same`;
5. marks a survivor listed in ``mutation_mistakes.ARGUED_EQUIVALENT`` as *argued* equivalent,
   with its one-line reason.

Outcomes: *killed* (a grader failed it, or its cell does not run), *timeout* (a grader took longer
than ``--timeout`` s; counted as killed, reported separately), *equivalent* (passes and agrees with
the original everywhere it was tried; left out of the score), *argued* (passes, differs somewhere,
and a reason says why no grader should fail it; left out of the score), *survived* (passes, but
differs from the original somewhere: a hole in a grader, listed). The original runs twice on
every input; where its own results differ between the runs (timings), a mutant's must be positive
and within a factor of 10 of them (on one of three tries), and elsewhere the same.

    score = (killed + timeouts) / (generated - equivalent - argued), target at least 98%

Run from the repository root: ``.venv/bin/python bench/mutation_score.py``
(``--only backward.`` for one notebook, ``--show-equivalent`` to list the equivalent mutants too,
``--help`` for the options). It asserts nothing and always exits 0; the output says ``NOT met``
when the target is missed.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import inspect
import io
import itertools
import multiprocessing
import multiprocessing.connection
import os
import platform
import random
import signal
import sys
import time
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
from mutation_mistakes import ARGUED_EQUIVALENT, HAND_WRITTEN, HAND_WRITTEN_OPERATOR
from mutation_operators import HYPERPARAMETERS, Mutant, describe, mutants_of
from threadpoolctl import threadpool_limits

from grading import CHECKS, grade
from grading.diagnosis import Call, Raised, Recorder, same
from grading.grading_calls import grading_calls
from simulation.notebooks import run_cells as notebook_cells_run

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
TARGET_SCORE = 0.98
#: Cells run to define a notebook's functions, besides its solution cells.
SUPPORT_CELLS = ("setup", "given")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
#: Seconds the equivalence comparison of one surviving mutant may take.
EQUIVALENCE_BUDGET = 30.0
#: At most this many recorded calls are replayed verbatim, and this many are perturbed.
MAX_REPLAYED, MAX_TEMPLATES = 40, 8
#: Recorded calls with more float entries than this are replayed but not perturbed.
MAX_TEMPLATE_SIZE = 20_000
EDGE_VALUES = np.array([0.0, 1.0, -1.0, 0.5, 1e3, -1e3])
#: Where the original's own results vary between two runs (timings), a mutant's must lie within
#: this factor of them.
NOISE_FACTOR = 10.0
#: A mutant is called up to this many times on a probe where the original's own two results
#: differ (a timing on a busy machine can stray past NOISE_FACTOR once), once elsewhere.
NOISY_TRIES = 3
#: A generator's items are read up to this many.
MAX_ITEMS = 10_000

KILLED, TIMEOUT, EQUIVALENT, ARGUED, SURVIVED, ERROR = (
    "killed", "timeout", "equivalent", "argued", "survived", "error")


# ---------------------------------------------------------------------------------------------
# Notebooks: which functions are graded, and how to define them
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """One graded function: its solution cell and the exercises whose graders call it."""

    notebook: str
    function: str
    exercises: tuple[str, ...]
    cell: int
    code: str
    region: tuple[int, int]

    @property
    def label(self) -> str:
        """The first exercise's name, with the number of further graders of the function."""
        more = len(self.exercises) - 1
        return self.exercises[0] + (f" +{more}" if more else "")


@dataclass(frozen=True)
class Notebook:
    """A source notebook: the code cells that define its functions, and its graded functions."""

    name: str
    path: Path
    cells: tuple[tuple[int, str], ...]
    targets: tuple[Target, ...]


def load_notebook(path: Path) -> Notebook:
    """Read ``path``: its support and solution cells, and the functions its hidden tests grade."""
    nb = nbformat.read(path, as_version=4)
    cells, solutions, graded = [], {}, {}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade"):
            for exercise, function in graded_calls(cell.source):
                graded.setdefault(function, []).append(exercise)
        elif meta.get("solution") or meta.get("grade_id") in SUPPORT_CELLS:
            cells.append((index, cell.source))
            if meta.get("solution"):
                solutions.update({name: index for name in defined_functions(cell.source)})
    code = dict(cells)
    targets = tuple(
        Target(path.stem, function, tuple(exercises), solutions[function],
               code[solutions[function]], solution_region(code[solutions[function]]))
        for function, exercises in graded.items() if function in solutions)
    return Notebook(path.stem, path, tuple(cells), targets)


def graded_calls(code: str) -> Iterator[tuple[str, str]]:
    """``(exercise, function name)`` for each ``grade("...", name)`` of a registered check."""
    for call in grading_calls(code):
        if (len(call.targets) == 1 and call.exercise in CHECKS
                and not call.exercise.startswith("quiz.")):
            yield call.exercise, call.targets[0]


def defined_functions(code: str) -> list[str]:
    """Names of the functions a cell defines at its top level."""
    return [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]


def solution_region(code: str) -> tuple[int, int]:
    """First and last line (1-based) between the solution markers of a cell."""
    lines = code.splitlines()
    begin = next(i for i, line in enumerate(lines, 1) if line.strip() == BEGIN)
    end = next(i for i, line in enumerate(lines, 1) if line.strip() == END)
    return begin + 1, end - 1


def run_cells(notebook: Notebook, replace: dict[int, str] | None = None) -> dict[str, Any]:
    """A fresh namespace in which the notebook's cells have run, ``replace`` overriding some."""
    with quiet():
        return notebook_cells_run(
            (f"{notebook.path.name} cell {index}", (replace or {}).get(index, code))
            for index, code in notebook.cells)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No warnings and no NumPy floating-point complaints inside."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


# ---------------------------------------------------------------------------------------------
# Mutants: the operators' (mutation_operators.py) and the hand-written ones (mutation_mistakes.py)
# ---------------------------------------------------------------------------------------------

def mutants(target: Target, cap: int, kinds: dict[str, str] | None = None
            ) -> tuple[list[Mutant], int]:
    """Distinct mutants of ``target`` (at most ``cap``, a seeded sample) and how many there were:
    the operators' mutants, then the hand-written mistakes of its exercises.

    ``kinds`` says what each parameter held in the graders' calls (see
    :class:`mutation_operators.Context`).
    """
    found = mutants_of(target.code, target.function, target.region, kinds)
    seen = {ast.unparse(ast.parse(target.code)), *(m.code for m in found)}
    for mutant in hand_written(target):
        if mutant.code not in seen:
            seen.add(mutant.code)
            found.append(mutant)
    if len(found) <= cap:
        return found, len(found)
    rng = random.Random(zlib.crc32(target.label.encode()))
    kept = sorted(rng.sample(range(len(found)), cap))
    return [found[i] for i in kept], len(found)


class StaleMistake(ValueError):
    """A hand-written mistake whose original text is no longer in its solution."""


def hand_written(target: Target) -> list[Mutant]:
    """The hand-written mistakes of ``target``'s exercises, as mutants of its cell: each replaces
    a piece of the solution's text, which must occur once, inside the solution region."""
    original = ast.unparse(ast.parse(target.code))
    lines = target.code.splitlines(keepends=True)
    start = sum(len(line) for line in lines[:target.region[0] - 1])
    end = sum(len(line) for line in lines[:target.region[1]])
    found = []
    for exercise in target.exercises:
        for mistake in HAND_WRITTEN.get(exercise, ()):
            where = target.code.find(mistake.old, start, end)
            if where < 0 or target.code.find(mistake.old, where + 1, end) >= 0:
                raise StaleMistake(f"{exercise}: hand-written mistake {mistake.name!r}: its "
                                   f"text {mistake.old!r} is not once in the solution")
            code = target.code[:where] + mistake.new + target.code[where + len(mistake.old):]
            mutated = ast.unparse(ast.parse(code))
            before, after = describe(original, mutated)
            line = target.code.count("\n", 0, where) + 1
            found.append(Mutant(line, HAND_WRITTEN_OPERATOR, mistake.name, before, after, mutated))
    return found


def parameter_kinds(function: Callable[..., Any], calls: Sequence[Call]) -> dict[str, str]:
    """What each parameter of ``function`` held in the first recorded call that binds:
    ``"array"``, ``"arrays"`` (a non-empty list or tuple of arrays) or ``"other"``."""
    signature = inspect.signature(function)
    for call in calls:
        try:
            bound = signature.bind(*call.args, **call.kwargs)
        except TypeError:
            continue
        return {name: kind_of(value) for name, value in bound.arguments.items()}
    return {}


def kind_of(value: Any) -> str:
    """``"array"``, ``"arrays"`` (a non-empty list or tuple of arrays) or ``"other"``."""
    if isinstance(value, np.ndarray):
        return "array"
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(item, np.ndarray) for item in value):
        return "arrays"
    return "other"


# ---------------------------------------------------------------------------------------------
# Equivalence: inputs to compare a surviving mutant with the original on
# ---------------------------------------------------------------------------------------------

@dataclass
class Probe:
    """Arguments to call a function with, and what the original gave on them in two runs: each
    an observation ``(result, arguments after the call)``."""

    label: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    runs: tuple[Any, Any] = (None, None)


def record_calls(target: Target, function: Callable[..., Any]) -> list[Call]:
    """Every call the target's graders make to ``function``; raises if a grader fails it."""
    calls: list[Call] = []
    for exercise in target.exercises:
        recorder = Recorder(function)
        grade(exercise, recorder)
        calls.extend(recorder.calls)
    return calls


def make_probes(calls: Sequence[Call], seed: int,
                function: Callable[..., Any] | None = None) -> list[Probe]:
    """The recorded calls (up to MAX_REPLAYED) and perturbed copies of small ones; and, for a
    ``function`` with hyper-parameters (``lr``, ``beta1``...), the small calls with them left
    to their defaults (a grader that always passes them cannot see a changed default)."""
    numbered = list(enumerate(calls, 1))
    probes = [Probe(f"grader call {number}", call.args, call.kwargs)
              for number, call in spaced(numbered, MAX_REPLAYED)]
    small = [(number, call) for number, call in numbered
             if 0 < float_size((call.args, call.kwargs)) <= MAX_TEMPLATE_SIZE]
    rng = np.random.default_rng(seed)
    for number, call in spaced(small, MAX_TEMPLATES):
        for label, fill, scale_floats in variants(rng):
            args, kwargs = perturb((call.args, call.kwargs), fill, rng, scale_floats)
            probes.append(Probe(f"{label} shaped like grader call {number}", args, kwargs))
        defaulted = with_default_hyperparameters(function, call) if function else None
        if defaulted is not None:
            probes.append(Probe(f"grader call {number} with the hyper-parameters' defaults",
                                *defaulted))
    return probes


def with_default_hyperparameters(function: Callable[..., Any], call: Call
                                 ) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """``call``'s arguments without the hyper-parameters that have a default (so that they
    take it), or ``None`` if it passes none of them."""
    signature = inspect.signature(function)
    try:
        bound = signature.bind(*call.args, **call.kwargs)
    except TypeError:
        return None
    dropped = [name for name in bound.arguments if name in HYPERPARAMETERS
               and signature.parameters[name].default is not inspect.Parameter.empty]
    if not dropped:
        return None
    arguments = {k: v for k, v in bound.arguments.items() if k not in dropped}
    rebound = signature.bind_partial()
    rebound.arguments.update(arguments)
    return tuple(rebound.args), dict(rebound.kwargs)


Fill = Callable[[np.ndarray], np.ndarray]


def variants(rng: np.random.Generator) -> list[tuple[str, Fill, bool]]:
    """How a probe's float arrays are refilled: (label, array -> new array, also rescale Python
    float arguments)."""

    def normal(scale: float) -> Fill:
        return lambda a: (scale * rng.normal(size=a.shape)).astype(a.dtype)

    def edge(a: np.ndarray) -> np.ndarray:
        return rng.choice(EDGE_VALUES, size=a.shape).astype(a.dtype)

    return [
        ("random normal inputs", normal(1.0), True),
        ("random normal inputs", normal(1.0), True),
        ("random inputs of scale 5", normal(5.0), True),
        ("random inputs of scale 0.01", normal(0.01), False),
        ("random inputs of scale 1e-9", normal(1e-9), False),
        ("edge values (0, +-1, 0.5, +-1e3)", edge, False),
        ("edge values (0, +-1, 0.5, +-1e3)", edge, False),
        ("all-zero inputs", np.zeros_like, False),
    ]


def spaced(items: Sequence[Any], count: int) -> list[Any]:
    """At most ``count`` items, evenly spread over ``items``, first and last included."""
    if len(items) <= count:
        return list(items)
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def float_size(value: Any) -> int:
    """How many float array entries ``value`` holds (in nested lists, tuples and dicts)."""
    if isinstance(value, np.ndarray):
        return value.size if value.dtype.kind == "f" else 0
    if isinstance(value, (list, tuple)):
        return sum(float_size(item) for item in value)
    if isinstance(value, dict):
        return sum(float_size(item) for item in value.values())
    return 0


def perturb(value: Any, fill: Fill, rng: np.random.Generator, scale_floats: bool) -> Any:
    """``value`` with every float array replaced by ``fill(array)``, and Python floats scaled by
    a random factor in [0.5, 1.5) when ``scale_floats``."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return fill(value)
    if isinstance(value, float) and not isinstance(value, np.floating) and scale_floats:
        return value * rng.uniform(0.5, 1.5)
    if isinstance(value, (list, tuple)):
        items = [perturb(item, fill, rng, scale_floats) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {key: perturb(item, fill, rng, scale_floats) for key, item in value.items()}
    return value


def call_on(function: Callable[..., Any], probe: Probe) -> tuple[Any, Any]:
    """What ``function`` gives on a copy of the probe's arguments, and those arguments after
    the call (functions in them replaced by a placeholder: copies of a function differ)."""
    args, kwargs = copy.deepcopy((probe.args, probe.kwargs))
    with quiet(), contextlib.redirect_stdout(io.StringIO()):
        try:
            result = function(*args, **kwargs)
            if inspect.isgenerator(result):
                result = {"yielded": list(itertools.islice(result, MAX_ITEMS))}
            result = copy.deepcopy(result)
        except Exception as error:
            result = Raised.of(error)
    return result, without_functions(args)


def without_functions(value: Any) -> Any:
    """``value`` with every callable in nested lists, tuples and dicts replaced by a string."""
    if callable(value):
        return "<function>"
    if isinstance(value, (list, tuple)):
        items = [without_functions(item) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {key: without_functions(item) for key, item in value.items()}
    return value


def settle(function: Callable[..., Any], probes: Sequence[Probe]) -> None:
    """Store what the original gives on every probe, in two runs (to see what varies)."""
    for probe in probes:
        probe.runs = (call_on(function, probe), call_on(function, probe))


def agree(first: Any, second: Any, candidate: Any) -> bool:
    """Whether ``candidate`` matches the original's two observations ``first`` and ``second``:
    within :func:`~grading.diagnosis.same`'s tolerance where they agree, and, for a number
    where they do not (a timing), positive and within a factor NOISE_FACTOR of them."""
    if same(first, second):
        return same(first, candidate)
    if all(isinstance(v, (list, tuple)) for v in (first, second, candidate)):
        return len(first) == len(second) == len(candidate) and all(
            agree(*items) for items in zip(first, second, candidate, strict=True))
    if all(isinstance(v, dict) for v in (first, second, candidate)):
        return first.keys() == second.keys() == candidate.keys() and all(
            agree(first[key], second[key], candidate[key]) for key in first)
    try:
        x, y, z = (float(v) for v in (first, second, candidate))
    except (TypeError, ValueError):
        return False
    low, high = min(x, y), max(x, y)
    return low > 0 and low / NOISE_FACTOR <= z <= high * NOISE_FACTOR


def compare(mutant: Callable[..., Any], probes: Sequence[Probe]) -> tuple[str, str]:
    """``(EQUIVALENT, note)`` if the mutant agrees with the original on every probe, else
    ``(SURVIVED, the first probe where it differs)``."""
    noisy = False
    for probe in probes:
        varies = not same(*probe.runs)
        tries = NOISY_TRIES if varies else 1
        if not any(agree(*probe.runs, call_on(mutant, probe)) for _ in range(tries)):
            return SURVIVED, f"differs on {probe.label}"
        noisy = noisy or varies
    return EQUIVALENT, ("agrees within the run-to-run variation of the original's timings"
                        if noisy else "")


# ---------------------------------------------------------------------------------------------
# Running mutants: one forked process each, with time limits
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """A mutant's outcome; ``detail`` says which grader killed it or where it differs."""

    status: str
    detail: str = ""


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


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def argue(jobs: Sequence[Job], results: Sequence[Result]) -> tuple[list[Result], list[str]]:
    """The results with every survivor listed in ARGUED_EQUIVALENT marked ARGUED (its reason as
    the detail), and the problems of the table: entries that match no survivor of this run
    (stale: to remove, or the mutant changed), and keys that match several mutants (too vague
    to argue one of them)."""
    argued, used = [], set()
    counts: dict[tuple[str, str, str, str], int] = {}
    for job in jobs:
        counts[argued_key(job)] = counts.get(argued_key(job), 0) + 1
    for job, result in zip(jobs, results, strict=True):
        key = argued_key(job)
        if result.status == SURVIVED and key in ARGUED_EQUIVALENT:
            used.add(key)
            result = Result(ARGUED, ARGUED_EQUIVALENT[key])
        argued.append(result)
    exercises = {e for job in jobs for e in job.target.exercises}
    problems = [f"matches no survivor: {' | '.join(key)}" for key in ARGUED_EQUIVALENT
                if key not in used and key[0] in exercises]
    problems += [f"matches {counts[key]} mutants: {' | '.join(key)}" for key in used
                 if counts[key] > 1]
    return argued, problems


def argued_key(job: Job) -> tuple[str, str, str, str]:
    """A mutant's key in ARGUED_EQUIVALENT: (its function's first exercise, what the operator
    did, lines before, lines after), as :func:`listing` prints them."""
    return job.target.exercises[0], job.mutant.kind, job.mutant.before, job.mutant.after


@dataclass
class Tally:
    """Outcome counts of a group of mutants."""

    generated: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, result: Result) -> None:
        """Count one more mutant with this result."""
        self.generated += 1
        self.counts[result.status] = self.counts.get(result.status, 0) + 1

    def __getitem__(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def score(self) -> float:
        """(killed + timeouts) / (generated - equivalent - argued equivalent)."""
        scored = self.generated - self[EQUIVALENT] - self[ARGUED]
        return (self[KILLED] + self[TIMEOUT]) / scored if scored else 1.0

    def row(self, name: str, extra: str = "") -> str:
        """The tally as one line of the report's tables."""
        return (f"  {name:38s}{extra}{self.generated:>6d}{self[KILLED]:>8d}{self[TIMEOUT]:>6d}"
                f"{self[EQUIVALENT]:>7d}{self[ARGUED]:>7d}{self[SURVIVED] + self[ERROR]:>7d}"
                f"{self.score:>8.1%}")


def header_row(name: str, extra: str = "") -> str:
    """Column titles of :meth:`Tally.row`."""
    return f"  {name:38s}{extra}{'gen.':>6s}{'killed':>8s}{'t/o':>6s}{'equiv':>7s}" \
           f"{'argued':>7s}{'surv.':>7s}{'score':>8s}"


def report(jobs: Sequence[Job], results: Sequence[Result], totals: dict[str, int],
           show_equivalent: bool = False) -> None:
    """Print the tallies by function, by operator, by notebook and overall, then the survivors,
    the mutants argued equivalent (and the equivalent ones, if asked)."""
    results, problems = argue(jobs, results)
    by_target: dict[str, Tally] = {}
    by_operator: dict[str, Tally] = {}
    by_notebook: dict[str, Tally] = {}
    overall = Tally()
    for job, result in zip(jobs, results, strict=True):
        for tally in (by_target.setdefault(job.target.label, Tally()),
                      by_operator.setdefault(job.mutant.operator, Tally()),
                      by_notebook.setdefault(job.notebook.name, Tally()), overall):
            tally.add(result)
    print("\nBy graded function (+n: n more graders call the same function; of: mutants found)")
    print(header_row("exercise", f"{'of':>6s}"))
    for label, tally in by_target.items():
        print(tally.row(label, f"{totals[label]:>6d}"))
    print("\nBy operator (a mutant two operators make counts for the first)")
    print(header_row("operator"))
    for name, tally in sorted(by_operator.items(), key=lambda item: -item[1].generated):
        print(tally.row(name))
    print("\nBy notebook")
    print(header_row("notebook"))
    for name, tally in by_notebook.items():
        print(tally.row(name))
    print(overall.row("overall"))
    verdict = "met" if overall.score >= TARGET_SCORE else "NOT met"
    print(f"\nscore = (killed + timeouts) / (generated - equivalent - argued) = "
          f"{overall.score:.1%}  (target >= {TARGET_SCORE:.0%}: {verdict})")
    listing(jobs, results, SURVIVED, "Surviving mutants, neither killed nor argued equivalent")
    listing(jobs, results, ARGUED, "Surviving mutants argued equivalent (left out of the score)")
    if problems:
        print(f"\nEntries of ARGUED_EQUIVALENT to fix ({len(problems)}):")
        print("\n".join(f"  {problem}" for problem in problems))
    listing(jobs, results, TIMEOUT, "Timeouts (counted as killed)")
    listing(jobs, results, ERROR, "Errors of this script (counted against the score: check them)")
    if show_equivalent:
        listing(jobs, results, EQUIVALENT, "Equivalent mutants (left out of the score)")


def listing(jobs: Sequence[Job], results: Sequence[Result], status: str, title: str) -> None:
    """Print the mutants whose result has ``status``: where, which operator, what changed, and
    the detail (for an argued one, its reason). The key of a mutant in ARGUED_EQUIVALENT is
    the exercise, what the operator did (after the colon), and the two lines."""
    chosen = [(job, result) for job, result in zip(jobs, results, strict=True)
              if result.status == status]
    if status != SURVIVED and not chosen:
        return
    print(f"\n{title} ({len(chosen)}):")
    for job, result in chosen:
        mutant = job.mutant
        detail = f"\n      ({result.detail})" if result.detail else ""
        print(f"  {job.target.exercises[0]}, cell {job.target.cell} line {mutant.line}, "
              f"{mutant.operator}: {mutant.kind}\n"
              f"      {mutant.before}\n   -> {mutant.after}{detail}")


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def prepare(notebooks: Sequence[Notebook], only: str, cap: int,
            timeout: float) -> tuple[list[Job], dict[str, int]]:
    """The jobs for every target whose exercises match ``only``, and each target's mutant total.

    The original of each target must pass its graders; one that does not is reported and left
    out (its mutants would say nothing about the graders).
    """
    jobs, totals = [], {}
    for notebook in notebooks:
        namespace = run_cells(notebook)
        for target in notebook.targets:
            if not any(only in exercise for exercise in target.exercises):
                continue
            original = namespace[target.function]
            try:
                calls = record_calls(target, original)
            except AssertionError as failure:
                print(f"  skipped {target.label}: the solution fails its grader: {failure}")
                continue
            probes = make_probes(calls, zlib.crc32(target.label.encode()), original)
            settle(original, probes)
            kinds = parameter_kinds(original, calls)
            found, totals[target.label] = mutants(target, cap, kinds)
            jobs.extend(Job(notebook, target, mutant, probes, timeout) for mutant in found)
    return jobs, totals


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="mutants evaluated at once")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds per grader and mutant before it counts as a timeout")
    parser.add_argument("--cap", type=int, default=200,
                        help="most mutants per function (a seeded sample above that)")
    parser.add_argument("--only", default="",
                        help="only exercises whose name contains this, e.g. 'backward.'")
    parser.add_argument("--show-equivalent", action="store_true",
                        help="also list the mutants judged equivalent")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Make the mutants, run them against the graders, and print the figures."""
    options = parse_arguments(argv)
    import matplotlib

    matplotlib.use("Agg")
    started = time.perf_counter()
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    with threadpool_limits(limits=1):  # one BLAS thread per mutant process
        notebooks = [load_notebook(path) for path in sorted(SOURCE.glob("ps*/*.ipynb"))]
        try:
            jobs, totals = prepare(notebooks, options.only, options.cap, options.timeout)
        except StaleMistake as stale:
            print(f"stopped: {stale}; update HAND_WRITTEN in bench/mutation_mistakes.py")
            return
        exercises = len({e for job in jobs for e in job.target.exercises})
        print(f"{len(totals)} graded functions ({exercises} exercises), {len(jobs)} mutants "
              f"(at most {options.cap} per function), {options.workers} workers, "
              f"{options.timeout:g} s per grader, prepared in "
              f"{time.perf_counter() - started:.1f} s")
        results = run_jobs(jobs, options.workers)
    report(jobs, results, totals, options.show_equivalent)
    print(f"\n({time.perf_counter() - started:.0f} s wall for the whole script, "
          f"{options.workers} workers.)")


if __name__ == "__main__":
    main()
