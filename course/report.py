"""The class report: one HTML page, with a PNG per plot, that an instructor opens after grading.

    python -m course.report ps1_forward ps2_backward quiz     # from the course folder

writes ``report/index.html`` with the score distribution of each assignment, each exercise's
success rate, each quiz question's difficulty and discrimination, how often each catalogued
mistake was found, and (when given) what the look-over and the autograde could not handle.
"""

from __future__ import annotations

import argparse
import html
import math
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from nbgrader.api import Gradebook

from course.class_statistics import (
    CellStats,
    QuizItem,
    cell_scores,
    cell_stats,
    grading_records,
    mistake_counts,
    percentages,
    quiz_items,
)
from course.nbgrader_api import load_config
from course.parallel_autograde import Outcome
from course.preflight import Finding

QUIZ = "quiz"


def _save(figure: plt.Figure, path: Path) -> str:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path.name


def plot_scores(scores: dict[str, np.ndarray], path: Path) -> str:
    """Histogram of percentages, one panel per assignment."""
    figure, axes = plt.subplots(1, len(scores), figsize=(4 * len(scores), 3), squeeze=False)
    for axis, (assignment, values) in zip(axes[0], scores.items(), strict=True):
        axis.hist(values, bins=np.linspace(0, 100, 11), color="#4c72b0", edgecolor="white")
        axis.set(title=assignment, xlabel="score (%)", ylabel="students", xlim=(0, 100))
    return _save(figure, path)


def plot_exercises(stats: list[CellStats], path: Path) -> str:
    """Share of students with full points, per exercise (quiz excluded)."""
    figure, axis = plt.subplots(figsize=(8, 0.28 * len(stats) + 1))
    labels = [f"{s.assignment}: {s.cell.removesuffix('_test')}" for s in stats]
    axis.barh(labels, [100 * s.full for s in stats], color="#55a868")
    axis.invert_yaxis()
    axis.set(xlabel="students with full points (%)", xlim=(0, 100))
    return _save(figure, path)


def plot_quiz(items: list[QuizItem], path: Path) -> str:
    """Difficulty against discrimination, one point per question."""
    figure, axis = plt.subplots(figsize=(6, 4))
    for item in items:
        y = 0.0 if math.isnan(item.discrimination) else item.discrimination
        axis.scatter(item.difficulty, y, color="#c44e52" if y < 0.2 else "#4c72b0")
        axis.annotate(item.cell.removesuffix("_test"), (item.difficulty, y), fontsize=7,
                      xytext=(3, 3), textcoords="offset points")
    axis.axhline(0.2, color="grey", linewidth=0.8, linestyle="--")
    axis.set(xlabel="difficulty (share of points earned)", ylabel="discrimination",
             xlim=(-0.05, 1.05), ylim=(-1.05, 1.05))
    return _save(figure, path)


def plot_mistakes(counts: Counter[str], path: Path) -> str:
    """How many students each named mistake was found in (the 20 most common)."""
    common = counts.most_common(20)
    figure, axis = plt.subplots(figsize=(9, 0.3 * max(len(common), 1) + 1))
    axis.barh([name for name, _ in common], [n for _, n in common], color="#dd8452")
    axis.invert_yaxis()
    axis.set(xlabel="students")
    axis.tick_params(axis="y", labelsize=8)
    return _save(figure, path)


def write_report(course: Path, assignments: Sequence[str],
                 findings: dict[str, list[Finding]] | None = None,
                 outcomes: dict[str, list[Outcome]] | None = None) -> Path:
    """Write ``course/report/index.html`` and its PNGs; return the page's path."""
    config = load_config(course)
    db_url, course_id = config.CourseDirectory.db_url, config.CourseDirectory.course_id
    with Gradebook(db_url, course_id) as gradebook:
        students = sorted(s.id for s in gradebook.students)
    out = course / "report"
    out.mkdir(exist_ok=True)
    scores = {a: percentages(db_url, course_id, a, students) for a in assignments}
    stats, items, mistakes = [], [], Counter()
    modes: Counter[str] = Counter()
    incidents: list[list[str]] = []
    for assignment in assignments:
        assignment_modes, noted = grading_records(course / "autograded", assignment)
        modes += assignment_modes
        incidents += [[assignment, student, line] for student, line in noted]
        cells, points, table = cell_scores(db_url, course_id, assignment, students)
        if assignment == QUIZ:
            items = quiz_items(cells, points, table)
        else:
            stats += cell_stats(assignment, cells, points, table)
        mistakes += mistake_counts(course / "autograded", assignment)
    images = {"scores": plot_scores(scores, out / "scores.png")}
    if stats:
        images["exercises"] = plot_exercises(stats, out / "exercises.png")
    if items:
        images["quiz"] = plot_quiz(items, out / "quiz.png")
    if mistakes:
        images["mistakes"] = plot_mistakes(mistakes, out / "mistakes.png")
    page = out / "index.html"
    page.write_text(_page(course_id, students, scores, stats, items, mistakes, images,
                          findings or {}, outcomes or {}, _sandbox_section(modes, incidents)),
                    encoding="utf-8")
    return page


