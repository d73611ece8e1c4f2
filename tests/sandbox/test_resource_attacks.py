"""Attacks on the grader's resources: one class of ps1_forward in which each attacker tries to
exhaust or stop the grading (exits, a killed kernel, an endless loop, memory, fork and output
bombs, processes left behind, floods of errors and huge messages, a full disk), graded through
the real nbgrader autograde.

Every attacker also passes the checks of any attacked class (:class:`.AttackedClass`): no
points, no secret in any output or feedback, no process left behind.
"""

from __future__ import annotations

import re

import pytest

from .attacked_class import (
    ASSIGNMENT,
    UNGRADABLE,
    AttackedClass,
    graded_notebook,
    incidents,
    texts,
)

pytestmark = pytest.mark.notebooks


class TestResourceAttacks(AttackedClass):
    ATTACKERS = ("sys_exit", "os_exit", "kills_kernel", "infinite_loop", "memory_bomb",
                 "fork_bomb", "leaves_processes", "output_flood", "error_flood",
                 "huge_iopub_message", "huge_grading_reply", "fills_disk")

    @pytest.mark.parametrize(("attack", "words"), [
        ("infinite_loop", "time limit"), ("memory_bomb", "out of memory"),
        ("output_flood", "output cut"), ("leaves_processes", "killed 3 processes"),
    ])
    def test_the_grading_record_names_what_happened(self, graded, attack, words):
        course, _, _, _ = graded
        recorded = incidents(course, attack)
        assert any(words in line for line in recorded), recorded

    def test_ungradable_attacks_are_reported_with_their_reason(self, graded):
        _, outcomes, _, _ = graded
        for attack, words in UNGRADABLE.items():
            assert words in outcomes[attack].reason, outcomes[attack].reason

    def test_errors_and_huge_messages_are_bounded(self, graded):
        """Error outputs count against the output cap; messages over the size limits are refused
        before they are parsed (the memory ceiling of every class's workers:
        :meth:`.AttackedClass.test_no_grading_worker_passed_the_memory_ceiling`)."""
        course, _, _, _ = graded
        for attack in ("error_flood", "huge_iopub_message", "huge_grading_reply"):
            path = course / "autograded" / attack / ASSIGNMENT / "forward.ipynb"
            assert path.stat().st_size < 2_000_000, (attack, path.stat().st_size)

    def test_the_disk_a_notebook_can_fill_is_bounded(self, graded):
        course, _, _, _ = graded
        text = "\n".join(texts(graded_notebook(course, "fills_disk")))
        filled = {folder: int(mib) for folder, mib in
                  re.findall(r"(\S+): disk full after (\d+) MiB", text)}
        assert set(filled) == {".", "/tmp"}, text
        assert all(mib <= 256 for mib in filled.values()), filled
