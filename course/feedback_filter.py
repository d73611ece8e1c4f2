"""What a student's feedback shows of a graded cell's outputs: messages, not machinery.

Both preprocessors run in ``GenerateFeedback.preprocessors`` (``nbgrader_config.py``), after
nbgrader's ``ClearHiddenTests``; the autograded notebooks the instructor reads keep everything.

``ShortTracebacks``: IPython prints a traceback with the lines of the cell around the failing
line, and a graded cell's hidden tests are lines of that cell: a ``NameError`` raised by the
hidden part (the student's function does not exist because its cell has a syntax error) would
print them. nbgrader's ``ClearHiddenTests`` clears the cell's source in the feedback, not its
outputs. This keeps of every error in a graded cell its one-line message: the message alone
when the error showed only its message in the notebook (a visible check's ``NotYet``, whose
message already says "✗ relu: ..."), else ``ename: evalue``.

``HideTestCellResults``: a test cell's value (``Out[n]: 2.0``, the points ``grade_parts(...)``
returns) is how stock nbgrader reads partial credit from the outputs. Scores are decided by the
grader (``sandbox/execute.py``) and read by ``GetGrades`` from the gradebook, so in feedback such
a value is noise: it is removed from test cells. ``SealedExecute`` keeps no value in a test cell
anyway; this cleans notebooks graded without it.

``CourseProfile``: the student's misconceptions across the course (:mod:`course.profile`),
from the autograded records of their other assignments as they are when the feedback is
generated (regenerate an earlier assignment's feedback after a later one is graded, and it names
the later one too). The template (``feedback_templates/backprop_feedback``) shows the section
under the score, with links to the sections of the notebooks that explain each mistake.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution

from course import profile

#: The exception class of the course's visible checks (the notebooks' setup cell).
CHECK_ERRORS = frozenset({"NotYet"})
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def one_line(output: NotebookNode) -> str:
    """The line feedback shows for an error output."""
    ename, evalue = str(output.get("ename", "Error")), str(output.get("evalue", ""))
    shown = [_ANSI.sub("", str(line)).strip() for line in output.get("traceback") or []]
    if ename in CHECK_ERRORS or shown == [evalue.strip()]:
        return evalue
    return f"{ename}: {evalue}"


class ShortTracebacks(NbGraderPreprocessor):
    """Reduce the errors of graded cells to their one-line message."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" and is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [one_line(output)]
        return cell, resources


class HideTestCellResults(NbGraderPreprocessor):
    """Remove the value (``execute_result``) of every test cell; its score is the gradebook's."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" and is_grade(cell) and not is_solution(cell):
            cell.outputs = [output for output in cell.get("outputs", [])
                            if output.get("output_type") != "execute_result"]
        return cell, resources


#: The key of ``resources`` under which the template finds the misconceptions section.
PROFILE_KEY = "backprop_profile"


class CourseProfile(NbGraderPreprocessor):
    """Put the student's misconceptions across the course (HTML, escaped) into the
    resources, for the feedback template. Never fails the feedback: an unreadable record
    only leaves the section out."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        resources[PROFILE_KEY] = ""
        try:
            grading = resources["nbgrader"]
            student, assignment = str(grading["student"]), str(grading["assignment"])
            notebook = str(grading["notebook"])
            # nbgrader reads {autograded}/{student}/{assignment}/{notebook}.ipynb
            autograded = Path(resources["metadata"]["path"]).resolve().parent.parent
            coursedir = CourseDirectory(config=self.config)
            release = Path(coursedir.root) / coursedir.release_directory
            found = profile.student_profile(autograded, student, release)
            resources[PROFILE_KEY] = profile.feedback_html(found, assignment, notebook)
        except Exception as error:  # the rest of the feedback still matters more
            self.log.warning("misconceptions left out of the feedback: %s", error)
        return nb, resources
