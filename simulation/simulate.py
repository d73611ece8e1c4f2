"""A simulated class: deterministic student submissions made from the released notebooks.

Each student gets a profile (how able and how careful they are) and, from it and the seed, a
choice for every graded exercise: a correct answer (the instructor's solution or one of the
correct styles of :mod:`simulation.alternatives`), a catalogued mistake, or the stub left as
released. A few students do something worse: leave everything blank, leave a syntax
error, write an infinite loop. In the quiz, some select-all answers are partly right (partial
credit), and the answers to questions with per-student numbers (grading/quiz_numbers.py) are
worked out with the student's own numbers, or copied from a classmate whose numbers differ
(scored 0). The simulator writes what each student would submit and the
score each should get, so a grading run can be checked against it: an exercise graded in parts
gives a catalogued mistake the parts it gets right, found by running the grader in-process; the
nbgrader run must reach the same number through the notebook.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import math
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grading import grade_parts
from grading.answers import wrong_answer
from grading.checks.quiz import KEY, expected
from grading.mistakes import for_exercise
from grading.mistakes.catalogue import Mistake
from simulation.alternatives import ALTERNATIVES, as_student_code, load_all
from simulation.alternatives.notebook import namespace
from simulation.exercises import Exercise, NotebookPlan, read_assignment, transitive_uses
from simulation.notebooks import fill, read, source_as, write

#: profile -> (share of the class, chance of a correct answer, chance of a catalogued mistake);
#: what is left over is left blank (the stub stays).
PROFILES = {
    "strong": (0.30, 0.95, 0.05),
    "typical": (0.35, 0.75, 0.20),
    "struggling": (0.15, 0.40, 0.30),
    "blank": (0.05, 0.0, 0.0),
    "syntax_error": (0.05, 0.75, 0.20),
    "infinite_loop": (0.05, 0.75, 0.20),
    "late": (0.05, 0.75, 0.20),
    # Hostile or damaged submissions: never drawn at random (share 0), given to chosen
    # students by simulate_class(guarantee=...). Each makes the notebook ungradable: score 0.
    "kernel_killer": (0.0, 0.75, 0.20),
    "broken_file": (0.0, 0.75, 0.20),
    "renamed": (0.0, 0.75, 0.20),
}

#: Profiles whose notebook nbgrader cannot grade at all.
UNGRADABLE = ("kernel_killer", "broken_file", "renamed")

#: Every special profile; a class of at least twice as many students has one of each.
SPECIAL = ("blank", "syntax_error", "infinite_loop", "late", *UNGRADABLE)

#: A quiz answer that is not all right or all wrong: choice -> chance, given a wrong answer
#: (select-all questions) or any answer (questions with per-student numbers).
PARTIAL = {"partial:missing": 0.3, "partial:mixed": 0.3}  # a right letter left out; and a wrong one
COPIED = 0.5  # of the wrong answers to a per-student question: copied from a classmate
OWN_NUMBERS = 0.5  # of the right ones: the number typed in, worked out with the student's numbers

SYNTAX_ERROR = "def {name}(*args:\n    return None\n"
INFINITE_LOOP = "def {name}(*args, **kwargs):\n    while True:\n        pass\n"
KERNEL_KILLER = "import os\n\nos._exit(1)  # the kernel dies: nothing after this runs\n"


@dataclass
class StudentPlan:
    """What one simulated student submits for one assignment, and what it should score."""

    student: str
    profile: str
    assignment: str
    choices: dict[str, str] = field(default_factory=dict)  # target -> what was written
    intended_points: dict[str, float] = field(default_factory=dict)  # grade_id -> points
    intended_score: float = 0.0


def choose_profile(rng: random.Random) -> str:
    """Draw a profile with the shares of :data:`PROFILES`."""
    names = list(PROFILES)
    return rng.choices(names, weights=[PROFILES[n][0] for n in names])[0]


def is_correct(choice: str | None) -> bool:
    """Whether a plan's choice is a correct answer: ``"correct"`` (the instructor's solution)
    or ``"correct:<style>"`` (an alternative of :mod:`simulation.alternatives`)."""
    return choice is not None and choice.split(":")[0] == "correct"


def styles(plan: NotebookPlan, target: str) -> dict[str, tuple[str, set[str]]]:
    """The correct alternatives for ``target``: style -> (the code a student types, the
    notebook's names that code calls). A style must answer every exercise grading ``target``.
    Made once per assignment and target: do not change the result."""
    exercises = tuple(e.exercise for e in plan.exercises if e.target == target)
    return _styles(plan.assignment, target, exercises)


@functools.cache
def _styles(assignment: str, target: str, exercises: tuple[str, ...]
            ) -> dict[str, tuple[str, set[str]]]:
    load_all()
    names = set.intersection(*(set(ALTERNATIVES.get(e, {})) for e in exercises))
    notebook = namespace(assignment)
    return {name: as_student_code(ALTERNATIVES[exercises[0]][name], target, notebook)
            for name in sorted(names)}


def _choose_style(rng: random.Random, plan: NotebookPlan, target: str,
                  choices: dict[str, str]) -> str:
    """``"correct"`` or ``"correct:<style>"``, each equally likely, among the styles that call
    only the student's functions written above ``target`` and correct."""
    order = list(dict.fromkeys(e.target for e in plan.exercises))
    above = set(order[: order.index(target)])
    graded = set(order)
    usable = [name for name, (_, calls) in styles(plan, target).items()
              if all(c in above and is_correct(choices.get(c)) for c in calls & graded)]
    return rng.choice(["correct", *(f"correct:{name}" for name in usable)])


def _choose(rng: random.Random, profile: str, exercise: Exercise) -> str:
    _, correct, mistaken = PROFILES[profile]
    draw = rng.random()
    if draw < correct:
        return "correct"
    mistakes = for_exercise(exercise.exercise)
    if draw < correct + mistaken:
        if exercise.is_quiz:
            return "wrong"
        if mistakes:
            return "mistake:" + rng.choice(mistakes).key
    return "blank"


def plan_notebook(rng: random.Random, student: str, profile: str, plan: NotebookPlan,
                  ) -> StudentPlan:
    """Choose what ``student`` writes for each exercise of one notebook.

    A function that calls a student function which is not right is left blank too (a student
    who could not write the pieces does not assemble them), so every intended score is exact.
    """
    result = StudentPlan(student, profile, plan.assignment)
    if profile == "blank":
        result.intended_points = {e.grade_id: 0.0 for e in plan.exercises}
        return result
    targets = list(dict.fromkeys(e.target for e in plan.exercises))
    exercise_of = {e.target: e for e in plan.exercises}
    for target in targets:
        result.choices[target] = _choose(rng, profile, exercise_of[target])
        if exercise_of[target].is_quiz:
            result.choices[target] = _quiz_choice(student, target, result.choices[target])
    broken = [t for t in targets if not exercise_of[t].is_quiz]
    if profile in ("syntax_error", "infinite_loop") and broken:
        result.choices[rng.choice(broken)] = profile
    if profile == "kernel_killer":
        result.choices[targets[0]] = profile
    for target in targets:
        if not all(is_correct(result.choices.get(d)) for d in transitive_uses(plan, target)):
            result.choices[target] = "blank"
    for target in targets:
        if result.choices[target] == "correct" and not exercise_of[target].is_quiz:
            result.choices[target] = _choose_style(rng, plan, target, result.choices)
    if profile in UNGRADABLE:
        result.intended_points = {e.grade_id: 0.0 for e in plan.exercises}
        return result
    result.intended_points = {
        e.grade_id: _intended_points(e, result.choices.get(e.target, "blank"), student)
        for e in plan.exercises}
    result.intended_score = round(sum(result.intended_points.values(), 0.0), 2)
    return result


def _quiz_choice(student: str, target: str, choice: str) -> str:
    """A quiz answer's choice made finer, with a generator of its own (the class's generator
    draws what it drew before): a wrong select-all answer may be partly right
    (``partial:missing``, ``partial:mixed``); on a question with per-student numbers, a right
    answer may be the number itself (``own-numbers``) and a wrong one a classmate's
    (``copied:<classmate>``)."""
    question = target.removeprefix("answer_")
    entry = KEY.get(question)
    if entry is None:
        return choice
    rng = random.Random(f"quiz-{student}-{question}")
    draw = rng.random()
    if entry.kind == "multiple" and choice == "wrong":
        for partial, chance in PARTIAL.items():
            if draw < chance:
                return partial
            draw -= chance
    if entry.per_student is not None and choice == "wrong" and draw < COPIED:
        return f"copied:{_classmate(student, question)}"
    if entry.per_student is not None and choice == "correct" and draw < OWN_NUMBERS:
        return "own-numbers"
    return choice


def _classmate(student: str, question: str) -> str:
    """A classmate of ``student`` whose answer to ``question`` differs from ``student``'s."""
    mine = expected(question, student)
    for n in range(1, 1000):
        classmate = f"student{n:03d}"
        if not math.isclose(expected(question, classmate), mine, rel_tol=3 * KEY[question].rtol):
            return classmate
    raise ValueError(f"every student has {student}'s answer to {question}")


def _quiz_answer(question: str, choice: str, student: str) -> object:
    """The answer a quiz choice writes: the student's own number, a classmate's, a partly
    right select-all answer, or a wrong one."""
    if choice == "own-numbers":
        return expected(question, student)
    if choice.startswith("copied:"):
        return expected(question, choice.removeprefix("copied:"))
    key = str(KEY[question].answer)
    if choice == "partial:missing":
        return key[1:]
    if choice == "partial:mixed":
        return key[1:] + next(c for c in KEY[question].options if c not in key)
    return _wrong_answer(question, student)


def _intended_points(exercise: Exercise, choice: str, student: str = "") -> float:
    """What ``choice`` earns on ``exercise``: all its points when correct (for a per-student
    quiz question, also when worked out with the student's own numbers); when graded in parts,
    the parts a catalogued mistake, or a wrong or partly right select-all answer, still gets
    right; otherwise nothing (a classmate's numbers included)."""
    if is_correct(choice) or choice == "own-numbers":
        return exercise.points
    if exercise.in_parts and exercise.is_quiz and (choice == "wrong"
                                                   or choice.startswith("partial:")):
        question = exercise.target.removeprefix("answer_")
        with contextlib.redirect_stdout(io.StringIO()):
            return grade_parts(exercise.exercise, _quiz_answer(question, choice, student),
                               points=exercise.points)
    if exercise.in_parts and choice.startswith("mistake:"):
        with contextlib.redirect_stdout(io.StringIO()):  # grade_parts prints its report
            return grade_parts(exercise.exercise, _mistake(exercise, choice).function,
                               points=exercise.points)
    return 0.0


def _mistake(exercise: Exercise, choice: str) -> Mistake:
    key = choice.removeprefix("mistake:")
    return next(m for m in for_exercise(exercise.exercise) if m.key == key)


def _wrong_answer(question: str, student: str | None = None) -> object:
    """A wrong answer to ``question`` (for ``student``'s numbers, on a per-student question)."""
    if question not in KEY:  # a question asked in a problem set (grading/answers.py)
        return wrong_answer(f"answer_{question}")
    entry = KEY[question]
    if entry.per_student is not None:  # further from the right answer than 1%, for anyone
        return -(3 * abs(expected(question, student)) + 1)
    if entry.kind == "numeric":
        return float(entry.answer) * 3 + 1
    letters = [letter for letter in entry.options if letter not in str(entry.answer)]
    return letters[0] if letters else entry.options[0]


def _source_for(plan: NotebookPlan, target: str, choice: str, student: str = ""
                ) -> str | None:
    """The code ``student`` writes for ``target``, or None to leave the released stub."""
    if choice == "own-numbers" or choice.split(":")[0] in ("copied", "partial"):
        return f"{target} = {_quiz_answer(target.removeprefix('answer_'), choice, student)!r}\n"
    if choice == "correct":
        return plan.solutions[target]
    if is_correct(choice):
        return styles(plan, target)[choice.removeprefix("correct:")][0]
    if choice == "wrong":
        return f"{target} = {_wrong_answer(target.removeprefix('answer_'), student)!r}\n"
    if choice.startswith("mistake:"):
        exercise = next(e for e in plan.exercises if e.target == target)
        return "import numpy as np\n\n\n" + source_as(_mistake(exercise, choice).function, target)
    if choice == "syntax_error":
        return SYNTAX_ERROR.format(name=target)
    if choice == "infinite_loop":
        return INFINITE_LOOP.format(name=target)
    if choice == "kernel_killer":
        return KERNEL_KILLER
    return None


def write_submission(plan: NotebookPlan, release: Path, student: StudentPlan,
                     folder: Path) -> Path:
    """Write the student's copy of the released notebook into ``folder``; return its path."""
    notebook = read(str(release / plan.assignment / plan.notebook))
    for target, choice in student.choices.items():
        source = _source_for(plan, target, choice, student.student)
        if source is None:
            continue
        fill(notebook, target, source)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / plan.notebook
    write(notebook, str(path))
    if student.profile == "broken_file":  # a truncated upload: not JSON any more
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif student.profile == "renamed":  # "Save as" gave it another name
        path = path.rename(path.with_name(f"{path.stem}-Copy1{path.suffix}"))
    return path


def make_roster(students: int, seed: int, guarantee: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(student id, profile)`` for a class of ``students``, drawn with the seed; each
    profile of ``guarantee`` is given to one student (chosen with the seed too)."""
    rng = random.Random(seed)
    roster = [(f"student{n:03d}", choose_profile(rng)) for n in range(1, students + 1)]
    if guarantee:
        if len(guarantee) > students:
            raise ValueError(f"a class of {students} cannot have {len(guarantee)} special students")
        chosen = random.Random(seed + 1).sample(range(students), len(guarantee))
        for index, profile in zip(chosen, guarantee, strict=True):
            roster[index] = (roster[index][0], profile)
    return roster


def plan_class(source: Path, assignments: list[str], roster: list[tuple[str, str]],
               seed: int) -> list[tuple[NotebookPlan, StudentPlan]]:
    """What every student of ``roster`` writes in every notebook of ``assignments``."""
    rng = random.Random(f"plans-{seed}")
    return [(notebook_plan, plan_notebook(rng, student, profile, notebook_plan))
            for assignment in assignments
            for notebook_plan in read_assignment(source, assignment)
            for student, profile in roster]


def simulate_class(source: Path, release: Path, assignments: list[str], students: int,
                   seed: int, out: Path, guarantee: tuple[str, ...] = ()) -> list[StudentPlan]:
    """Make ``students`` submissions of every assignment under ``out/<student>/<assignment>/``
    and write ``out/class.json`` with every plan. The same seed gives the same class."""
    planned = plan_class(source, assignments, make_roster(students, seed, guarantee), seed)
    for notebook_plan, plan in planned:
        write_submission(notebook_plan, release, plan, out / plan.student / plan.assignment)
    plans = [plan for _, plan in planned]
    save_plans(plans, out / "class.json")
    return plans


def save_plans(plans: list[StudentPlan], path: Path) -> None:
    """Write the plans as JSON (what each student wrote and should score)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(p) for p in plans], indent=1))
