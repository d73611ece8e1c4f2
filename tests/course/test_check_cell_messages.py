"""What a student reads when a check cell meets an error, when validating, and when a notebook's
announced rule is broken (issue 17, "Students").

The released notebooks' own cells run in a real IPython kernel (nbclient), in the orders a
student runs them: a check before its definition, after a solution cell with a syntax error,
with a function that takes the wrong arguments, returns None or mixes up shapes. Every such
check cell shows one line that says what to do, never a traceback. The quiz names the missing
quotes of ``answer_q01 = B`` and tells a well-formed answer only that its format is right.
``nbgrader validate``, from the course folder, starts with a one-line summary and cuts no
message; and the rule that ps1's ``tanh`` is written without ``np.tanh`` costs its points when
the real autograding pipeline grades it, with the rule's message, and costs nothing otherwise.
"""

from __future__ import annotations

import re
from functools import cache

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook

from grading.rules import broken_rules
from sandbox import METADATA_KEY
from simulation.exercises import read_assignment
from simulation.notebooks import fill, read, write

from .nbgrader_cli import RELEASE, SOURCE, nbgrader, released_course, scratch_course

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TANH_RULE = "tanh uses np.tanh; the notebook asks you to write it from np.exp"
NP_TANH = "def tanh(z):\n    return np.tanh(z)\n"
CORRECT_RELU = "def relu(z):\n    return np.maximum(np.asarray(z, dtype=float), 0.0)\n"


@cache
def released(assignment: str) -> dict[str, str]:
    """The source of every code cell of a released notebook, by grade_id."""
    (path,) = (RELEASE / assignment).glob("*.ipynb")
    return {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in read(str(path)).cells
            if cell.cell_type == "code" and "nbgrader" in cell.metadata}


@cache
def solutions(assignment: str) -> dict[str, str]:
    (plan,) = read_assignment(SOURCE, assignment)
    return plan.solutions


def run(*sources: str) -> list[str]:
    """Run ``sources`` as the cells of one notebook, in order, in a fresh kernel; return what
    each cell shows (printed text, and an error's traceback as the notebook draws it)."""
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    NotebookClient(notebook, timeout=120, allow_errors=True, kernel_name="python3").execute()
    shown = []
    for cell in notebook.cells:
        text = ""
        for output in cell.outputs:
            if output.output_type == "stream":
                text += output.text
            elif output.output_type == "error":
                text += ANSI.sub("", "\n".join(output.traceback)) + "\n"
        shown.append(text.strip())
    return shown


def one_line(shown: str, name: str) -> str:
    """``shown`` is the single ``✗ name: ...`` line a failing check gives; return it."""
    assert shown.startswith(f"✗ {name}: "), shown
    assert "\n" not in shown and "Traceback" not in shown, f"not one line:\n{shown}"
    return shown


# ---- problem sets ----------------------------------------------------------------------------

def ps1(*cells: str) -> str:
    """What the last of ``cells`` shows, run after ps1's setup cell (names are grade_ids of the
    released notebook; anything else is source)."""
    cells_by_id = released("ps1_forward")
    return run(cells_by_id["setup"], *(cells_by_id.get(c, c) for c in cells))[-1]


def test_a_check_run_before_its_definition_says_to_run_the_cell_above():
    shown = one_line(ps1("relu_test"), "relu")
    assert "relu is not defined yet" in shown and "run the cell above" in shown


def test_a_syntax_error_above_is_named_and_the_old_definition_not_tested():
    broken = "def relu(z):\n    return np.maximum(z, 0.0\n"  # a parenthesis left open
    shown = one_line(ps1(CORRECT_RELU, broken, "relu_test"), "relu")
    # The correct relu from before is still defined: testing it would print ✓.
    assert "the cell defining relu did not run (SyntaxError on line 2)" in shown, shown
    assert "fix it and run it again" in shown
    # Once fixed and run again, the check tests the new definition.
    assert ps1(CORRECT_RELU, broken, CORRECT_RELU, "relu_test").startswith("✓ relu")


