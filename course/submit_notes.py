"""What a student reads about a submission the grading service handled: the note on top of a
graded attempt's feedback page (which attempt, its score, which attempt counts), and the page
released in place of feedback when a submission was not graded (over the attempt limit, unsafe,
too large), named as nbgrader names released feedback so that ``nbgrader fetch_feedback`` and
the assignment list find it.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import notebook_hash
from traitlets.config import Config

from course.attempts import Policy, counted

#: Longest submission secret read from a submission (nbgrader writes 128 hex digits).
MAX_SECRET = 1024
#: Where the note is put in a feedback page.
BODY = "<body"


def read_secret(folder: Path) -> str | None:
    """The submission's ``submission_secret.txt`` (a small regular file only), or None."""
    path = folder / "submission_secret.txt"
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_SECRET:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def notebook_ids(folder: Path) -> list[str]:
    """The names (without ``.ipynb``) of the notebooks at the top of a submission folder."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(name[:-6] for name in names if name.endswith(".ipynb"))[:50]


def note_page(title: str, lines: Sequence[str]) -> str:
    """A small self-contained HTML page that tells a student something about a submission."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title></head><body style='font-family:system-ui,sans-serif;max-width:48em;"
            f"margin:2em auto'><h1>{html.escape(title)}</h1>{body}</body></html>\n")


def note_html(lines: Sequence[str]) -> str:
    """The note put on top of a feedback page."""
    return ("<div id='attempt-note' style='border:2px solid #4c72b0;border-radius:6px;"
            "padding:0.5em 1em;margin:1em;background:#eef3fb;font-family:system-ui,sans-serif'>"
            + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</div>")


def release_note(config: Config, folder: Path, title: str, lines: Sequence[str]) -> int:
    """Release a note as the feedback of every notebook of the inbound submission ``folder``,
    named as nbgrader names released feedback; returns how many pages were released."""
    secret = read_secret(folder)
    if secret is None:
        return 0
    outbound = Path(config.Exchange.root, config.CourseDirectory.course_id, "feedback")
    outbound.mkdir(parents=True, exist_ok=True)
    page = note_page(title, lines)
    released = 0
    for notebook in notebook_ids(folder):
        checksum = notebook_hash(secret=secret, notebook_id=notebook)
        temporary = outbound / f"{checksum}-tmp.html"
        temporary.write_text(page, encoding="utf-8")
        temporary.replace(outbound / f"{checksum}.html")
        released += 1
    return released


def add_note_to_feedback(config: Config, student: str, assignment: str,
                         lines: Sequence[str]) -> None:
    """Put the attempt note on top of each generated feedback page of the submission."""
    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.root, coursedir.feedback_directory, student, assignment)
    for page in folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        start = text.find(BODY)
        end = text.find(">", start) + 1 if start >= 0 else 0
        page.write_text(text[:end] + note_html(lines) + text[end:], encoding="utf-8")


def attempt_lines(policy: Policy, assignment: str, attempt: int, score: float,
                  max_score: float, previous: Sequence[float], late_penalty: float = 0.0
                  ) -> list[str]:
    """What the note on a graded attempt's feedback says (``score`` before the late penalty,
    as the gradebook keeps it)."""
    limit = policy.limit(assignment)
    of = f" of {limit}" if limit else ""
    lines = [f"Attempt {attempt}{of}, graded on submit: {score:g} of {max_score:g} points."]
    if late_penalty > 0:
        lines.append(f"It was submitted after the deadline: the course's late rule takes "
                     f"{late_penalty:g} points off.")
    scores = [*previous, score]
    index, factor = counted(policy, scores)
    if len(scores) > 1 or factor != 1.0:
        lines.append(f"Your score for now: {scores[index] * factor:g} of {max_score:g} points "
                     f"(attempt {index + 1}{f', times {factor:.3g}' if factor != 1 else ''}).")
    lines.append(policy.describe(assignment))
    return lines
