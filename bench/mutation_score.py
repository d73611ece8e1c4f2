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

The work is shared among modules of one job each, beside this script: ``mutation_notebooks``
(which functions are graded, their cells), ``mutation_operators`` and the ``mutation_*_slips``
modules it lists (the operators), ``mutation_generation`` (the mutants, with
``mutation_mistakes``'s hand-written ones), ``mutation_calls`` (the graders' recorded calls),
``mutation_equivalence`` (the comparison with the original), ``mutation_running`` (the forked
processes) and ``mutation_report`` (the figures).

Run from the repository root: ``.venv/bin/python bench/mutation_score.py``
(``--only backward.`` for one notebook, ``--show-equivalent`` to list the equivalent mutants too,
``--help`` for the options). It asserts nothing and always exits 0; the output says ``NOT met``
when the target is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Sequence

import numpy as np
from mutation_calls import parameter_kinds, record_calls
from mutation_equivalence import make_probes, settle
from mutation_generation import StaleMistake, mutants
from mutation_mistakes import ARGUED_EQUIVALENT
from mutation_notebooks import Notebook, load_notebooks, run_cells
from mutation_report import report
from mutation_running import Job, run_jobs
from threadpoolctl import threadpool_limits


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
            probes = make_probes(calls, target.seed, original)
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
        notebooks = load_notebooks()
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
    report(jobs, results, totals, ARGUED_EQUIVALENT, options.show_equivalent)
    print(f"\n({time.perf_counter() - started:.0f} s wall for the whole script, "
          f"{options.workers} workers.)")


if __name__ == "__main__":
    main()