def test_an_error_above_a_definition_is_named_too():
    failing = "import a_module_that_does_not_exist\n" + CORRECT_RELU
    shown = one_line(ps1(CORRECT_RELU, failing, "relu_test"), "relu")
    assert "did not run (ModuleNotFoundError on line 1)" in shown, shown


def test_the_released_stub_is_not_implemented_yet():
    shown = one_line(ps1("relu_solution", "relu_test"), "relu")
    assert "not implemented yet" in shown


@pytest.mark.parametrize(("definition", "check", "name", "words"), [
    pytest.param("def relu(z, slope):\n    return np.maximum(z, 0.0)\n", "relu_test", "relu",
                 ["TypeError", "missing 1 required positional argument", "takes the arguments"],
                 id="wrong-arguments"),
    pytest.param("def dense_forward(X, W, b, g):\n    Z = X @ W + b\n", "dense_forward_test",
                 "dense_forward", ["TypeError", "NoneType", "return"], id="returns-none"),
    pytest.param("def dense_forward(X, W, b, g):\n    Z = X @ W[:2] + b\n    return g(Z), (X, Z)\n",
                 "dense_forward_test", "dense_forward",
                 ["ValueError", "in dense_forward, line 2 of its cell", "shape"], id="shapes"),
    pytest.param("def relu(z):\n    return np.maximum(zz, 0.0)\n", "relu_test", "relu",
                 ["NameError", "'zz'", "in relu, line 2"], id="name-inside-the-function"),
])
def test_an_error_in_the_students_code_is_one_line_saying_what_to_do(definition, check, name,
                                                                     words):
    shown = one_line(ps1(definition, check), name)
    missing = [word for word in words if word not in shown]
    assert not missing, f"{missing} not in: {shown}"


def test_an_exercise_scored_in_parts_prints_the_line_instead_of_raising():
    """When the hidden tests score the exercise (SCORED_IN_PARTS), a failing check prints its
    line and the cell goes on, whatever the error; a syntax error above is still named."""
    for definition, words in [("def relu(z, slope):\n    return z\n", "TypeError"),
                              ("def relu(z)\n    return z\n", "did not run (SyntaxError")]:
        cells = released("ps1_forward")
        shown = run(cells["setup"], CORRECT_RELU, definition,
                    f'SCORED_IN_PARTS.add("relu")\n{cells["relu_test"]}\nprint("went on")\n')
        lines = shown[-1].splitlines()
        assert lines[-1] == "went on", shown[-1]
        one_line(lines[0], "relu")
        assert words in lines[0], lines[0]


def test_the_tanh_check_states_the_rule():
    shown = one_line(ps1(solutions("ps1_forward")["sigmoid"], NP_TANH, "tanh_test"), "tanh")
    assert TANH_RULE in shown, shown
    assert ps1(solutions("ps1_forward")["sigmoid"], solutions("ps1_forward")["tanh"],
               "tanh_test").startswith("✓ tanh")


# ---- quiz ------------------------------------------------------------------------------------

def quiz(*answers: str) -> str:
    cells = released("quiz")
    return run(cells["setup"], *answers, cells["check_q01"])[-1]


def test_an_unquoted_quiz_answer_is_told_to_use_quotes():
    stub = released("quiz")["answer_q01"]  # answer_q01 = None, then raise NotImplementedError()
    for cells in [(stub, stub.replace("None", "B", 1)), (stub.replace("None", "B", 1),),
                  ("answer_q01 = b\n",)]:
        shown = one_line(quiz(*cells), "q01")
        assert "NameError" in shown and "quotes" in shown, shown
        assert "not answered" not in shown and "not implemented" not in shown, shown


