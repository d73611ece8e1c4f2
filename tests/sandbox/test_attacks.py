"""Attacks on the confinement: one class of ps1_forward in which each attacker tries to get out
of the sandbox (read the course's files, the reference or the graders; damage the gradebook and
other submissions; reach the network; run code before confinement or with privilege; fill the
grader's sockets folder), graded through the real nbgrader autograde.

Every attacker also passes the checks of any attacked class (:class:`.AttackedClass`): no
points, no secret in any output or feedback, the gradebook and submissions intact.
"""

from __future__ import annotations

import re

import pytest

from .attacked_class import AttackedClass, graded_notebook, texts
from .attackers import SHADOW_FILES

pytestmark = pytest.mark.notebooks


class TestConfinementAttacks(AttackedClass):
    ATTACKERS = ("reference_when_graded", "reads_course_files", "writes_gradebook_and_others",
                 "network", "shadows_start_up", "uses_capabilities", "fills_sockets_folder")
    EXTRA_FILES = {"shadows_start_up": SHADOW_FILES}  # noqa: RUF012 (read only)

    def test_nothing_submitted_runs_before_confinement_or_with_privilege(self, graded):
        """Modules named like those the start-up imports, planted beside the notebook: whatever
        imported them did so inside the sandbox, as its unprivileged user."""
        course, outcomes, _, _ = graded
        assert outcomes["shadows_start_up"].status == "graded"
        records = re.findall(r"shadow (\S+) uid=(\d+) cap=([0-9a-f]+)",
                             "\n".join(texts(graded_notebook(course, "shadows_start_up"))))
        for name, uid, capabilities in records:
            assert int(uid) != 0 and int(capabilities, 16) == 0, (name, uid, capabilities)

    def test_student_code_has_no_capability_and_no_root(self, graded):
        course, _, _, _ = graded
        text = "\n".join(texts(graded_notebook(course, "uses_capabilities")))
        assert "CapEff 0000000000000000 CapBnd 0000000000000000" in text, text
        assert "NoNewPrivs 1" in text and "uid 0 " not in text
        assert "no set-uid shell" in text and "planted" not in text.replace("no set-uid", "")
        assert "privileged call worked" not in text and "open_by_handle_at: opened" not in text

    def test_the_grader_sockets_folder_takes_nothing(self, graded):
        """The folder of the kernel's sockets is a bind of the grader's disk: once the kernel is
        up, it is the grader's again, and the kernel cannot write there."""
        course, _, _, _ = graded
        text = "\n".join(texts(graded_notebook(course, "fills_sockets_folder")))
        assert "sockets folder: full after 0 MiB (Permission denied)" in text, text