def _sandbox_section(modes: Counter[str], incidents: list[list[str]]) -> str:
    """Which sandbox graded the notebooks, and what it had to stop or cut."""
    parts = ["<h2>Grading sandbox</h2>", "<p>Notebooks graded: " + ", ".join(
        f"{count} in the <b>{html.escape(mode)}</b> mode" for mode, count in modes.items())
        + ".</p>"]
    if any(mode != "bubblewrap" for mode in modes):
        parts.append("<p><b>Weaker confinement:</b> the process mode was chosen by name "
                     "(BACKPROP_SANDBOX=process). Student code ran as the grader's user with "
                     "resource limits only: it could read this machine's files (the solutions "
                     "among them), write what that user may write (the gradebook among it) "
                     "and outlive its grading. Scores from this run cannot be trusted against "
                     "a hostile student: install bubblewrap and grade again.</p>")
    if incidents:
        parts += ["<p>What the sandbox stopped, cut or ignored while grading:</p>",
                  _table(["assignment", "student", "what happened"], incidents)]
    return "".join(parts)


def _table(header: Sequence[str], rows: list[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _page(course_id: str, students: list[str], scores: dict[str, np.ndarray],
          stats: list[CellStats], items: list[QuizItem], mistakes: Counter[str],
          images: dict[str, str], findings: dict[str, list[Finding]],
          outcomes: dict[str, list[Outcome]], sandbox: str) -> str:
    parts = [f"<h1>Class report: {html.escape(course_id)}</h1>",
             f"<p>{len(students)} students in the gradebook.</p>",
             "<h2>Scores</h2>",
             _table(["assignment", "mean %", "median %", "lowest %", "highest %"],
                    [[a, f"{v.mean():.1f}", f"{np.median(v):.1f}", f"{v.min():.1f}",
                      f"{v.max():.1f}"] for a, v in scores.items()]),
             f'<img src="{images["scores"]}" alt="score distribution">']
    if stats:
        parts += ["<h2>Exercises</h2>", f'<img src="{images["exercises"]}" alt="exercise success">',
                  _table(["assignment", "cell", "points", "full points", "mean share"],
                         [[s.assignment, s.cell, f"{s.points:g}", f"{100 * s.full:.0f}%",
                           f"{100 * s.mean:.0f}%"] for s in stats])]
    if items:
        parts += ["<h2>Quiz questions</h2>",
                  "<p>Difficulty is the share of points the class earned; discrimination is the "
                  "correlation of a question's score with the rest of the quiz. Questions below "
                  "0.2 (red) do not separate students who understood from those who did not.</p>",
                  f'<img src="{images["quiz"]}" alt="quiz difficulty and discrimination">',
                  _table(["question", "difficulty", "discrimination"],
                         [[i.cell, f"{i.difficulty:.2f}",
                           "n/a" if math.isnan(i.discrimination) else f"{i.discrimination:.2f}"]
                          for i in items])]
    if mistakes:
        parts += ["<h2>Common mistakes</h2>",
                  f'<img src="{images["mistakes"]}" alt="mistake frequencies">',
                  _table(["mistake", "students"], [list(m) for m in mistakes.most_common()])]
    problems = [[a, o.student, o.status, o.reason] for a, rows in outcomes.items()
                for o in rows if o.status != "graded"]
    looked = [[a, f.student, f.kind, f.message] for a, rows in findings.items() for f in rows]
    if problems or looked:
        parts.append("<h2>Submissions that need a look</h2>")
    if problems:
        parts.append(_table(["assignment", "student", "status", "reason"], problems))
    if looked:
        parts.append(_table(["assignment", "student", "finding", "details"], looked))
    parts.append(sandbox)
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
             "padding:2px 8px;text-align:left}img{max-width:100%}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Class report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the class report after grading.")
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--course", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    print(write_report(args.course.resolve(), args.assignments))
    return 0


if __name__ == "__main__":
    sys.exit(main())
