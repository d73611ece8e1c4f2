"""The simulated class: students written as code, for the demo, the tests and the benchmarks.

A deterministic generator fills the released notebooks the way a class would (correct solutions
in several styles from :mod:`simulation.alternatives`, catalogued mistakes, blank and half-done
notebooks, broken files, hostile submissions: :mod:`simulation.simulate`), and simulated students
fetch, submit and read their feedback through nbgrader's exchange (:mod:`simulation.students`).
:mod:`simulation.semester` runs one semester of the course with them, from release to the class
report: what ``make demo`` shows. Nothing here is needed to run a real course (that is
:mod:`course`); this package is built on it and on the graders, never the other way round.
"""
