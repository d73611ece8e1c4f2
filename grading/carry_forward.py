"""A slip costs once: credit carried forward from a wrong helper.

Some exercises call the student's own earlier functions, as their notebook asks:
network_backward calls dense_gradients and hidden_delta, dead_fractions calls
dead_unit_fraction, train calls sgd_step and iterate_minibatches... A check calls the student's
function, and in grading that function is a stand-in whose code runs in the student's kernel,
where it finds the student's own helpers by name: a check cannot swap a correct helper in.
So a wrong helper would cost its points twice, once in its own exercise and once in every
exercise that calls it. Instead, credit is carried forward:

1. The check runs as it is (with the reference's answers). When it passes, nothing more.
2. When it fails, each helper the exercise's method calls (:class:`Dependency`) is looked up
   beside the student's function (:func:`student_helper`) and graded by its own exercise's
   check. The helpers that fail are the slips (:func:`slips`).
3. With slips, the check runs again on a stand-in (:class:`CarriedForward`) of the student's
   function. Each call runs the student's function, and the notebook's method for the exercise
   with the student's helpers in it (called in the kernel, the right ones too), on copies of
   the same inputs. When the two agree (same result, or the same error, and the same changes
   to the inputs), the student's function did what the notebook asks with the helpers it had:
   the stand-in answers what the method gives with correct helpers (and undoes those changes),
   so the check judges the student's function as if its helpers were right. When they
   disagree, the stand-in answers what the student's function did, and the check fails again.
4. If that second run passes, the exercise passes with a note naming the helpers (the
   catalogued mistake each reproduces, or what its check said); if not, it fails with its
   first message and a note that the helpers it calls fail their own exercises.

Credit is carried forward only from an attempt: a helper that raises NotImplementedError, or
whose calls (in its own check and in the method) all give one same value or raise one same
error (a placeholder such as ``return 0.0`` or ``raise ValueError("todo")``), leaves nothing
to carry forward, so a placeholder exercise cannot earn points by agreeing with a placeholder
helper. Only the helpers the method called in the second run lend credit: one that an earlier
helper's error kept from running is named in the note but neither lends nor blocks it. The
stand-in calls the student's helpers through :func:`grading.calls.call`, on the method's own
copies of the inputs, so they may change those in place as they would in the student's
kernel. What grading cannot see: whether the student's function really calls its helper (it
runs in the kernel). A function that makes, by itself, exactly the mistake its wrong helper
makes is taken for one that calls it; the helper still loses its own points.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grading.calls import call
from grading.dependencies import DEPENDENCIES, Dependency, Helper, hung, student_helper
from grading.diagnosis import (
    UNCOPIABLE,
    Call,
    Raised,
    Recorder,
    Yielded,
    copied,
    matching_mistake,
    same,
)
from grading.mistakes import Mistake
from grading.registry import Failure, lookup


@dataclass
class Slip:
    """A helper of the student's that fails its own exercise: what its check said, the
    catalogued mistake it reproduces (if any), what its calls gave (in its own check, then in
    the exercise's method), and whether they show an attempt (credit can be carried forward
    only from one)."""

    helper: Helper
    function: Callable[..., Any]
    failure: str
    mistake: Mistake | None
    outcomes: list[Any]

    @property
    def attempted(self) -> bool:
        return _attempted(self.outcomes)

    @property
    def what(self) -> str:
        """The helper's fault, in a few words."""
        if self.mistake is not None:
            return self.mistake.name
        if not self.attempted and "not implemented" not in self.failure:
            return ("it is not written yet: it gives the same value whatever its input")
        return self.failure


def _lost(error: BaseException) -> bool:
    """Whether ``error`` says grading cannot go on (the kernel was lost or timed out): a
    subclass of :class:`~grading.registry.Failure`, which a check's own failures are not."""
    return isinstance(error, Failure) and type(error) is not Failure


def _first_line(exercise: str, error: BaseException, limit: int = 200) -> str:
    try:
        text = str(error) if isinstance(error, Failure) else (
            f"it raised {type(error).__name__}: {error}")
    except Exception:
        text = f"it raised {type(error).__name__}"
    text = text.split("\n", 1)[0]
    for prefix in (f"{exercise}: ", f"{exercise.rpartition('.')[2]}: "):
        text = text.removeprefix(prefix)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def slips(dependency: Dependency, student: Any) -> list[Slip]:
    """The helpers of ``dependency`` that the student wrote and that fail their own exercise's
    check (run here on the student's helper, every part)."""
    found = []
    for helper in dependency.helpers:
        function = student_helper(student, helper.name)
        if function is None or hung(function):
            continue  # none, or it ran past a time limit already: it would only do so again
        recorder = Recorder(function)
        try:
            lookup(helper.exercise)(recorder)
            continue
        except NotImplementedError:
            failure = "not implemented yet"
        except (Exception, SystemExit) as error:
            if _lost(error):
                raise
            failure = _first_line(helper.exercise, error)
        try:
            mistake = matching_mistake(helper.exercise, recorder)
        except Exception:
            mistake = None
        found.append(Slip(helper, function, failure, mistake,
                          [recorded.outcome for recorded in recorder.calls]))
    return found


