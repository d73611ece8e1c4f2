"""The mistake catalogue: every common student error, written once as executable code.

Each :class:`Mistake` is a wrong variant of one exercise's function, with the student's
signature, a one-line name and a hint that points toward the fix without giving the code. The
catalogue serves three purposes: graders must fail every variant (no mistake slips through),
graders recognise them in submissions (targeted feedback), and the class simulator uses them to
make realistic classes.
"""

import importlib
import pkgutil

from grading.mistakes.catalogue import MISTAKES, Mistake, for_exercise

# Importing each module of the package registers its mistakes (one module per notebook part).
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["MISTAKES", "Mistake", "for_exercise"]
