"""The grading service's journal: what it started and what it finished, one JSON line per event,
so that a restart loses nothing and grades nothing twice.

Every submission is keyed by its folder name in the exchange's inbound folder (student,
assignment, submission time and nbgrader's random suffix), which no two submissions share. A
``start`` line is written (and flushed to disk) before grading begins, a ``done`` line when its
feedback is out. After a restart, a submission with a ``done`` line is never graded again, one
with only a ``start`` line is graded again under the same attempt number, and one with neither
is new. A line cut short by a crash is skipped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Statuses of finished submissions that used up an attempt.
COUNTED = ("graded", "failed", "stopped")


@dataclass
class Entry:
    """One submission: its key (inbound folder name), owner, attempt and, once finished, how
    it went (``done`` holds the ``done`` line)."""

    folder: str
    student: str
    assignment: str
    attempt: int
    period: str
    done: dict[str, Any] | None = None
    starts: int = 0


@dataclass
class Journal:
    """The append-only journal file and what it says so far."""

    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, path: Path) -> Journal:
        """Read the journal at ``path`` (created empty if missing)."""
        journal = cls(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    journal._apply(json.loads(line))
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short when the service was killed
        return journal

    def _apply(self, event: dict[str, Any]) -> None:
        folder = event["folder"]
        if event["event"] == "start" or folder not in self.entries:
            entry = self.entries.get(folder)
            if entry is None:
                entry = self.entries[folder] = Entry(folder, event["student"],
                                                     event["assignment"], int(event["attempt"]),
                                                     event.get("period", ""))
                self.order.append(folder)
            entry.starts += event["event"] == "start"
        if event["event"] == "done":
            self.entries[folder].done = event

    def write(self, event: dict[str, Any]) -> None:
        """Append ``event`` and flush it to disk before returning."""
        self._apply(event)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(event) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def start(self, entry: Entry) -> None:
        """Record that grading ``entry`` begins."""
        self.write({"event": "start", "folder": entry.folder, "student": entry.student,
                    "assignment": entry.assignment, "attempt": entry.attempt,
                    "period": entry.period})

    def finish(self, entry: Entry, outcome: dict[str, Any]) -> None:
        """Record how grading ``entry`` went (``outcome`` holds at least ``status``)."""
        self.write({**outcome, "event": "done", "folder": entry.folder,
                    "student": entry.student, "assignment": entry.assignment,
                    "attempt": entry.attempt, "period": entry.period})

    def unfinished(self) -> list[Entry]:
        """Submissions started but not finished (the service stopped while grading them)."""
        return [self.entries[f] for f in self.order if self.entries[f].done is None]

    def attempts_used(self, student: str, assignment: str, period: str) -> int:
        """Attempts ``student`` has used (graded, being graded, or failed) on ``assignment`` in
        ``period``."""
        return sum(1 for e in self.entries.values()
                   if (e.student, e.assignment, e.period) == (student, assignment, period)
                   and (e.done is None or e.done.get("status") in COUNTED))

    def graded(self, student: str, assignment: str) -> list[dict[str, Any]]:
        """The finished attempts of ``student`` on ``assignment`` that used an attempt, in the
        order they were started."""
        return [self.entries[f].done for f in self.order
                if (self.entries[f].student, self.entries[f].assignment) == (student, assignment)
                and self.entries[f].done is not None
                and self.entries[f].done.get("status") in COUNTED]