def _attempted(calls: list[Any]) -> bool:
    """Whether the recorded outcomes (of :class:`Call` records, or outcomes themselves) show an
    attempt: none is "not implemented", and they are not all one same outcome, as a
    placeholder's are (``return 0.0``, ``np.zeros(...)``, None, or ``raise ValueError("todo")``
    on every call): some calls raised and others returned, the errors differ, or the numbers
    returned are not all one same value."""
    outcomes = [recorded.outcome if isinstance(recorded, Call) else recorded
                for recorded in calls]
    if _not_implemented(outcomes):
        return False
    errors = {(o.kind, o.message) for o in outcomes if isinstance(o, Raised)}
    if errors:
        return len(errors) > 1 or any(not isinstance(o, Raised) for o in outcomes)
    values: set[float] = set()

    def numbers(value: Any, depth: int = 0) -> None:
        if len(values) > 1 or depth > 8:
            return
        if isinstance(value, Yielded):
            numbers(value.items, depth + 1)
        elif isinstance(value, dict):
            for item in list(value.values())[:100]:
                numbers(item, depth + 1)
        elif isinstance(value, (list, tuple)):
            for item in value[:100]:
                numbers(item, depth + 1)
        else:
            try:
                array = np.asarray(value, dtype=np.float64).ravel()[:1000]
            except (TypeError, ValueError):
                return
            values.update(float(x) for x in np.unique(array[~np.isnan(array)])[:3])

    for outcome in outcomes:
        numbers(outcome)
    return len(values) > 1


def _through_call(exercise: str, name: str, function: Callable[..., Any],
                  seen: list[Any]) -> Callable[..., Any]:
    """The student's helper ``function`` as the method calls it: through
    :func:`grading.calls.call`, on the method's own objects, which it may change in place (as
    it would in the student's kernel). What each call gives is added to ``seen``."""

    def helper(*args: Any, **kwargs: Any) -> Any:
        labels = [f"{name}'s argument {index + 1}" for index in range(len(args))]
        try:
            result = call(exercise, function, args, kwargs, names=labels,
                          updates=(*labels, *kwargs))
        except Exception as error:
            seen.append(Raised.of(error))
            raise
        if inspect.isgenerator(result):  # call() read it to its end already
            items = list(result)
            seen.append(Yielded(copied(items), ended=True))
            return iter(items)
        seen.append(copied(result))
        return result

    helper.__name__ = name
    return helper


class CarriedForward:
    """Stands for the student's function in a check's second run (step 3 of this module's
    docstring): answers what the notebook's method gives with correct helpers wherever
    the student's function did what the method does with the student's own helpers."""

    def __init__(self, exercise: str, student: Any, dependency: Dependency,
                 theirs: dict[str, Callable[..., Any]]) -> None:
        self.student = student
        self.dependency = dependency
        self.__name__ = getattr(student, "__name__", exercise.rpartition(".")[2])
        #: What each of the student's helpers gave when the method called it.
        self.seen: dict[str, list[Any]] = {name: [] for name in theirs}
        with_theirs = {helper.name: (_through_call(exercise, helper.name, theirs[helper.name],
                                                   self.seen[helper.name])
                                     if helper.name in theirs else helper.reference)
                       for helper in dependency.helpers}
        self.with_theirs = dependency.method(**with_theirs)
        self.with_right = dependency.method(**{h.name: h.reference for h in dependency.helpers})
        self.carried = 0  # calls answered with correct helpers' results

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        before = copied((args, kwargs))
        raised: BaseException | None = None
        try:
            result = self.student(*args, **kwargs)
            outcome = copied(result)
        except Exception as error:
            result, outcome, raised = None, Raised.of(error), error
        if (before is UNCOPIABLE or outcome is UNCOPIABLE or inspect.isgenerator(result)
                or not self._as_method_does(before, outcome, copied((args, kwargs)))):
            if raised is not None:
                raise raised
            return result
        right, _ = _outcome_of(self.with_right, before)
        if isinstance(right, Raised):
            if raised is not None:
                raise raised
            return result
        _restore((args, kwargs), before)
        self.carried += 1
        merged = self.dependency.merged
        return merged(result, right) if merged is not None else right

    def _as_method_does(self, before: Any, outcome: Any, after: Any) -> bool:
        """Whether the student's outcome and changes to the inputs are those of the method
        with the student's helpers, on the same inputs."""
        if after is UNCOPIABLE:
            return False
        expected, expected_after = _outcome_of(self.with_theirs, before)
        compared = self.dependency.compared
        if compared is not None and not isinstance(outcome, Raised):
            try:
                outcome, expected = compared(outcome), compared(expected)
            except Exception:
                return False
        return (same(outcome, expected, before)
                and same(_functionless(after), _functionless(expected_after), before))


