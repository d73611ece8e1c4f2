"""Behavioural similarity: students who share code or the same unexplained wrong output are
listed with the evidence; students who solved the exercises independently, in their own styles,
are not; nor is a short cell everyone writes, the released stub, or a way of writing shared by
much of the class."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from course.similarity import (
    MIN_TOKENS,
    THRESHOLD,
    common_limit,
    report_section,
    shared_outputs,
    similar_cells,
    similar_pairs,
    tokens,
)
from grading import variant
from grading.registry import lookup
from grading.runner import grade, grade_parts, noting_mistakes, probe_fingerprint
from sandbox import METADATA_KEY
from simulation.alternatives import ALTERNATIVES, load_all
from simulation.notebooks import fill, read, source_as

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "release"
PS1 = "ps1_forward"
load_all()

#: Three exercises whose cells are long enough to count, each in the styles of: ann (and ben,
#: who copies her), cat, dan, and the four students who write it the common way.
STYLES = {"sigmoid": ("sigmoid_masks", "sigmoid_where_both_branches", "sigmoid_float32",
                      "sigmoid_loop"),
          "softmax": ("softmax_logsumexp", "softmax_reshape_einsum", "softmax_float32",
                      "softmax_row_loop"),
          "network_forward": ("network_forward_indexed", "network_forward_recursive",
                              "network_forward_reduce", "network_forward_while")}


def style(function: str, variant_name: str) -> str:
    return source_as(ALTERNATIVES[f"forward.{function}"][variant_name], function)


def disguised(source: str) -> str:
    """The same code with other variable names, comments and blank lines: what a student who
    copies and tries to hide it hands in."""
    renamed = {"z": "inp", "out": "result", "pos": "positive", "e": "ex", "Z": "scores",
               "A": "act", "X": "data", "row": "r"}
    lines = []
    for line in source.splitlines():
        for old, new in renamed.items():
            line = re.sub(rf"\b{old}\b", new, line)
        lines += [line, "" if line.strip().startswith("def ") else "    # my own work"
                  if line.startswith("    ") else ""]
    return "\n".join(lines) + "\n"


def submit(course: Path, student: str, cells: dict[str, str],
           probes: dict[str, dict[str, str]] | None = None) -> None:
    """An autograded ps1 notebook of ``student``: the released one with ``cells`` (function ->
    code) filled in, and ``probes`` (test cell -> fingerprints) in the grader's record."""
    notebook = read(str(RELEASE / PS1 / "forward.ipynb"))
    for function, source in cells.items():
        fill(notebook, function, source)
    notebook.metadata[METADATA_KEY] = {"cells": {
        cell: {"points": 0.0, "max_points": 2.0, "mistakes": [], "probes": found}
        for cell, found in (probes or {}).items()}}
    folder = course / "autograded" / student / PS1
    folder.mkdir(parents=True)
    (folder / "forward.ipynb").write_text(json.dumps(notebook))


@pytest.fixture
def class_of_eight(tmp_path):
    """ann and ben share code (ben renamed the variables and added comments); cat and dan each
    wrote their own style; four more students wrote the common style, and one of them the
    one-line sigmoid besides."""
    ann = {f: style(f, styles[0]) for f, styles in STYLES.items()}
    submit(tmp_path, "ann", ann)
    submit(tmp_path, "ben", {f: disguised(source) for f, source in ann.items()})
    submit(tmp_path, "cat", {f: style(f, styles[1]) for f, styles in STYLES.items()})
    submit(tmp_path, "dan", {f: style(f, styles[2]) for f, styles in STYLES.items()})
    for student in ("eve", "fay", "gus", "hal"):
        submit(tmp_path, student, {f: style(f, styles[3]) for f, styles in STYLES.items()})
    return tmp_path


def test_shared_code_is_found_and_independent_styles_are_not(class_of_eight):
    autograded = class_of_eight / "autograded"
    pairs = similar_pairs(autograded, RELEASE, [PS1])
    assert [p.students for p in pairs] == [("ann", "ben")]
    cells = {cell: score for _, cell, score in pairs[0].cells}
    assert set(cells) == {"sigmoid_solution", "softmax_solution", "network_forward_solution"}
    assert all(score >= THRESHOLD for score in cells.values())


def test_a_renamed_and_commented_copy_has_the_same_tokens():
    source = style("softmax", "softmax_logsumexp")
    assert tokens(disguised(source)) == tokens(source)
    assert tokens("def f(:\n") is None


def test_short_cells_stubs_and_common_ways_are_not_evidence(tmp_path):
    one_liner = style("sigmoid", "sigmoid_clipped")
    assert len(tokens(one_liner)) < MIN_TOKENS
    submit(tmp_path, "ann", {"sigmoid": one_liner})
    submit(tmp_path, "ben", {"sigmoid": one_liner})
    for student in ("cat", "dan", "eve", "fay", "gus", "hal"):  # stubs left as released
        submit(tmp_path, student, {})
    assert similar_cells(tmp_path / "autograded", RELEASE, PS1) == []
    assert common_limit(8) == 2 and common_limit(40) == 4


