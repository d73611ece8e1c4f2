"""The quiz grades fairly: select-all questions give the partial credit its introduction states,
Q22 accepts the course's own gradient-check threshold, and the key does not hide in the length
of the options."""

from __future__ import annotations

import contextlib
import io
import json
import re
import statistics

import pytest

from grading import Failure, grade, grade_parts
from grading.checks.quiz import KEY, share
from reference.gradcheck import GRADCHECK_THRESHOLD
from simulation.exercises import read_plan
from simulation.simulate import _intended_points, _wrong_answer

from .nbgrader_cli import SOURCE

PATH = SOURCE / "quiz" / "quiz.ipynb"
NOTEBOOK = json.loads(PATH.read_text())
PLAN = read_plan(PATH, "quiz")
SELECT_ALL = sorted(number for number, q in KEY.items() if q.kind == "multiple")
SINGLE = sorted(number for number, q in KEY.items() if q.kind == "single")
POINTS = {e.target.removeprefix("answer_"): e.points for e in PLAN.exercises}


def cell(grade_id: str) -> str:
    return next("".join(c["source"]) for c in NOTEBOOK["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def quietly(function, *args, **kwargs):
    """``function(*args, **kwargs)`` and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = function(*args, **kwargs)
    return result, out.getvalue()


def earned(number: str, answer) -> float:
    return quietly(grade_parts, f"quiz.{number}", answer, points=POINTS[number])[0]


def expected(number: str, right: int, wrong: int) -> float:
    key = str(KEY[number].answer)
    return round(POINTS[number] * max(0, right - wrong) / len(key), 2)


# ---- partial credit on select-all questions ---------------------------------------------------

@pytest.mark.parametrize("number", SELECT_ALL)
def test_a_select_all_answer_earns_right_minus_wrong_as_a_share_of_the_points(number):
    key = str(KEY[number].answer)
    wrong_letters = [c for c in KEY[number].options if c not in key]
    assert earned(number, key) == POINTS[number]
    assert earned(number, key[1:]) == expected(number, len(key) - 1, 0)
    assert earned(number, key + wrong_letters[0]) == expected(number, len(key), 1)
    assert earned(number, key[1:] + wrong_letters[0]) == expected(number, len(key) - 1, 1)
    assert earned(number, wrong_letters[0]) == 0.0  # floored at 0, never negative
    assert earned(number, KEY[number].options) == expected(number, len(key), len(wrong_letters))
    assert 0 < expected(number, len(key) - 1, 0) < POINTS[number]


@pytest.mark.parametrize("answer", [None, 7, "AZ", "", ["A", 3]])
def test_a_select_all_answer_of_the_wrong_form_earns_nothing_and_says_why_once(answer):
    points, said = quietly(grade_parts, "quiz.q03", answer, points=2)
    assert points == 0.0
    assert said.startswith("quiz.q03: 0 of 2 points"), said
    assert said.count("as above") == len(str(KEY["q03"].answer)) - 1, said


def test_the_introduction_states_the_rule_and_its_example_is_what_the_grader_gives():
    intro = cell("intro")
    assert "all or nothing" not in intro
    assert "partial credit" in intro and "never below 0" in intro
    # the example: a 2-point question with three right letters, two of them and one wrong
    number = next(n for n in SELECT_ALL if POINTS[n] == 2 and len(str(KEY[n].answer)) == 3)
    key = str(KEY[number].answer)
    wrong = next(c for c in KEY[number].options if c not in key)
    assert "(2 \N{MINUS SIGN} 1) ÷ 3 \N{MULTIPLICATION SIGN} 2 ≈ 0.67 points" in intro
    assert earned(number, key[:2] + wrong) == 0.67
    assert earned(number, KEY[number].options) == 0.67  # "giving all five letters earns the same"


def test_partial_feedback_names_counts_and_a_hint_but_not_the_key():
    key = str(KEY["q03"].answer)
    wrong = next(c for c in KEY["q03"].options if c not in key)
    points, said = quietly(grade_parts, "quiz.q03", key[:2] + wrong, points=2)
    assert points == 0.67
    assert "quiz.q03: 0.67 of 2 points" in said
    assert f"has 2 right letters and 1 wrong: 2 - 1 = 1. Hint: {KEY['q03'].hint}" in said
    assert repr(key) not in said and f'"{key}"' not in said


def test_the_share_is_what_grade_parts_records():
    for number in SELECT_ALL:
        for answer in ("A", "AB", "ABC", "ABCD", "ABCDE", "BE", "CDE"):
            assert earned(number, answer) == round(POINTS[number] * share(number, answer), 2)


def test_single_letter_and_numeric_questions_stay_all_or_nothing():
    graded_in_parts = {e.target.removeprefix("answer_") for e in PLAN.exercises if e.in_parts}
    assert graded_in_parts == set(SELECT_ALL)
    with pytest.raises(Failure):
        grade("quiz.q01", next(c for c in "ABCD" if c != KEY["q01"].answer))


def test_a_failed_format_check_does_not_stop_a_select_all_cell_when_graded():
    """The hidden part adds the answer to SCORED_IN_PARTS: its visible check then prints, and
    grade_parts (the cell's last line) decides the points, as in the problem sets."""
    namespace: dict = {}
    exec(cell("setup"), namespace)  # the course's own setup cell
    run = namespace["visible_checks"]
    with pytest.raises(namespace["NotYet"]), run("q03"):
        namespace["check_format"](7, kind="multiple", options="ABCDE")
    namespace["SCORED_IN_PARTS"].add("answer_q03")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), run("q03"):
        namespace["check_format"](7, kind="multiple", options="ABCDE")
    assert out.getvalue().startswith("✗ q03: write the letters as a string")


def test_the_simulated_class_expects_what_the_grader_gives_for_a_wrong_quiz_answer():
    for exercise in PLAN.exercises:
        number = exercise.target.removeprefix("answer_")
        if exercise.in_parts:
            assert _intended_points(exercise, "wrong") == earned(number, _wrong_answer(number))


# ---- Q22: one threshold -----------------------------------------------------------------------

def _problem_set_2_thresholds() -> set[float]:
    """The relative-error thresholds problem set 2's gradient check tells students."""
    found = set()
    for path in (SOURCE / "ps2_backward").glob("*.ipynb"):
        for c in json.loads(path.read_text())["cells"]:
            source = "".join(c["source"])
            if "relative error" in source.lower() or "relative_error" in source:
                found |= {float(v) for v in re.findall(r"value < (1e-\d+)", source)}
    return found


@pytest.mark.parametrize("threshold", sorted({GRADCHECK_THRESHOLD, 1e-6, 1e-7}
                                             | _problem_set_2_thresholds()))
def test_q22_accepts_the_threshold_the_course_teaches(threshold):
    grade("quiz.q22", threshold)


@pytest.mark.parametrize("wrong", [1e-5, 1e-8, 1e-4, 0.5])
def test_q22_still_rejects_other_thresholds(wrong):
    with pytest.raises(Failure):
        grade("quiz.q22", wrong)


# ---- Q25: what problem set 4 shows is not marked wrong ----------------------------------------

def test_q25_does_not_claim_that_xavier_prevents_vanishing_gradients():
    text = cell("q25_question")
    options = dict(re.findall(r"^\* \*\*([A-E])\.\*\* (.*)$", text, re.M))
    for letter in str(KEY["q25"].answer):
        assert "vanishing" not in options[letter] or "still" in options[letter], options[letter]
        assert "suits sigmoid" not in options[letter]
    claims_no_vanishing = [letter for letter, option in options.items()
                           if "can no longer" in option and "vanish" in option]
    assert claims_no_vanishing and not set(claims_no_vanishing) & set(str(KEY["q25"].answer))


# ---- the key does not hide in the length of the options ----------------------------------------

def options_of(number: str) -> dict[str, str]:
    text = cell(f"{number}_question")
    return dict(re.findall(r"^\* \*\*([A-E])\.\*\* (.*)$", text, re.M))


def test_every_lettered_question_lists_exactly_its_options():
    for number in (*SINGLE, *SELECT_ALL):
        assert "".join(options_of(number)) == KEY[number].options, number


def test_the_right_option_is_not_systematically_the_longest():
    longest = [n for n in SINGLE
               if len(options_of(n)[KEY[n].answer]) > max(
                   len(text) for letter, text in options_of(n).items() if letter != KEY[n].answer)]
    assert len(longest) <= len(SINGLE) / 4, f"the key is the longest option in {longest}"
    ratios = [len(options_of(n)[KEY[n].answer]) / statistics.mean(map(len, options_of(n).values()))
              for n in SINGLE]
    assert 0.9 <= statistics.mean(ratios) <= 1.1, ratios


def test_the_keys_are_spread_over_the_letters():
    letters = [KEY[n].answer for n in SINGLE]
    assert max(letters.count(c) for c in "ABCD") <= len(SINGLE) / 2


def test_select_all_keys_do_not_reward_choosing_everything():
    """Choosing every letter earns at most a third of a select-all question."""
    for number in SELECT_ALL:
        assert share(number, KEY[number].options) <= 1 / 3 + 1e-9, number