def _functionless(value: Any, depth: int = 0) -> Any:
    """``value`` with every function in it (an activation handed over, a copy of it) replaced
    by None: arguments are compared for what a call changed in them, and a function is not
    changed by being called."""
    if depth > 8:
        return value
    if isinstance(value, (list, tuple)):
        return [_functionless(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: _functionless(item, depth + 1) for key, item in value.items()}
    return None if _function(value) else value


def _outcome_of(function: Callable[..., Any], before: Any) -> tuple[Any, Any]:
    """``function``'s result (or :class:`Raised`) on a copy of ``before`` (the arguments and
    keyword arguments), and that copy after the call."""
    args, kwargs = copy.deepcopy(before)
    try:
        result = function(*args, **kwargs)
    except Exception as error:
        result = Raised.of(error)
    return result, (args, kwargs)


def _restore(target: Any, before: Any) -> bool:
    """Put ``target`` back as ``before`` (its copy from before a call), in place; False when
    that cannot be done in place (an array of another shape, a tuple of another length)."""
    if isinstance(target, np.ndarray):
        if not (isinstance(before, np.ndarray) and target.shape == before.shape
                and target.flags.writeable):
            return False
        target[...] = before
        return True
    if isinstance(target, list) and isinstance(before, (list, tuple)):
        if len(target) != len(before):
            target[:] = list(before)
        for index, (item, old) in enumerate(zip(target, before, strict=True)):
            if not _restore(item, old) and not _function(item):
                target[index] = old
        return True
    if isinstance(target, dict) and isinstance(before, dict):
        if target.keys() != before.keys():
            target.clear()
            target.update(before)
        for key, old in before.items():
            if not _restore(target[key], old) and not _function(target[key]):
                target[key] = old
        return True
    if isinstance(target, tuple):
        return (isinstance(before, tuple) and len(target) == len(before)
                and all([_restore(item, old) for item, old in zip(target, before, strict=True)]))
    return False


def _function(value: Any) -> bool:
    """Whether ``value`` is a function (handed over as it is, never copied or put back)."""
    return callable(value) and not isinstance(value, (np.ndarray, np.generic, type))


def carry_forward(exercise: str, part: str | None, check: Callable[..., None],
                  student: Any) -> tuple[bool, str]:
    """After ``check`` (the whole exercise, or its ``part``) failed for ``student``: whether it
    passes with credit carried forward from the student's wrong helpers, and the note that
    says so (or, when it does not pass, the note naming the helpers that fail their own
    exercises; empty when there are none)."""
    dependency = DEPENDENCIES.get(exercise)
    if dependency is None or (part is not None and dependency.parts
                              and part not in dependency.parts):
        return False, ""
    found = slips(dependency, student)
    if not found:
        return False, ""
    function = student.function if isinstance(student, Recorder) else student
    short = str(getattr(function, "__name__", "") or exercise.rpartition(".")[2])
    if not any(_not_implemented(slip.outcomes) for slip in found):
        # the method runs with every helper the student wrote, the right ones too: what it
        # does with inputs their checks never tried (the message of an error) is theirs
        theirs = {helper.name: function for helper in dependency.helpers
                  if (function := student_helper(student, helper.name)) is not None}
        stand_in = CarriedForward(exercise, student, dependency, theirs)
        try:
            check(stand_in)
        except (Exception, SystemExit) as error:
            if _lost(error):
                raise
        else:
            # only the slips the method called lent anything; each of those must be an attempt
            # (a helper that an earlier one's error kept from running lent nothing)
            lent = [slip for slip in found if stand_in.seen.get(slip.helper.name)]
            for slip in lent:
                slip.outcomes.extend(stand_in.seen[slip.helper.name])
            if stand_in.carried and lent and all(slip.attempted for slip in lent):
                return True, _carried_note(short, found)
    return False, _blamed_note(short, found)


def _not_implemented(outcomes: list[Any]) -> bool:
    return any(isinstance(o, Raised) and o.kind == "NotImplementedError" for o in outcomes)


def _helpers_text(found: list[Slip]) -> str:
    parts = [f"your {slip.helper.name} (graded above: {slip.what})" for slip in found]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _carried_note(short: str, found: list[Slip]) -> str:
    one = len(found) == 1
    names = " and ".join(slip.helper.name for slip in found)
    return (f"Note: {short} calls {_helpers_text(found)}, which {'is' if one else 'are'} "
            f"wrong; with {'it' if one else 'them'}, your {short} does exactly what the notebook "
            f"asks, so with a correct {names} it is right: it keeps its points.")


def _blamed_note(short: str, found: list[Slip]) -> str:
    one = len(found) == 1
    text = (f"Note: {short} calls {_helpers_text(found)}, which "
            f"{'fails its own exercise' if one else 'fail their own exercises'}: part of this "
            f"difference may come from {'it' if one else 'them'}; fix {'it' if one else 'them'} "
            "first.")
    if not all(slip.attempted for slip in found):
        text += (f" (Credit for {short} is carried forward from a wrong helper, not from one "
                 "that is not written yet.)")
    return text
