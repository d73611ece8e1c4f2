"""The course's metadata check (sandbox/metadata_check.py) decides as nbgrader's does: every
committed notebook passes both, and a damaged cell fails both with the same error."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbgrader.converters.autograde import Autograde
from nbgrader.nbgraderformat import MetadataValidator

from course.nbgrader_api import load_config
from sandbox.metadata_check import CheckCellMetadata, validator

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted([*ROOT.glob("source/*/*.ipynb"), *ROOT.glob("release/*/*.ipynb")])


def _outcome(check, nb) -> tuple[str, str] | None:
    """None when ``check(nb)`` passes; else the error's type and message."""
    try:
        check(nb)
    except Exception as error:
        return type(error).__name__, str(error)
    return None


def _graded_cell(nb) -> dict:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))


#: Ways a submission's grading metadata can be damaged, each a change to one notebook.
DAMAGES = {
    "points as text": lambda nb: _graded_cell(nb).metadata.nbgrader.update(points="ten"),
    "no grade id": lambda nb: _graded_cell(nb).metadata.nbgrader.pop("grade_id"),
    "old schema": lambda nb: _graded_cell(nb).metadata.nbgrader.update(schema_version=1),
    "newer schema": lambda nb: _graded_cell(nb).metadata.nbgrader.update(schema_version=9),
    "unknown key": lambda nb: _graded_cell(nb).metadata.nbgrader.update(cheat=True),
    "locked as text": lambda nb: _graded_cell(nb).metadata.nbgrader.update(locked="yes"),
    "duplicate id": lambda nb: nb.cells.append(copy.deepcopy(_graded_cell(nb))),
    # What a hostile student may write where the schema expects a mapping and numbers.
    "metadata a list": lambda nb: nb.cells[-1].metadata.update(nbgrader=["grade", "points"]),
    "schema version as text": lambda nb: _graded_cell(nb).metadata.nbgrader.update(
        schema_version="3"),
    "points negative": lambda nb: _graded_cell(nb).metadata.nbgrader.update(points=-1e9),
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_committed_notebook_passes_both(path):
    nb = nbformat.read(path, as_version=4)
    assert _outcome(MetadataValidator().validate_nb, nb) is None
    assert _outcome(validator().validate_nb, nb) is None


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_cell_fails_both_with_the_same_error(damage):
    nb = nbformat.read(ROOT / "release" / "ps1_forward" / "forward.ipynb", as_version=4)
    DAMAGES[damage](nb)
    theirs = _outcome(MetadataValidator().validate_nb, copy.deepcopy(nb))
    assert theirs is not None, f"nbgrader accepts {damage}: not a damage"
    assert _outcome(validator().validate_nb, copy.deepcopy(nb)) == theirs


def test_the_preprocessor_refuses_what_nbgraders_refuses(tmp_path):
    nb = nbformat.read(ROOT / "release" / "ps1_forward" / "forward.ipynb", as_version=4)
    _graded_cell(nb).metadata.nbgrader["points"] = "ten"
    with pytest.raises(Exception, match="nbgrader metadata may be corrupted"):
        CheckCellMetadata().preprocess(nb, {})


def test_the_course_keeps_nbgraders_sanitizing_steps_but_the_check():
    """The course's sanitize list is nbgrader's default with the metadata check swapped (a new
    nbgrader that changed its default would show here)."""
    default = [f"{p.__module__.split('.')[0]}.preprocessors.{p.__name__}"
               for p in Autograde.class_traits()["sanitize_preprocessors"].default()]
    ours = list(load_config(ROOT).Autograde.sanitize_preprocessors)
    assert ours == [name.replace("nbgrader.preprocessors.CheckCellMetadata",
                                 "sandbox.metadata_check.CheckCellMetadata") for name in default]
    assert "sandbox.metadata_check.CheckCellMetadata" in load_config(
        ROOT).Autograde.autograde_preprocessors
