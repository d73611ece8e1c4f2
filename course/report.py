"""The class report: one HTML page that an instructor opens after grading.

    python -m course.report ps1_forward ps2_backward quiz     # from the course folder

writes ``report/index.html`` with the score distribution of each assignment, each exercise's
success rate, the failures no catalogued mistake explains, how often each catalogued mistake
was found, each quiz question's difficulty and discrimination, (when given) what the
look-over and the autograde could not handle, each student's misconceptions across the
assignments and the class's most common ones (:mod:`course.profile`), pairs of students whose
code or wrong outputs are alike, with the evidence (:mod:`course.similarity`), and what the
latest ``python -m course.regrade`` of each assignment changed (``regrade/*.csv``). The page
is self-contained (plots embedded, no script, style or font from the network), so it reads
offline and can be sent as one file; each plot is also saved beside it as a PNG. An
assignment with no graded submission yet (or not in the gradebook) is skipped with a one-line
note, so the same command serves every week.
"""

from __future__ import annotations

import argparse
import base64
import html
import math
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter
from nbgrader.api import Gradebook, MissingEntry

from course import profile, similarity
from course.class_statistics import (
    DISCRIMINATION_FLOOR,
    CellStats,
    QuizItem,
    Unexplained,
    cell_scores,
    cell_stats,
    grading_records,
    mistake_counts,
    needs_a_look,
    percentages,
    question_label,
    question_number,
    question_titles,
    questions_to_look_at,
    quiz_items,
    quiz_places,
    unexplained_failures,
)
from course.nbgrader_api import load_config
from course.parallel_autograde import Outcome
from course.preflight import Finding
from course.regrade import report_section as regrade_section

QUIZ = "quiz"
#: At most this many questions are labelled in the quiz plot (the table lists them all).
QUIZ_LABELS = 10


class Mistake:
    """A catalogued mistake found in ``count`` of the ``graded`` notebooks of an assignment."""

    def __init__(self, assignment: str, name: str, count: int, graded: int) -> None:
        self.assignment, self.name, self.count, self.graded = assignment, name, count, graded
        self.share = count / graded if graded else 0.0


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
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _save(figure, path)


def plot_exercises(stats: list[CellStats], path: Path) -> str:
    """Share of students with full points, per exercise (quiz excluded)."""
    figure, axis = plt.subplots(figsize=(8, 0.3 * len(stats) + 1))
    labels = [f"{s.assignment}: {s.cell.removesuffix('_test')}" for s in stats]
    axis.barh(labels, [100 * s.full for s in stats], color="#55a868")
    axis.invert_yaxis()
    axis.set(xlabel="students with full points (%)", xlim=(0, 100))
    axis.tick_params(axis="y", labelsize=9)
    return _save(figure, path)


def plot_quiz(items: list[QuizItem], titles: dict[int, str], path: Path) -> str:
    """Difficulty against discrimination, one point per question; the questions below the
    floor (or where everyone scored the same) are labelled by number and title, in a column
    beside the plot so that labels never pile up."""
    points = quiz_places(items)
    labelled = any(needs_a_look(item) for item in items)
    figure, axis = plt.subplots(figsize=(10 if labelled else 6, 4.5))
    figure.subplots_adjust(left=0.08 if labelled else 0.13, right=0.55 if labelled else 0.95,
                           bottom=0.13, top=0.95)
    for (x, y), group in points.items():
        flagged = any(needs_a_look(i) for i in group)
        axis.scatter(x, y, s=30 + 20 * len(group), color="#c44e52" if flagged else "#4c72b0",
                     alpha=0.8, edgecolor="white")
    axis.axhline(DISCRIMINATION_FLOOR, color="grey", linewidth=0.8, linestyle="--")
    axis.set(xlabel="difficulty (share of points earned)", ylabel="discrimination",
             xlim=(-0.05, 1.05), ylim=(-1.05, 1.05))
    flagged = questions_to_look_at(items)
    shown = flagged[:QUIZ_LABELS]
    placed: list[tuple[float, float, float, float]] = []  # label boxes, in display pixels
    entries: list[tuple[int, str]] = []
    for x, y, group in shown:
        numbers = [question_number(i.cell) for i in group]
        text = ", ".join(f"Q{n}" if n is not None else i.cell
                         for n, i in zip(numbers, group, strict=True))
        _label_point(axis, (x, y), text, placed)
        for item in group:
            note = " (all scored alike)" if math.isnan(item.discrimination) else ""
            entries.append((question_number(item.cell) or 0, textwrap.shorten(
                question_label(item.cell, titles) + note, 52, placeholder="…")))
    key = [line for _, line in sorted(entries)]
    if len(flagged) > len(shown):
        key.append(f"and {sum(len(g) for *_, g in flagged[len(shown):])} more in the table")
    if key:
        axis.text(1.04, 1.0, "Questions to look at:\n" + "\n".join(key),
                  transform=axis.transAxes, fontsize=9, va="top", linespacing=1.6)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path.name


