"""How long a student waits for official feedback when the course grades on submit.

    .venv/bin/python bench/submit_latency.py [--workers 2] [--burst 30] [--idle-runs 3]

A scratch course (``simulation.served_class``: the course's config and ``ps1_forward``, released
through its own exchange) and ``python -m course.serve`` running on it. Two parts:

* idle: one student submits while the service has nothing else to do; the time from the end of
  ``nbgrader submit`` to the moment the student's ``nbgrader fetch_feedback`` finds the page
  (fetched every 0.2 s), over ``--idle-runs`` students one after another;
* burst: ``--burst`` students submit one after another as fast as the exchange takes them
  (a deadline rush); each one's delay from their own submit to their feedback, and the last
  one's, which is how long the rush takes to clear.

Prints the load average when it starts: the figures depend on what else the machine does.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from simulation.served_class import ServedClass

ASSIGNMENT = "ps1_forward"
#: Every third student of the burst gets one exercise wrong, as a class would.
WRONG = {"sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"}


def idle(served: ServedClass, runs: int) -> list[float]:
    """Seconds from submit to feedback for ``runs`` students, one at a time."""
    delays = []
    for n in range(runs):
        student = f"idle{n:02d}"
        folder = served.submit(student, ASSIGNMENT)
        start = time.monotonic()
        if not served.wait_for_feedback(student, ASSIGNMENT, folder, 600, poll=0.2):
            raise RuntimeError(f"no feedback for {student} within 600 s")
        delays.append(time.monotonic() - start)
        print(f"  {student}: {delays[-1]:.1f} s", flush=True)
    return delays


def burst(served: ServedClass, size: int) -> tuple[list[float], float, float]:
    """Each student's delay in a burst of ``size`` submissions, the time the submissions took,
    and the time from the first submit to the last feedback."""
    submitted: dict[str, tuple[str, float]] = {}
    first = time.monotonic()
    for n in range(size):
        student = f"rush{n:02d}"
        folder = served.submit(student, ASSIGNMENT, WRONG if n % 3 == 2 else None)
        submitted[student] = (folder, time.monotonic())
    submit_seconds = time.monotonic() - first
    delays: dict[str, float] = {}
    deadline = time.monotonic() + 3600
    while len(delays) < size and time.monotonic() < deadline:
        for student, (folder, at) in submitted.items():
            if student not in delays and served.feedback(student, ASSIGNMENT, folder):
                delays[student] = time.monotonic() - at
        time.sleep(0.5)
    return list(delays.values()), submit_seconds, time.monotonic() - first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--burst", type=int, default=30)
    parser.add_argument("--idle-runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores); service with {args.workers} workers, {ASSIGNMENT}")
    with tempfile.TemporaryDirectory(prefix="submit-latency-") as work:
        served = ServedClass.create(Path(work) / "run", [ASSIGNMENT],
                                    ["c.CourseServe.max_attempts = 0"])
        service = served.start_service(workers=args.workers)
        try:
            time.sleep(2)  # the service is up and idle
            print("idle: one submission at a time")
            delays = idle(served, args.idle_runs)
            print(f"idle: submit to feedback, median {statistics.median(delays):.1f} s "
                  f"(min {min(delays):.1f}, max {max(delays):.1f})")
            print(f"burst: {args.burst} students submit at once")
            waits, submitting, total = burst(served, args.burst)
            if len(waits) < args.burst:
                print(f"burst: only {len(waits)} of {args.burst} feedback pages within an hour")
            else:
                print(f"burst: {args.burst} submissions made in {submitting:.1f} s; last "
                      f"feedback {total:.1f} s after the first submit; each student's wait: "
                      f"median {statistics.median(waits):.1f} s, longest {max(waits):.1f} s; "
                      f"{60 * args.burst / total:.1f} submissions graded per minute")
        finally:
            served.stop_service(service)
    return 0


if __name__ == "__main__":
    sys.exit(main())
