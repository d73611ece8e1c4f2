"""nbgrader settings for the backpropagation course.

Run nbgrader from this folder, the course root. Three settings can be changed without editing
this file, through environment variables:

* ``BACKPROP_EXCHANGE``: the exchange folder where released assignments and submissions meet
  (default: ``exchange/`` beside this file; on a shared server, a folder every user can reach).
* ``BACKPROP_GRADEBOOK``: the gradebook's database URL (default: ``gradebook.db`` beside this
  file; any URL nbgrader supports, e.g. ``postgresql://...`` for several graders). A SQLite URL
  may end in ``?timeout=<seconds>``: how long a writer waits for another to finish, which
  matters when ``python -m course.parallel_autograde`` grades with several workers.
* ``BACKPROP_CELL_TIMEOUT``: seconds one cell may run while grading (default 60): the ceiling.
  Below it each cell has its own limit, from the instructor solution's measured time
  (``cell_time_limits.json`` beside this file, written by ``python -m course.time_limits``; see
  ``sandbox/limits.py``). ``BACKPROP_CELL_LIMITS``: another such table, or ``off`` for the flat
  limit on every cell.
* ``BACKPROP_SANDBOX``: how student code is confined while graded: ``auto`` or ``bubblewrap``
  (default: Debian's bubblewrap; grading refuses to start where it cannot run) or ``process``
  (the explicit choice of a weaker mode that protects nothing against a hostile submission and
  refuses to run as root). See "Tamper-proof grading" in the README.
* ``BACKPROP_SECRET``: the course's grading secret, from which each student's own hidden inputs
  are derived (default: ``.grading_secret`` beside this file, created on first use; a relative
  path is taken from this file's folder; ``off``: the same inputs for every student). Keep it
  with the gradebook and back it up with it: a new secret gives every student new inputs. See
  ``grading/variant.py`` and "Each student their own hidden inputs" in the README.
* ``BACKPROP_WORKER_MB``: the address space of one grading worker process, in MiB (default
  4096; 0 for no limit), read by ``course.parallel_autograde`` and the grading service.
"""

import os

from course import validation

c = get_config()  # noqa: F821  (nbgrader provides get_config when it loads this file)
here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.root = here
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = os.environ.get(
    "BACKPROP_GRADEBOOK", "sqlite:///" + os.path.join(here, "gradebook.db") + "?timeout=120"
)

c.Exchange.root = os.environ.get("BACKPROP_EXCHANGE", os.path.join(here, "exchange"))
# Collect never follows a link out of a submission, and takes the later of the submission time
# the student's timestamp.txt claims and the exchange's own record (course/safe_collect.py).
c.ExchangeFactory.collect = "course.safe_collect.SafeCollect"

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A notebook with solutions runs in well under a minute; give one cell at most this long.
cell_timeout = int(os.environ.get("BACKPROP_CELL_TIMEOUT", "60"))
c.ExecutePreprocessor.timeout = cell_timeout
c.Execute.timeout = cell_timeout
cell_limits = os.environ.get("BACKPROP_CELL_LIMITS", os.path.join(here, "cell_time_limits.json"))
if cell_limits != "off":
    c.SealedExecute.cell_limits = cell_limits

# Each student their own hidden inputs (grading/variant.py), from this secret and their id. A
# relative path is the course folder's: every grading worker, whatever its working folder, reads
# the one secret.
secret = os.environ.get("BACKPROP_SECRET", ".grading_secret")
if secret != "off":
    c.SealedExecute.secret_file = os.path.join(here, secret)

# `nbgrader validate` and JupyterLab's Validate button: the first failing cell's error starts
# with "7 of 10 exercises pass their visible checks.", and no message is cut at the validator's
# width (course/validation.py; these hooks act only while validating).
c.Validator.width = validation.WIDTH
c.Execute.on_notebook_start = validation.on_notebook_start
c.Execute.on_cell_start = validation.on_cell_start