def test_a_well_formed_quiz_answer_is_told_only_that_its_format_is_right():
    shown = quiz('answer_q01 = "c"\n')
    assert "the format is right" in shown and "graded after you submit" in shown, shown
    assert "visible checks pass" not in shown and "hidden tests" not in shown, shown
    assert "\n" not in shown


def test_an_unanswered_quiz_question_is_not_answered_yet():
    shown = one_line(quiz(released("quiz")["answer_q01"]), "q01")
    assert "not answered yet" in shown


# ---- validate --------------------------------------------------------------------------------

UNSTABLE_SIGMOID = "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n"
UNSTABLE_HINT = ("Use a form that only ever exponentiates a non-positive number, choosing it by "
                 "the sign of z.")


def test_validate_sums_up_on_one_line_and_cuts_no_message(tmp_path):
    """From the course folder (where nbgrader_config.py is), as the README says."""
    course = scratch_course(tmp_path, [])
    notebook = read(str(RELEASE / "ps1_forward" / "forward.ipynb"))
    fill(notebook, "sigmoid", UNSTABLE_SIGMOID)  # fails, with a long message
    fill(notebook, "relu", CORRECT_RELU)  # passes
    (course / "ps1_forward").mkdir()
    write(notebook, str(course / "ps1_forward" / "forward.ipynb"))
    done = nbgrader("validate", "ps1_forward/forward.ipynb", cwd=course)
    report = done.stdout
    assert "1 of 10 exercises pass their visible checks." in report, report
    assert report.index("1 of 10 exercises") < report.index("✗ sigmoid")
    assert UNSTABLE_HINT in " ".join(report.split()), report  # the whole hint, wrapped, not cut
    error_lines = [line for line in report.splitlines() if "✗" in line]
    assert error_lines and not any(line.endswith("...") for line in error_lines), report


# ---- the tanh rule -----------------------------------------------------------------------------

def _ps1_with(**replaced: str) -> nbformat.NotebookNode:
    """The released ps1 with every instructor solution, ``replaced`` ones changed, and the
    hidden tests put back (as in an autograded notebook)."""
    notebook = read(str(SOURCE / "ps1_forward" / "forward.ipynb"))
    for target, solution in {**solutions("ps1_forward"), **replaced}.items():
        fill(notebook, target, solution)
    return notebook


@pytest.mark.parametrize(("replaced", "broken"), [
    pytest.param({}, False, id="from-sigmoid"),
    pytest.param({"tanh": NP_TANH}, True, id="np.tanh"),
    pytest.param({"tanh": "import numpy\ndef tanh(z):\n    return numpy.tanh(z)\n"}, True,
                 id="numpy.tanh"),
    pytest.param({"tanh": "import math\ndef tanh(z):\n    return np.vectorize(math.tanh)(z)\n"},
                 True, id="math.tanh"),
    pytest.param({"tanh": "from numpy import tanh\n"}, True, id="import"),
    pytest.param({"tanh": "t = np.tanh\ndef tanh(z):\n    return t(z)\n"}, True, id="alias"),
    pytest.param({"tanh": "def tanh(z):\n    return getattr(np, 'tanh')(z)\n"}, True,
                 id="getattr"),
    pytest.param({"sigmoid": "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(z / 2))\n"}, False,
                 id="sigmoid-may-use-it"),
    pytest.param({"tanh": "def tanh(z):\n    return getattr(np, 'exp')(2 * z) * 0 + "
                          "(np.exp(2 * z) - 1) / (np.exp(2 * z) + 1)\n"}, False,
                 id="getattr-spelled-out"),
    *[pytest.param({"tanh": source}, True, id=name) for name, source in [
        ("getattr-built", "def tanh(z):\n    return getattr(np, 'ta' + 'nh')(z)\n"),
        ("getattr-alias", "g = getattr\ndef tanh(z):\n    return g(np, 'TANH'.lower())(z)\n"),
        ("eval", "def tanh(z):\n    return eval('np.' + 'ta' + 'nh')(z)\n"),
        ("dict", "def tanh(z):\n    return np.__dict__['tan' + 'h'](z)\n"),
        ("vars", "def tanh(z):\n    return vars(np)['tan' + 'h'](z)\n"),
        ("star", "from numpy import *\ntanh = tanh\n"),
        ("import_module", "import importlib\ndef tanh(z):\n"
                          "    return importlib.import_module('math').__dict__['tanh'](z)\n"),
        ("operator", "import operator\ndef tanh(z):\n"
                     "    return operator.attrgetter('ta' + 'nh')(np)(z)\n"),
        ("sys-modules", "import sys\ndef tanh(z):\n"
                        "    return sys.modules['numpy'].__getattribute__('tan' + 'h')(z)\n"),
    ]],
])
def test_the_rule_reads_the_code_behind_tanh(replaced, broken):
    found = broken_rules(_ps1_with(**replaced))
    assert set(found) == ({"tanh_test"} if broken else set()), found
    if broken:
        assert re.fullmatch(r"tanh uses \S.*; the notebook asks you to write it from np\.exp",
                            found["tanh_test"]), found


