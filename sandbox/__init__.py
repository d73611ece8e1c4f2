"""The grading sandbox: student code runs confined, scores are computed outside it.

:mod:`sandbox.execute` is the nbgrader preprocessor that puts it together; :mod:`sandbox.jail`
confines the kernel, :mod:`sandbox.hidden` splits test cells, :mod:`sandbox.remote` and
:mod:`sandbox.harness` are the two ends of a call into the kernel, :mod:`sandbox.wire` is what
crosses between them, and :mod:`sandbox.scores` saves the scores the grader decided.
"""

#: Where the grader writes, in each autograded notebook's metadata, the sandbox mode that graded
#: it, the incidents it noted, and each test cell's score and named mistakes (read by the class
#: report); the grader's outputs in test cells carry it in their metadata too.
METADATA_KEY = "backprop_grading"

#: Where :class:`sandbox.execute.SealedExecute` leaves, in nbgrader's ``resources``, the score
#: it decided for each test cell (by grade id), for :class:`sandbox.scores.SaveRecordedGrades`.
SCORES_KEY = "backprop_scores"
