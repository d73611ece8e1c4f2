"""What grading one notebook found, kept out of the kernel's reach until it is written down.

:class:`sandbox.execute.SealedExecute` makes one :class:`GradingRecord` for each notebook it
grades (never shared with the next student's) and fills it while the cells run: the incidents
the instructor should hear of, each test cell's score and record, the seconds each code cell
took, the test cells already sealed (no output of the kernel reaches them any more) and the
output bytes each cell has used. When the notebook is done, :meth:`GradingRecord.write` puts it
in the notebook's metadata (:data:`sandbox.METADATA_KEY`) and the scores in nbgrader's
``resources`` (:data:`sandbox.SCORES_KEY`).
"""

from __future__ import annotations

from typing import Any, Literal

from nbformat import NotebookNode

from sandbox import METADATA_KEY, SCORES_KEY, remote

#: The incidents noted once per notebook however often they happen: the grading connection
#: lost, a fork bomb killed, writes into the grader's sockets folder deleted.
Once = Literal["lost kernel", "fork bomb", "runtime writes"]


class GradingRecord:
    """One notebook's grading record.

    ``incidents``: what the instructor should hear of, in the order it happened;
    ``scores``: the points of each test cell, by its name (grade id);
    ``cells``: each test cell's points, maximum points, the mistakes its graders named and the
    fingerprints of unexplained failures (``probes``, only when there are some);
    ``seconds``: the time each code cell ran, by its key (:func:`sandbox.limits.cell_key`);
    ``sealed``: the indices of the test cells already graded (no output reaches them);
    ``output_used``: the bytes of output each cell (by index) was sent so far.
    """

    def __init__(self) -> None:
        self.incidents: list[str] = []
        self.scores: dict[str, float] = {}
        self.cells: dict[str, dict[str, Any]] = {}
        self.seconds: dict[str, float] = {}
        self.sealed: set[int] = set()
        self.output_used: dict[int, int] = {}
        self._noted: set[str] = set()

    def note(self, incident: str) -> None:
        """Record an incident."""
        self.incidents.append(incident)

    def note_once(self, kind: Once, incident: str) -> None:
        """Record an incident of ``kind`` unless one was recorded already (each kind is noted
        by one thread only: the watchdog, or the cells' thread)."""
        if kind not in self._noted:
            self._noted.add(kind)
            self.incidents.append(incident)

    def note_kernel(self, name: str, kernel: remote.Kernel | None, timeouts_before: int
                    ) -> None:
        """After the grading calls of the test cell ``name``: whether one of them ran past the
        time limit (the kernel counted more timeouts than ``timeouts_before``), and whether the
        grading connection was lost (noted once)."""
        if kernel is None:
            return
        if kernel.timeouts > timeouts_before:
            self.note(f"{name}: a grading call ran past the time limit")
        if kernel.lost:
            self.note_once("lost kernel", f"{name}: {kernel.lost}")

    def score(self, name: str, full: float, passed: bool, partial: float | None,
              mistakes: list[dict[str, Any]], probes: dict[str, Any]) -> None:
        """Score the test cell ``name`` by nbgrader's rule: 0 unless it ``passed`` (every
        grading call passed and the cell shows no error), else the ``partial`` points a partly
        graded exercise earned (kept within 0 and ``full``), else ``full``."""
        if not passed:
            points = 0.0
        elif partial is not None:
            points = max(0.0, min(full, float(partial)))
        else:
            points = full
        self.scores[name] = points
        self.cells[name] = {"points": points, "max_points": full, "mistakes": mistakes,
                            **({"probes": probes} if probes else {})}

    def write(self, nb: NotebookNode, resources: dict[str, Any], sandbox: str) -> None:
        """Put the record in the notebook's metadata, with the ``sandbox`` mode it was graded
        in, and a copy of the scores in ``resources``."""
        nb.metadata[METADATA_KEY] = {"sandbox": sandbox, "incidents": self.incidents,
                                     "cells": self.cells, "seconds": self.seconds}
        resources[SCORES_KEY] = dict(self.scores)