# Student code runs in a sandbox while graded, and hidden tests are scored outside it
# (sandbox/execute.py): SealedExecute takes the place of nbgrader's Execute, and decides each
# test cell's score, which SaveRecordedGrades (sandbox/scores.py) saves in SaveAutoGrades' place.
# Before it, EnforceRules (sandbox/rules.py) scores 0 an exercise that breaks a rule its notebook
# announces (grading/rules.py: tanh without np.tanh), read from the submitted source.
c.Autograde.autograde_preprocessors = [
    "sandbox.execute.SealedExecute",
    "sandbox.sanitize.SanitizeStudentHTML",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "sandbox.rules.EnforceRules",
    "sandbox.scores.SaveRecordedGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "sandbox.metadata_check.CheckCellMetadata",
]
# nbgrader's own sanitizing steps, with its metadata check compiled once per worker
# (sandbox/metadata_check.py: the same checks, a fifth of a worker's own time saved).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "sandbox.metadata_check.CheckCellMetadata",
]
c.SealedExecute.sandbox = os.environ.get("BACKPROP_SANDBOX", "auto")
c.SealedExecute.cpu_seconds = 600  # CPU time of one notebook's kernel
c.SealedExecute.memory_mb = 4096  # address space of one kernel process
c.SealedExecute.processes = 64  # processes and threads at once
c.SealedExecute.file_mb = 64  # largest file the kernel may write
c.SealedExecute.tmp_mb = 256  # the kernel's private /tmp
c.SealedExecute.work_mb = 256  # the kernel's working folder (a copy of the student's folder)
c.SealedExecute.output_bytes = 200_000  # output kept per cell

# Late work loses 10% of its score per started day past the deadline (after 5 minutes' grace).
c.AssignLatePenalties.plugin_class = "course.late_penalty.PercentPerDayLate"
c.PercentPerDayLate.percent_per_day = 10.0
c.PercentPerDayLate.grace_minutes = 5.0

# Student HTML, SVG and JavaScript never run in the instructor's browser: outputs and student
# cells are sanitized before an autograded notebook is stored, and again in the feedback
# (sandbox/sanitize.py).
# Feedback shows each test cell's visible checks and the grader's message, never the hidden part
# (neither its source nor the lines of it a traceback would quote), nor a test cell's value
# (scores come from the gradebook) (course/feedback_filter.py). Above the notebook, the
# student's misconceptions across the course, from the autograded records of their other
# assignments (CourseProfile, course/profile.py).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "course.feedback_filter.ShortTracebacks",
    "course.feedback_filter.HideTestCellResults",
    "course.feedback_filter.CourseProfile",
    "sandbox.sanitize.SanitizeStudentHTML",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The feedback page works offline: math pre-rendered as MathML (no MathJax from a CDN), long
# output lines wrapped, table of contents by exercise (course/feedback_page.py).
c.GenerateFeedback.exporter_class = "course.feedback_page.FeedbackExporter"

# Grading on submit (`python -m course.serve`, `make serve`; course/attempts.py): each student
# may have 3 submissions of an assignment graded as they arrive (`per = "day"`: 3 a day), and
# the gradebook holds the latest ("last"), the best ("best"), or the best after a 10% decay per
# attempt ("best_with_decay", with `decay`). A submission over the limit is not graded on submit:
# its student gets a note as feedback, and it is kept: in the exchange, where the deadline's
# collect takes each student's latest submission as always (`over_limit = "deadline"`), or
# moved to serve/kept/ and never graded ("keep"). 0 attempts means no limit;
# `assignment_max_attempts` sets other limits per assignment, e.g. {"quiz": 1}.
c.CourseServe.max_attempts = 3
c.CourseServe.per = "assignment"
c.CourseServe.counts = "last"
c.CourseServe.decay = 0.1
c.CourseServe.assignment_max_attempts = {}
c.CourseServe.over_limit = "deadline"