def _label_point(axis: plt.Axes, point: tuple[float, float], text: str,
                 placed: list[tuple[float, float, float, float]]) -> None:
    """Write ``text`` beside ``point`` on the first side where it overlaps no earlier label."""
    px, py = axis.transData.transform(point)
    width, height = 6.5 * len(text) + 4, 12.0  # pixels, for 9 points at 110 dpi
    inside = axis.get_window_extent()
    for dx, dy in ((6, 4), (6, -16), (-6 - width, 4), (-6 - width, -16), (6, 18), (6, -30),
                   (-6 - width, 18), (-6 - width, -30)):
        box = (px + dx, py + dy, px + dx + width, py + dy + height)
        if box[2] <= inside.x1 and box[0] >= inside.x0 and not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                for b in placed):
            break
    placed.append(box)
    axis.annotate(text, point, xytext=(box[0] - px, box[1] - py), textcoords="offset pixels",
                  fontsize=9, color="#8b1e22")


def plot_mistakes(mistakes: list[Mistake], path: Path) -> str:
    """The share of graded students each named mistake was found in (the 20 most common)."""
    common = mistakes[:20]
    figure, axis = plt.subplots(figsize=(10, 0.42 * max(len(common), 1) + 1.2))
    labels = [textwrap.fill(m.name, 56) for m in common]
    shares = [100 * m.share for m in common]
    bars = axis.barh(labels, shares, color="#dd8452")
    axis.bar_label(bars, [f" {m.count} of {m.graded}" for m in common], fontsize=10)
    axis.invert_yaxis()
    axis.set_xlim(0, max([*shares, 10]) * 1.18)
    axis.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=True))
    axis.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    axis.set_xlabel("students the mistake was found in (share of the graded class)", fontsize=11)
    axis.tick_params(axis="y", labelsize=11)
    return _save(figure, path)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def gradable(db_url: str, course_id: str, assignments: Sequence[str]
             ) -> tuple[list[str], list[str]]:
    """``(assignments with graded submissions, a one-line note for each one skipped)``."""
    kept, notes = [], []
    with Gradebook(db_url, course_id) as gradebook:
        for assignment in assignments:
            try:
                gradebook.find_assignment(assignment)
            except MissingEntry:
                notes.append(f"skipped {assignment}: not in the gradebook yet (generate and "
                             "release it first)")
                continue
            if not gradebook.assignment_submissions(assignment):
                notes.append(f"skipped {assignment}: no graded submissions yet (collect and "
                             "autograde it first)")
                continue
            kept.append(assignment)
    return kept, notes