def test_a_way_of_writing_shared_by_many_is_not_evidence(class_of_eight):
    found = similar_cells(class_of_eight / "autograded", RELEASE, PS1)
    assert {(a, b) for a, b, *_ in found} == {("ann", "ben")}  # not eve, fay, gus, hal


def test_the_same_unexplained_wrong_output_is_evidence_unless_many_share_it(tmp_path):
    probe = {"relu_test": {"forward.relu": "aaaa"}}
    for student in ("ann", "ben"):
        submit(tmp_path, student, {}, probe)
    submit(tmp_path, "cat", {}, {"relu_test": {"forward.relu": "bbbb"}})
    for student in ("dan", "eve", "fay"):  # a common uncatalogued mistake: not a pair
        submit(tmp_path, student, {}, {"tanh_test": {"forward.tanh": "cccc"}})
    for student in ("gus", "hal", "ian", "joe"):
        submit(tmp_path, student, {})
    assert shared_outputs(tmp_path / "autograded", PS1) == [("ann", "ben", "forward.relu")]
    pairs = similar_pairs(tmp_path / "autograded", RELEASE, [PS1])
    assert pairs == []  # one observation is not enough for a pair
    submit_again = tmp_path / "autograded"
    for student in ("ann", "ben"):
        record = json.loads((submit_again / student / PS1 / "forward.ipynb").read_text())
        record["metadata"][METADATA_KEY]["cells"]["tanh_test"] = {
            "points": 0.0, "max_points": 3.0, "mistakes": [],
            "probes": {"forward.tanh": "dddd"}}
        (submit_again / student / PS1 / "forward.ipynb").write_text(json.dumps(record))
    pairs = similar_pairs(submit_again, RELEASE, [PS1])
    assert [(p.students, sorted(p.outputs)) for p in pairs] == [
        (("ann", "ben"), [(PS1, "forward.relu"), (PS1, "forward.tanh")])]


def test_the_report_section_states_evidence_and_escapes_names(class_of_eight):
    pairs = similar_pairs(class_of_eight / "autograded", RELEASE, [PS1])
    pairs[0].students = ("<b>ann</b>", "ben")
    page = report_section(pairs)
    assert "&lt;b&gt;ann&lt;/b&gt;" in page and "<b>ann</b>" not in page
    assert "near-identical solution cell sigmoid_solution in ps1_forward" in page
    assert "not a verdict" in page and "copied" not in page.lower()


# --- the grader's fingerprint of an unexplained failure ---------------------------------------

def doubled_relu(z):  # wrong, and no catalogued mistake of relu
    return 2 * np.maximum(0, z)


def doubled_relu_written_otherwise(x):
    y = np.where(x > 0, x, 0.0)
    return y + y


def halved_relu(z):
    return np.maximum(0, z) / 2


def fingerprint_while_graded(student: str, function, exercise="forward.relu") -> dict:
    """The record ``grade`` leaves when grading ``student`` (with their own hidden inputs)."""
    with variant.grading_student(student, b"s" * 32), noting_mistakes() as named:
        with pytest.raises(AssertionError):
            grade(exercise, function)
    return {"mistakes": [m.id for m in named], "probes": dict(named.probes)}


def test_students_with_the_same_wrong_code_share_a_fingerprint_on_their_own_inputs():
    ann = fingerprint_while_graded("ann", doubled_relu)
    ben = fingerprint_while_graded("ben", doubled_relu_written_otherwise)
    cat = fingerprint_while_graded("cat", halved_relu)
    assert ann["mistakes"] == [] and set(ann["probes"]) == {"forward.relu"}
    assert ann["probes"] == ben["probes"] != cat["probes"]


def test_a_catalogued_mistake_leaves_no_fingerprint_and_a_partial_grade_names_its_part():
    from grading.mistakes import for_exercise
    mistake = for_exercise("forward.relu")[0]
    found = fingerprint_while_graded("ann", mistake.function)
    assert found["mistakes"] == [mistake.id] and found["probes"] == {}
    with noting_mistakes() as named:
        grade_parts("forward.softmax", lambda Z: np.ones_like(Z), points=3)
    assert named.probes and all(key.startswith("forward.softmax (") for key in named.probes)


def test_a_fingerprint_never_raises_and_needs_a_recorded_call():
    def raises(z):
        raise ValueError("no")

    def leaves(z):
        raise SystemExit("bye")

    assert probe_fingerprint(lookup("forward.relu"), (raises,)) is not None  # what it raised
    assert probe_fingerprint(lookup("forward.relu"), (leaves,)) is None
    assert probe_fingerprint(lookup("forward.relu"), ("not a function",)) is None
