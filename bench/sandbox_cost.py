"""What the grading sandbox costs: one simulated class graded three ways, timed.

    .venv/bin/python bench/sandbox_cost.py [--students 8] [--assignments ps1_forward ps2_backward]

Grades the same submissions with one worker, for two classes: a simulated class (seed 5: right
and wrong answers, blanks, an endless loop...) and a class where everyone hands in the
instructor's solution (no time limits hit: the sandbox's cost shows most there). Three ways:

* ``stock``: nbgrader's own Execute, hidden tests in the student's kernel (no protection);
* ``process``: SealedExecute without bubblewrap (scores outside the kernel, limits only; left
  out when run as root, since that mode refuses root);
* ``bubblewrap``: SealedExecute in bubblewrap (what ``nbgrader_config.py`` uses by default).

Prints the seconds per student of each and the overhead of the sandbox against stock; the
target is at most 15%. Also checks the three gradebooks give every student the same score (a
difference is printed, not raised: this is a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

from course.parallel_autograde import autograde_class
from simulation.simulate import simulate_class

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.15
STOCK = """
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata"]
"""


def make_course(folder: Path, assignments: list[str], students: int, extra: str,
                solved: bool) -> Path:
    """A course folder with the class submitted (simulated, or everyone handing in the
    instructor's solution when ``solved``), its config ending with ``extra``."""
    course = folder / "course"
    (course / "source").mkdir(parents=True)
    config = (ROOT / "nbgrader_config.py").read_text() + extra
    (course / "nbgrader_config.py").write_text(config)
    for assignment in assignments:
        shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
        subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "generate_assignment",
                        assignment, "--force"], cwd=course, check=True, capture_output=True,
                       env={**os.environ, "PATH": f"{Path(sys.executable).parent}:"
                                                  f"{os.environ['PATH']}"})
    if not solved:
        simulate_class(ROOT / "source", ROOT / "release", assignments, students, 5,
                       course / "submitted")
        return course
    for n in range(1, students + 1):
        for assignment in assignments:
            shutil.copytree(ROOT / "source" / assignment,
                            course / "submitted" / f"student{n:03d}" / assignment)
    return course


def scores(course: Path, assignments: list[str]) -> dict[tuple[str, str], float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {(s.student.id, a): s.score for a in assignments
                for s in gradebook.assignment_submissions(a)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--assignments", nargs="+", default=["ps1_forward", "ps2_backward"])
    args = parser.parse_args()
    os.environ.setdefault("BACKPROP_CELL_TIMEOUT", "10")  # the simulated endless loops
    print(f"load average at start: {os.getloadavg()[0]:.2f}; {args.students} students, "
          f"{', '.join(args.assignments)}, one worker")
    modes = {"stock": STOCK, "process": '\nc.SealedExecute.sandbox = "process"\n',
             "bubblewrap": '\nc.SealedExecute.sandbox = "bubblewrap"\n'}
    if os.getuid() == 0:  # the process mode refuses to run student code as root
        del modes["process"]
        print("(running as root: the process mode, which refuses root, is left out)")
    for solved in (False, True):
        print("\nclass: " + ("everyone hands in the solution" if solved else "simulated"))
        seconds, results = {}, {}
        with tempfile.TemporaryDirectory() as scratch:
            for mode, extra in modes.items():
                course = make_course(Path(scratch, mode), args.assignments, args.students,
                                     extra, solved)
                start = time.perf_counter()
                for assignment in args.assignments:
                    autograde_class(course, assignment, workers=1, progress=None)
                seconds[mode] = time.perf_counter() - start
                results[mode] = scores(course, args.assignments)
                print(f"{mode:>12}: {seconds[mode]:7.1f} s  "
                      f"({seconds[mode] / args.students:5.2f} s per student)")
        for mode in [m for m in modes if m != "stock"]:
            overhead = seconds[mode] / seconds["stock"] - 1
            verdict = "met" if overhead <= TARGET else "NOT met"
            differ = {k: (results["stock"].get(k), v) for k, v in results[mode].items()
                      if results["stock"].get(k) != v}
            print(f"  {mode} sandbox overhead: {100 * overhead:+.1f}% (target at most "
                  f"{100 * TARGET:.0f}%: {verdict}); same scores as stock: {not differ}"
                  + (f" (differences: {differ})" if differ else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