def write_report(course: Path, assignments: Sequence[str],
                 findings: dict[str, list[Finding]] | None = None,
                 outcomes: dict[str, list[Outcome]] | None = None,
                 notes: list[str] | None = None) -> Path:
    """Write ``course/report/index.html`` and its PNGs; return the page's path. An assignment
    without graded submissions is left out, with a one-line note added to ``notes`` (when
    given) and shown on the page."""
    config = load_config(course)
    db_url, course_id = config.CourseDirectory.db_url, config.CourseDirectory.course_id
    assignments, skipped = gradable(db_url, course_id, assignments)
    if notes is not None:
        notes += skipped
    with Gradebook(db_url, course_id) as gradebook:
        students = sorted(s.id for s in gradebook.students)
    out = course / "report"
    out.mkdir(exist_ok=True)
    autograded = course / "autograded"
    scores = {a: percentages(db_url, course_id, a, students) for a in assignments}
    stats, items, mistakes, unexplained = [], [], [], []
    modes: Counter[str] = Counter()
    incidents: list[list[str]] = []
    for assignment in assignments:
        assignment_modes, noted = grading_records(autograded, assignment)
        modes += assignment_modes
        incidents += [[assignment, student, line] for student, line in noted]
        cells, points, table = cell_scores(db_url, course_id, assignment, students)
        if assignment == QUIZ:
            items = quiz_items(cells, points, table)
            continue
        stats += cell_stats(assignment, cells, points, table)
        graded = sum(assignment_modes.values())
        mistakes += [Mistake(assignment, name, count, graded)
                     for name, count in mistake_counts(autograded, assignment).items()]
        unexplained += unexplained_failures(autograded, assignment)
    mistakes.sort(key=lambda m: (-m.share, m.name))
    titles = question_titles(course / "source" / QUIZ) or question_titles(
        course / "release" / QUIZ)
    images = {}
    if scores:
        images["scores"] = plot_scores(scores, out / "scores.png")
    if stats:
        images["exercises"] = plot_exercises(stats, out / "exercises.png")
    if items:
        images["quiz"] = plot_quiz(items, titles, out / "quiz.png")
    if mistakes:
        images["mistakes"] = plot_mistakes(mistakes, out / "mistakes.png")
    embedded = {key: _data_uri(out / name) for key, name in images.items()}
    release = course / str(config.CourseDirectory.release_directory or "release")
    profiles = profile.class_profiles(autograded, release, students, assignments)
    behaviour = (profile.report_section(profiles)
                 + similarity.report_section(similarity.similar_pairs(autograded, release,
                                                                      assignments)))
    page = out / "index.html"
    page.write_text(_page(course_id, students, scores, stats, items, titles, mistakes,
                          unexplained, embedded, findings or {}, outcomes or {},
                          behaviour + _sandbox_section(modes, incidents)
                          + regrade_section(course),
                          skipped),
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


class _Html(str):
    """Table content that is already HTML (escaped where it came from data)."""


def _table(header: Sequence[str], rows: list[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(
        f"<td>{c if isinstance(c, _Html) else html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _figure(uri: str, alt: str) -> str:
    return f'<img src="{uri}" alt="{html.escape(alt)}">'


def _unexplained_section(unexplained: list[Unexplained]) -> list[str]:
    """Per exercise, the failures no catalogued mistake explains, with example messages."""
    rows = [[u.assignment, u.cell.removesuffix("_test"), f"{u.failed} of {u.graded}",
             u.blank, _Html("<br>".join(f"<b>{html.escape(student)}</b>: {html.escape(line)}"
                                        for student, line in u.examples))]
            for u in unexplained if u.failed or u.blank]
    total = sum(u.failed for u in unexplained)
    parts = ['<h2 id="unexplained">Failed with no catalogued mistake</h2>',
             "<p>Students who lost points on an exercise while the graders named no catalogued "
             "mistake (those who left it not implemented are counted apart), with a few of "
             "the graders' messages. Similar messages from several students point to a "
             "mistake the catalogue (<code>grading/mistakes/</code>) does not name yet.</p>"]
    if not rows:
        return [*parts, "<p>None: every lost point was explained by a catalogued mistake.</p>"]
    return [*parts, f"<p>{total} unexplained failures in all.</p>",
            _table(["assignment", "exercise", "failed, no mistake named", "not implemented",
                    "examples (student: grader's message)"], rows)]


def _page(course_id: str, students: list[str], scores: dict[str, np.ndarray],
          stats: list[CellStats], items: list[QuizItem], titles: dict[int, str],
          mistakes: list[Mistake], unexplained: list[Unexplained], images: dict[str, str],
          findings: dict[str, list[Finding]], outcomes: dict[str, list[Outcome]],
          sandbox: str, skipped: list[str]) -> str:
    parts = [f"<h1>Class report: {html.escape(course_id)}</h1>",
             f"<p>{len(students)} students in the gradebook; assignments: "
             f"{html.escape(', '.join(scores) or 'none graded yet')}.</p>"]
    parts += [f'<p class="note">{html.escape(note)}.</p>' for note in skipped]
    if scores:
        parts += ["<h2>Scores</h2>",
                  _table(["assignment", "mean %", "median %", "lowest %", "highest %"],
                         [[a, f"{v.mean():.1f}", f"{np.median(v):.1f}", f"{v.min():.1f}",
                           f"{v.max():.1f}"] for a, v in scores.items()]),
                  _figure(images["scores"], "score distribution")]
    if stats:
        parts += ["<h2>Exercises</h2>", _figure(images["exercises"], "exercise success"),
                  _table(["assignment", "cell", "points", "full points", "mean share"],
                         [[s.assignment, s.cell, f"{s.points:g}", f"{100 * s.full:.0f}%",
                           f"{100 * s.mean:.0f}%"] for s in stats])]
        parts += _unexplained_section(unexplained)
    if mistakes:
        parts += ["<h2>Common mistakes</h2>",
                  "<p>The share of the graded class each catalogued mistake was found in.</p>",
                  _figure(images["mistakes"], "mistake frequencies"),
                  _table(["assignment", "mistake", "students", "share"],
                         [[m.assignment, m.name, f"{m.count} of {m.graded}",
                           f"{100 * m.share:.0f}%"] for m in mistakes])]
    if items:
        parts += ["<h2>Quiz questions</h2>",
                  "<p>Difficulty is the share of points the class earned; discrimination is the "
                  "correlation of a question's score with the rest of the quiz. Questions below "
                  f"{DISCRIMINATION_FLOOR} (red, labelled) do not separate students who "
                  "understood from those who did not.</p>",
                  _figure(images["quiz"], "quiz difficulty and discrimination"),
                  _table(["question", "difficulty", "discrimination"],
                         [[question_label(i.cell, titles), f"{i.difficulty:.2f}",
                           "n/a" if math.isnan(i.discrimination) else f"{i.discrimination:.2f}"]
                          for i in items])]
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
    style = ("body{font-family:system-ui,sans-serif;line-height:1.4;max-width:64em;"
             "margin:2em auto;padding:0 1em;color:#222}h2{margin-top:2em;border-bottom:1px "
             "solid #ddd}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
             "#ccc;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}"
             "img{max-width:100%}.note{color:#8a5a00}code{background:#f4f4f4}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Class report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the class report after grading.")
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--course", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    notes: list[str] = []
    page = write_report(args.course.resolve(), args.assignments, notes=notes)
    for note in notes:
        print(note, file=sys.stderr)
    print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
