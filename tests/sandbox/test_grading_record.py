"""The grading record of one notebook (:mod:`sandbox.grading_record`): nbgrader's scoring rule,
incidents noted once, and what is written into the notebook and nbgrader's ``resources``."""

from __future__ import annotations

from nbformat.v4 import new_notebook

from sandbox import METADATA_KEY, SCORES_KEY
from sandbox.grading_record import GradingRecord


def test_a_test_cell_scores_by_nbgraders_rule():
    record = GradingRecord()
    record.score("failed", 3.0, passed=False, partial=2.0, mistakes=[], probes={})
    record.score("in_parts", 3.0, passed=True, partial=2.0, mistakes=[], probes={})
    record.score("over", 3.0, passed=True, partial=7.0, mistakes=[], probes={})
    record.score("below", 3.0, passed=True, partial=-1.0, mistakes=[], probes={})
    record.score("whole", 3.0, passed=True, partial=None, mistakes=[], probes={})
    assert record.scores == {"failed": 0.0, "in_parts": 2.0, "over": 3.0, "below": 0.0,
                             "whole": 3.0}


def test_probes_are_recorded_only_when_there_are_some():
    record = GradingRecord()
    mistakes = [{"id": "forward.sigmoid.sign", "name": "sign flipped"}]
    record.score("a", 2.0, passed=False, partial=None, mistakes=mistakes, probes={})
    record.score("b", 2.0, passed=False, partial=None, mistakes=[], probes={"x": "f00"})
    assert record.cells == {
        "a": {"points": 0.0, "max_points": 2.0, "mistakes": mistakes},
        "b": {"points": 0.0, "max_points": 2.0, "mistakes": [], "probes": {"x": "f00"}}}


def test_an_incident_of_a_kind_noted_once_is_noted_once():
    record = GradingRecord()
    record.note_once("fork bomb", "first bomb")
    record.note("a cell ran past its time limit")
    record.note_once("fork bomb", "second bomb")
    record.note_once("runtime writes", "wrote into the sockets folder")
    assert record.incidents == ["first bomb", "a cell ran past its time limit",
                                "wrote into the sockets folder"]


def test_the_record_is_written_into_the_notebook_and_the_resources():
    record = GradingRecord()
    record.score("sigmoid", 1.0, passed=True, partial=None, mistakes=[], probes={})
    record.seconds["sigmoid"] = 0.25
    record.note("an incident")
    nb, resources = new_notebook(), {}
    record.write(nb, resources, "bubblewrap")
    assert nb.metadata[METADATA_KEY] == {
        "sandbox": "bubblewrap", "incidents": ["an incident"],
        "cells": {"sigmoid": {"points": 1.0, "max_points": 1.0, "mistakes": []}},
        "seconds": {"sigmoid": 0.25}}
    assert resources[SCORES_KEY] == {"sigmoid": 1.0}
    record.scores["sigmoid"] = 0.0
    assert resources[SCORES_KEY] == {"sigmoid": 1.0}  # a copy


def test_a_new_record_starts_empty():
    used = GradingRecord()
    used.score("sigmoid", 1.0, passed=True, partial=None, mistakes=[], probes={})
    used.note_once("lost kernel", "lost")
    used.sealed.add(3)
    used.output_used[3] = 10
    fresh = GradingRecord()
    fresh.note_once("lost kernel", "lost again")
    assert (fresh.scores, fresh.cells, fresh.seconds, fresh.sealed, fresh.output_used) == (
        {}, {}, {}, set(), {})
    assert fresh.incidents == ["lost again"]
