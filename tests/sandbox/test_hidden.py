"""Test cells split into the kernel's part and the grader's part, line numbers kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.hidden import GradingCall, split

SOURCE = Path(__file__).resolve().parents[2] / "source"

PARTIAL = '''### BEGIN HIDDEN TESTS
from grading import grade_parts

SCORED_IN_PARTS.add("softmax")
### END HIDDEN TESTS
with visible_checks("softmax"):
    assert softmax(Z).shape == (2, 3)
### BEGIN HIDDEN TESTS
grade_parts("forward.softmax", softmax, points=3)
### END HIDDEN TESTS
'''


def test_grading_statements_leave_the_kernels_copy():
    kernel, calls = split(PARTIAL)
    assert calls == [GradingCall("forward.softmax", ("softmax",), 3.0)]
    assert "grading" not in kernel and "grade_parts" not in kernel
    assert 'SCORED_IN_PARTS.add("softmax")' in kernel and "visible_checks" in kernel
    assert kernel.count("\n") == PARTIAL.count("\n")
    assert kernel.splitlines()[5] == PARTIAL.splitlines()[5]


def test_all_or_nothing_call():
    _, calls = split('from grading import grade\ngrade("quiz.q01", answer_q01)\n')
    assert calls == [GradingCall("quiz.q01", ("answer_q01",), None)]
    assert not calls[0].in_parts


@pytest.mark.parametrize("source", [
    'grade("x.y", f, points=2)\n', 'grade_parts("x.y", f)\n', 'grade(name, f)\n',
    'grade("x.y", f())\n',
])
def test_malformed_grading_calls_are_refused(source):
    with pytest.raises(ValueError):
        split(source)


def test_a_cell_that_does_not_parse_goes_to_the_kernel_whole():
    assert split("def broken(:\n") == ("def broken(:\n", [])


def test_every_test_cell_of_the_course_splits():
    found = 0
    for path in SOURCE.glob("*/*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade") and cell["cell_type"] == "code":
                kernel, calls = split("".join(cell["source"]))
                assert len(calls) == 1, (path.name, cell["metadata"]["nbgrader"]["grade_id"])
                assert "grading" not in kernel
                found += 1
    assert found > 40
