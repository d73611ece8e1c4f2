"""The grading sandbox: student code runs confined, scores are computed outside it.

:mod:`sandbox.execute` is the nbgrader preprocessor that puts it together; :mod:`sandbox.jail`
confines the kernel, :mod:`sandbox.hidden` splits test cells, :mod:`sandbox.remote` and
:mod:`sandbox.harness` are the two ends of a call into the kernel, :mod:`sandbox.wire` is what
crosses between them.
"""

#: Where the grader writes, in each autograded notebook's metadata, the sandbox mode that graded
#: it and the incidents it noted (read by the class report).
METADATA_KEY = "backprop_grading"
