"""What an instructor runs: a class graded in parallel or on Dask, the grading service, the
look-over before grading, feedback pages, regrades and the class report, all through nbgrader.
The simulated class that exercises them lives in :mod:`simulation`."""
