"""Hidden graders for the course's exercises.

A notebook's hidden test cell calls :func:`grade` with the exercise's name and the student's
function; the check registered under that name compares it with the reference package on
seeded cases and raises ``AssertionError`` with a message a student can act on.

    ### BEGIN HIDDEN TESTS
    from grading import grade
    grade("forward.sigmoid", sigmoid)
    ### END HIDDEN TESTS

An exercise with separable parts registers one check per part, and its test cell gives
partial credit: :func:`grade_parts` prints what passed and returns the points earned, which
nbgrader takes as the cell's score when it is the cell's last expression.

    ### BEGIN HIDDEN TESTS
    from grading import grade_parts
    grade_parts("forward.softmax", softmax, points=3)
    ### END HIDDEN TESTS

Exercise names are ``<notebook>.<function>``; every check module registers its own.
"""

from grading.registry import CHECKS, PARTS, Failure, register
from grading.runner import grade, grade_parts

# Importing the package registers every check (and every question of grading.answers); the
# registries never import the modules that add to them.
from grading import checks  # noqa: F401  isort: skip

__all__ = ["CHECKS", "PARTS", "Failure", "grade", "grade_parts", "register"]
