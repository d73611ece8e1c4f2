"""Measure the instructor's solutions and write each cell's time limit for grading.

Run from the course folder after changing a notebook in ``source/`` (a few minutes)::

    .venv/bin/python -m course.time_limits                    # every assignment
    .venv/bin/python -m course.time_limits ps3_training --repeat 5

Each source notebook, solutions and hidden tests included, is autograded ``--repeat`` times
(default 3) in the real sandbox, one after another, as a student named ``instructor-<n>`` of a
scratch course, with the flat cell limit only. The grader records how long each code cell took,
its hidden tests included (``seconds`` in the grading record). Cells that run only the
instructor's code (setup and given cells above the first solution: :func:`instructor_only`)
keep the flat limit; every other cell's limit is the slowest
of the runs times ``--factor`` (default 15), at least ``--floor`` seconds (default 3), written to
``cell_time_limits.json`` (see :mod:`sandbox.limits`). ``BACKPROP_CELL_TIMEOUT`` stays the
ceiling. The factor and floor are generous on purpose: a correct solution written with loops,
or a machine busy with the rest of the class, must still fit; ``tests/sandbox/
test_cell_limits.py`` grades the slowest correct alternative of every exercise under them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from course.nbgrader_api import instructor_api
from course.parallel_autograde import autograde_class
from sandbox import METADATA_KEY
from sandbox.limits import FILE, cell_key, limit

ROOT = Path(__file__).resolve().parent.parent


def measure(assignments: list[str], repeat: int, source: Path = ROOT / "source"
            ) -> dict[str, dict[str, dict[str, float]]]:
    """Assignment -> notebook -> cell key -> the slowest of ``repeat`` gradings of the
    instructor's notebook, in seconds."""
    seconds: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="time-limits-") as scratch:
        course = Path(scratch, "course")
        (course / "source").mkdir(parents=True)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        os.environ["BACKPROP_CELL_LIMITS"] = "off"
        os.environ["BACKPROP_GRADEBOOK"] = f"sqlite:///{course / 'gradebook.db'}?timeout=120"
        api = instructor_api(course)
        for assignment in assignments:
            shutil.copytree(source / assignment, course / "source" / assignment)
            result = api.generate_assignment(assignment, force=True)
            if not result.get("success"):
                raise RuntimeError(f"generate_assignment {assignment} failed:\n"
                                   f"{result.get('log', '')}")
            students = [f"instructor-{n}" for n in range(repeat)]
            for student in students:
                shutil.copytree(source / assignment, course / "submitted" / student / assignment,
                                ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            outcomes = autograde_class(course, assignment, students, workers=1, progress=None)
            failed = [o for o in outcomes if o.status != "graded"]
            if failed:
                raise RuntimeError(f"the instructor's {assignment} did not grade: {failed}")
            notebooks = seconds.setdefault(assignment, {})
            for student in students:
                for path in sorted((course / "autograded" / student / assignment).glob(
                        "*.ipynb")):
                    notebook = json.loads(path.read_text())
                    fixed = {cell_key(cell) for cell in instructor_only(notebook["cells"])}
                    cells = notebooks.setdefault(path.stem, {})
                    for key, took in notebook["metadata"][METADATA_KEY]["seconds"].items():
                        if key not in fixed:
                            cells[key] = max(cells.get(key, 0.0), float(took))
    return seconds


def instructor_only(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cells of a notebook that run only the instructor's code: the locked cells that are
    neither a solution nor graded (the setup and given cells, which nbgrader puts back as
    released) and come before the first solution cell. They keep the flat limit: a student
    cannot make them loop, and a setup cell cut short by a busy machine would cost the whole
    notebook. A locked cell further down (a plot of the student's activations, a training
    run) calls the student's functions, so it gets a measured limit like theirs."""
    found = []
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        if meta.get("solution"):
            break
        if cell.get("cell_type") == "code" and meta.get("locked") and not meta.get("grade"):
            found.append(cell)
    return found


def table(seconds: dict[str, dict[str, dict[str, float]]], floor: float, factor: float
          ) -> dict[str, Any]:
    """The file's content: the rule, every cell's limit, and the times they come from."""
    return {"floor": floor, "factor": factor,
            "assignments": {assignment: {notebook: {key: limit(took, floor, factor)
                                                    for key, took in sorted(cells.items())}
                                         for notebook, cells in sorted(notebooks.items())}
                            for assignment, notebooks in sorted(seconds.items())},
            "measured_seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*",
                        help="assignments to measure (default: every folder of source/); the "
                             "others keep their entries in the file")
    parser.add_argument("--repeat", type=int, default=3, help="gradings per notebook")
    parser.add_argument("--floor", type=float, default=3.0, help="smallest limit, seconds")
    parser.add_argument("--factor", type=float, default=15.0,
                        help="limit = factor x the slowest measured time")
    parser.add_argument("--output", type=Path, default=ROOT / FILE)
    parser.add_argument("--no-measure", action="store_true",
                        help="only apply --floor and --factor to the times already in the file")
    args = parser.parse_args(argv)
    assignments = args.assignments or sorted(p.name for p in (ROOT / "source").iterdir()
                                             if p.is_dir())
    try:
        kept = json.loads(args.output.read_text()).get("measured_seconds", {})
    except (OSError, ValueError):
        kept = {}
    kept = kept if isinstance(kept, dict) else {}
    seconds = ({a: n for a, n in kept.items() if a in assignments} if args.no_measure
               else measure(assignments, max(1, args.repeat)))
    kept = {a: n for a, n in kept.items() if a not in seconds}
    args.output.write_text(json.dumps(table({**kept, **seconds}, args.floor, args.factor),
                                      indent=1, sort_keys=True) + "\n")
    for assignment, notebooks in sorted(seconds.items()):
        for notebook, cells in sorted(notebooks.items()):
            slowest = max(cells.items(), key=lambda item: item[1])
            print(f"{assignment}/{notebook}: {len(cells)} code cells, "
                  f"{sum(cells.values()):.1f} s in all, slowest {slowest[0]} "
                  f"{slowest[1]:.2f} s -> limit {limit(slowest[1], args.floor, args.factor)} s")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
