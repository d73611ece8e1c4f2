"""Hidden graders for the course's exercises.

A notebook's hidden test cell calls :func:`grade` with the exercise's name and the student's
function; the check registered under that name compares it with the reference package on
seeded cases and raises ``AssertionError`` with a message a student can act on.

    ### BEGIN HIDDEN TESTS
    from grading import grade
    grade("forward.sigmoid", sigmoid)
    ### END HIDDEN TESTS

Exercise names are ``<notebook>.<function>``; every check module registers its own.
"""

from grading.registry import CHECKS, Failure, register
from grading.runner import grade

__all__ = ["CHECKS", "Failure", "grade", "register"]
