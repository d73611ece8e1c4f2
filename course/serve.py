"""Grade on submit: a long-running service that grades each submission as it arrives in the
exchange and hands its feedback back within minutes.

    python -m course.serve --course . --workers 2        # or: make serve

It watches the exchange's inbound folder (``c.Exchange.root``/<course id>/inbound). Each new
submission is copied, autograded in the sandbox and given its feedback by a child process
(:mod:`course.grade_on_submit`: the same collect, grading and feedback code as the deadline
run), up to ``--workers`` at once and one at a time per student and assignment, in the order the
exchange received them. The gradebook then holds the attempt the policy counts
(:mod:`course.attempts`, set in ``nbgrader_config.py``); a submission over the attempt limit is
not graded, its student receives a note saying so, and it stays in the exchange.

Everything in the inbound folder is treated as hostile: entries that are not plain folders with
an nbgrader-style name of a student and a released assignment are ignored (and logged once),
a folder is graded only once nbgrader's submit has finished writing it, a submission larger
than ``c.CourseServe.max_submission_mb`` is refused unread, links are never followed, and the
submission time is the exchange's record (:mod:`course.safe_collect`). A grading that fails or
runs past ``c.CourseServe.grading_timeout`` is recorded with its reason and the service goes on.

The journal (``serve/journal.jsonl`` in the course folder, :mod:`course.serve_journal`) makes
restarts safe: after a crash or a ``kill -9``, what was being graded is graded again and nothing
finished is graded twice. Child processes die with the service. Each grading is logged with its
duration on standard error.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import hashlib
import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from course.attempts import CourseServe, Policy, counted, policy_from_config
from course.grade_on_submit import inbound_folder, set_counted_scores
from course.inbound import (
    ABANDONED_SECONDS,
    MAX_ENTRIES,
    SETTLE_SECONDS,
    Arrival,
    owned_by,
    parse_name,
    survey,
)
from course.nbgrader_api import allow_concurrent_writers, load_config, put_tools_on_path
from course.serve_journal import Entry, Journal
from course.submit_notes import release_note
from course.worker_limits import die_with_parent

log = logging.getLogger("course.serve")
#: What happens to a submission over the attempt limit, as its student's note says.
OVER_LIMIT = {
    "deadline": "It is kept: nothing you submitted is lost, and at the deadline your latest "
                "submission is collected and graded as usual.",
    "keep": "It is kept for your instructor, but it will not be graded: your graded "
            "submissions count.",
}


class Service:
    """The watcher and its children; :meth:`run` until stopped."""

    def __init__(self, course: Path, workers: int, once: bool = False) -> None:
        self.course = course.resolve()
        self.config = load_config(self.course)
        self.policy: Policy = policy_from_config(self.config)
        serve = CourseServe(config=self.config)
        self.max_bytes = serve.max_submission_mb * 2**20
        self.poll, self.timeout = serve.poll_seconds, serve.grading_timeout
        self.check_owner = serve.check_owner
        self.inbound = inbound_folder(self.config)
        self.outbound = self.inbound.parent / "outbound"
        self.workers, self.once = max(1, workers), once
        self.state = self.course / "serve"
        self.journal = Journal.open(self.state / "journal.jsonl")
        self.running: dict[str, tuple[Entry, subprocess.Popen[bytes], float, Path]] = {}
        self.ignored: set[str] = set()
        self.stopping = False

    # -- finding submissions --------------------------------------------------------------
    def arrivals(self) -> list[Arrival]:
        """New complete submissions, in the order the exchange received them."""
        found = []
        try:
            names = os.listdir(self.inbound)
        except OSError:
            return []
        for name in names:
            if name in self.journal.entries or name in self.ignored or name in self.running:
                continue
            arrival = self._look_at(name)
            if arrival is not None:
                found.append(arrival)
        return sorted(found, key=lambda a: (a.received, a.folder))

    def _look_at(self, name: str) -> Arrival | None:
        path = self.inbound / name
        parsed = parse_name(name)
        try:
            is_folder = stat.S_ISDIR(os.lstat(path).st_mode)
        except OSError:
            return None
        if parsed is None or not is_folder or not (self.outbound / parsed[1]).is_dir():
            self.ignored.add(name)
            log.warning("ignored %r in the inbound folder: not a submission of a released "
                        "assignment", name)
            return None
        received, size, complete = survey(path, self.max_bytes)
        if size > self.max_bytes:
            self._refuse(name, parsed, received, f"it is larger than "
                         f"{self.max_bytes / 2**20:g} MB, or has more than {MAX_ENTRIES} files")
            return None
        if not complete and time.time() - received > ABANDONED_SECONDS:
            self.ignored.add(name)
            log.warning("ignored %r: it has had no submission secret for %g s (a submit that "
                        "did not finish, or not nbgrader's)", name, ABANDONED_SECONDS)
            return None
        if not complete or time.time() - received < SETTLE_SECONDS:
            return None  # still being written
        if self.check_owner and not owned_by(path, parsed[0]):
            self._refuse(name, parsed, received, "the folder does not belong to the account "
                         "of the student it names")
            return None
        return Arrival(name, parsed[0], parsed[1], received)

    def _refuse(self, name: str, parsed: tuple[str, str], received: float, why: str) -> None:
        entry = Entry(name, parsed[0], parsed[1], 0, self._period(received))
        release_note(self.config, self.inbound / name, "Your submission was not graded",
                     [f"Your submission of {parsed[1]} was not graded: {why}.",
                      "Remove what is not needed and submit again."])
        self.journal.finish(entry, {"status": "refused", "reason": why})
        log.warning("refused %s %s: %s", parsed[0], parsed[1], why)

    def _period(self, received: float) -> str:
        day = datetime.datetime.fromtimestamp(received, datetime.timezone.utc).date()
        return self.policy.period(day.isoformat())

    # -- grading --------------------------------------------------------------------------
    def dispatch(self, queue: list[Entry]) -> list[Entry]:
        """Start children for queued entries while workers are free, one per student and
        assignment at a time; return what is still waiting."""
        busy = {(e.student, e.assignment) for e, *_ in self.running.values()}
        waiting = []
        for entry in queue:
            pair = (entry.student, entry.assignment)
            if pair in busy or len(self.running) >= self.workers or self.stopping:
                busy.add(pair)  # later submissions of the same pair keep their order
                waiting.append(entry)
                continue
            busy.add(pair)
            if entry.attempt == 0 and not self._number(entry):
                continue
            self._start(entry)
        return waiting

    def _number(self, entry: Entry) -> bool:
        """Give a new entry its attempt number; refuse it politely when over the limit."""
        used = self.journal.attempts_used(entry.student, entry.assignment, entry.period)
        limit = self.policy.limit(entry.assignment)
        if limit and used >= limit:
            release_note(self.config, self.inbound / entry.folder, "Attempt limit reached", [
                f"You have used your {limit} graded submission{'s' if limit > 1 else ''} of "
                f"{entry.assignment}{' for today' if self.policy.per == 'day' else ''}, so this "
                "one was not graded now.",
                OVER_LIMIT[self.policy.over_limit],
                self.policy.describe(entry.assignment)])
            if self.policy.over_limit == "keep":
                (self.state / "kept").mkdir(parents=True, exist_ok=True)
                shutil.move(self.inbound / entry.folder, self.state / "kept" / entry.folder)
            self.journal.finish(entry, {"status": "over_limit", "reason": f"limit {limit}"})
            log.info("%s %s: over the limit of %d attempts, kept ungraded", entry.student,
                     entry.assignment, limit)
            return False
        entry.attempt = used + 1
        return True

    def _start(self, entry: Entry) -> None:
        for sub in ("results", "logs"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        result = self._result_file(entry)
        result.unlink(missing_ok=True)
        previous = [float(d.get("score", 0.0)) for d in
                    self.journal.graded(entry.student, entry.assignment)]
        self.journal.start(entry)
        command = [sys.executable, "-m", "course.grade_on_submit", entry.folder,
                   "--course", str(self.course), "--student", entry.student,
                   "--assignment", entry.assignment, "--attempt", str(entry.attempt),
                   "--previous", json.dumps(previous), "--result", str(result)]
        with (self.state / "logs" / f"{result.stem}.log").open("ab") as errors:
            child = subprocess.Popen(command, cwd=self.course, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=errors,
                                     start_new_session=True,
                                     preexec_fn=functools.partial(die_with_parent, os.getpid()))
        self.running[entry.folder] = (entry, child, time.monotonic(), result)
        log.info("grading %s %s attempt %d", entry.student, entry.assignment, entry.attempt)

    def _result_file(self, entry: Entry) -> Path:
        """Where the child grading ``entry`` writes its outcome."""
        key = hashlib.sha256(entry.folder.encode()).hexdigest()[:16]
        return self.state / "results" / f"{key}.json"

    def recover(self) -> list[Entry]:
        """After a stop or a crash: record the gradings whose child finished before the
        service could (their outcome is on disk); return the others, to grade again."""
        again = []
        for entry in self.journal.unfinished():
            try:
                outcome = json.loads(self._result_file(entry).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                log.info("grading again after a restart: %s", entry.folder)
                again.append(entry)
                continue
            self.journal.finish(entry, outcome)
            self._apply_policy(entry)
            log.info("recorded after a restart: %s, %s", entry.folder, outcome.get("status"))
        return again

    def reap(self) -> None:
        """Record the children that finished, and stop those past the time limit."""
        for folder, (entry, child, started, result) in list(self.running.items()):
            seconds = time.monotonic() - started
            if child.poll() is None and seconds <= self.timeout:
                continue
            if child.returncode is None:
                _kill(child)
                outcome: dict[str, Any] = {"status": "stopped", "reason": f"grading took "
                                           f"longer than {self.timeout:g} s and was stopped"}
            else:
                try:
                    outcome = json.loads(result.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    outcome = {"status": "failed", "reason": f"the grading process ended "
                               f"with code {child.returncode} (see serve/logs/)"}
            outcome["wall_seconds"] = round(seconds, 2)
            del self.running[folder]
            self.journal.finish(entry, outcome)
            self._apply_policy(entry)
            log.info("%s %s attempt %d: %s, %g of %g points, in %.1f s%s", entry.student,
                     entry.assignment, entry.attempt, outcome["status"],
                     outcome.get("score", 0.0), outcome.get("max_score", 0.0), seconds,
                     f" ({outcome['reason']})" if outcome.get("reason") else "")

    def _apply_policy(self, entry: Entry) -> None:
        """Make the gradebook hold the attempt the policy counts."""
        attempts = self.journal.graded(entry.student, entry.assignment)
        if not attempts:
            return
        index, factor = counted(self.policy, [float(a.get("score", 0.0)) for a in attempts])
        latest = attempts[-1]
        db_url = self.config.CourseDirectory.db_url
        course_id = self.config.CourseDirectory.course_id
        if index == len(attempts) - 1 and factor == 1.0 and latest.get("status") == "graded":
            return  # the latest grading's own scores count (the child cleared any others)
        cells = {key: value * factor for key, value in attempts[index].get("cells", {}).items()}
        set_counted_scores(db_url, course_id, entry.assignment, entry.student, cells)

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> int:
        """Grade until stopped (SIGTERM, SIGINT), or with ``once`` until nothing is left."""
        allow_concurrent_writers(self.config.CourseDirectory.db_url)
        put_tools_on_path()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        queue = self.recover()
        log.info("watching %s with %d workers; %s", self.inbound, self.workers,
                 self.policy.describe("each assignment"))
        while not self.stopping:
            self.reap()
            queued = {e.folder for e in queue}
            for arrival in self.arrivals():
                if arrival.folder not in queued:
                    queue.append(Entry(arrival.folder, arrival.student, arrival.assignment, 0,
                                       self._period(arrival.received)))
            queue = self.dispatch(queue)
            if self.once and not queue and not self.running and not self.arrivals_pending():
                break
            time.sleep(self.poll)
        for entry, child, _, _ in self.running.values():
            _kill(child)  # graded again at the next start
            log.info("stopped while grading %s", entry.folder)
        return 0

    def arrivals_pending(self) -> bool:
        """Whether the inbound folder holds a submission not yet recorded (still settling)."""
        try:
            names = os.listdir(self.inbound)
        except OSError:
            return False
        now = time.time()
        for name in names:
            if name in self.journal.entries or name in self.ignored:
                continue
            try:
                if now - os.lstat(self.inbound / name).st_ctime < ABANDONED_SECONDS:
                    return True
            except OSError:
                continue
        return False

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True


def _kill(child: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        child.kill()
    child.wait(10)


def _cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder, with nbgrader_config.py (default: here)")
    parser.add_argument("--workers", type=int, default=_cores(),
                        help="submissions graded at once (default: one per core this process "
                             "may use)")
    parser.add_argument("--once", action="store_true",
                        help="grade what is waiting, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    return Service(args.course, args.workers, args.once).run()


if __name__ == "__main__":
    sys.exit(main())