def test_the_rule_follows_a_helper_in_another_cell():
    notebook = _ps1_with(tanh="def tanh(z):\n    return my_tanh(z)\n")
    notebook.cells.insert(3, new_code_cell("def my_tanh(z):\n    return np.tanh(z)\n"))
    assert broken_rules(notebook) == {"tanh_test": TANH_RULE}


@pytest.mark.parametrize("nested", ["x = " + "-" * 200_000 + "1", "x = " + "1 + " * 200_000 + "1"])
def test_a_cell_too_deep_to_parse_does_not_break_the_rule_check(nested):
    """A hostile cell whose nesting exhausts the parser (MemoryError, RecursionError) is read
    as one that does not parse, as a syntax error is; the rest of the notebook is still read."""
    notebook = _ps1_with(tanh="def tanh(z):\n    return np.tanh(z)\n")
    notebook.cells.insert(3, new_code_cell(nested))
    assert broken_rules(notebook) == {"tanh_test": TANH_RULE}


@pytest.mark.notebooks
def test_autograding_enforces_the_tanh_rule(tmp_path):
    """Two students with every exercise right, one with tanh = np.tanh: through the real
    pipeline (sandboxed autograde), that tanh scores 0 with the rule's message, in the test
    cell and in the grading record; the other keeps all 30 points."""
    course = released_course(tmp_path, ["ps1_forward"])
    for student, replaced in [("uses_exp", {}), ("uses_np_tanh", {"tanh": NP_TANH})]:
        notebook = read(str(RELEASE / "ps1_forward" / "forward.ipynb"))
        for target, solution in {**solutions("ps1_forward"), **replaced}.items():
            fill(notebook, target, solution)
        folder = course / "submitted" / student / "ps1_forward"
        folder.mkdir(parents=True)
        write(notebook, str(folder / "forward.ipynb"))
    done = nbgrader("autograde", "ps1_forward", "--force", cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        def score(student: str, grade_id: str) -> float:
            return gradebook.find_grade(grade_id, "forward", "ps1_forward", student).score

        assert score("uses_exp", "tanh_test") == 3
        assert gradebook.find_submission("ps1_forward", "uses_exp").score == 30
        assert score("uses_np_tanh", "tanh_test") == 0
        assert gradebook.find_submission("ps1_forward", "uses_np_tanh").score == 27
    graded = read(str(course / "autograded" / "uses_np_tanh" / "ps1_forward" / "forward.ipynb"))
    record = graded.metadata[METADATA_KEY]["cells"]["tanh_test"]
    assert record["points"] == 0 and record["rule"] == TANH_RULE, record
    (cell,) = [c for c in graded.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "tanh_test"]
    said = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "")
                   for o in cell.outputs)
    assert f"✗ {TANH_RULE}" in said, said
