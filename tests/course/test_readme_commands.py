"""Every command of the README's shell blocks, run exactly as printed, top to bottom, in one
scratch copy of the course (what a fresh clone holds) after `make venv`.

A reader follows the README in one shell: a block after the README's `source
.venv/bin/activate` runs with it; the blocks before it (and the activation line itself) must
work without. The course folder is a copy of what git would clone (tracked files and new ones
it does not ignore) with the project's `.venv/` linked in, and nothing of the venv on PATH until
the README activates it. Blocks introduced by a paragraph that starts with "Students" or "To try
several students" run in a student's folder, which holds the README's student
`nbgrader_config.py` with one change: its exchange folder is this test's (the instructor's
commands get the same one through `BACKPROP_EXCHANGE`, as the README says to do on a server);
the student's own nbgrader stands in as the project's venv, activated for them. Only the
commands of :data:`NOT_RUN` are left out, each for the reason it gives; a command added to the
README is run here unless it is added there.
"""

from __future__ import annotations

import csv
import getpass
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .nbgrader_cli import ROOT

pytestmark = pytest.mark.notebooks

README = ROOT / "README.md"
ACTIVATE = "source .venv/bin/activate"

#: Commands of the README's shell blocks this test does not run (comment stripped), and why.
NOT_RUN = {
    "make demo": "ten minutes for a class of 30; its steps run in tests/course/"
                 "test_course_cycle.py, but `make demo` itself is run by neither the suite nor CI",
    "make test": "the test suite itself (CI runs it through .ci/run)",
    "make lab": "a JupyterLab server that runs until stopped (tests/ui/ start the same server)",
    "dask scheduler": "a server that runs until stopped",
    "dask worker tcp://HOST:8786 --nthreads 1 --nworkers 4":
        "a server, for a scheduler at a HOST to fill in",
    "python -m course.parallel_autograde ps1_forward --scheduler tcp://HOST:8786":
        "needs a Dask cluster at a HOST to fill in; tests/course/test_dask_grading.py grades "
        "on a local cluster",
}
#: Who runs a block: the paragraph just before it starts with one of these for a student.
STUDENT_INTRO = re.compile(r"^(Students|To try several students)\b")
#: The student ids of the class: the README's `--student=` ids and the account's user name.
USER = getpass.getuser()
SHELLS = ("bash", "sh", "shell", "console")


@dataclass
class Block:
    """A shell block of the README: its commands (continuation lines joined), who runs it, and
    whether the README activated the venv before it."""

    line: int
    commands: list[str]
    student: bool
    activated: bool


def command_of(line: str) -> str:
    """A command line without its trailing comment."""
    return re.split(r"\s+#\s", line, maxsplit=1)[0].strip()


def readme_blocks(text: str) -> tuple[list[Block], str]:
    """The README's shell blocks in order, and its python block that sets ``c.Exchange.root``
    (the student's nbgrader_config.py)."""
    blocks, config, paragraph, activated = [], "", "", False
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if not fence:  # remember the first line of the latest paragraph
            if lines[i].strip() and (i == 0 or not lines[i - 1].strip()):
                paragraph = lines[i].strip()
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        body = lines[i + 1:end]
        if fence.group(1) in SHELLS:
            commands, pending = [], ""
            for raw in body:
                pending += raw.rstrip()
                if pending.endswith("\\"):
                    pending = pending[:-1] + " "
                    continue
                if pending.strip() and not pending.lstrip().startswith("#"):
                    commands.append(pending.strip())
                pending = ""
            blocks.append(Block(i + 1, commands, bool(STUDENT_INTRO.match(paragraph)),
                                activated))
            activated = activated or any(command_of(c) == ACTIVATE for c in commands)
        elif fence.group(1) == "python" and "c.Exchange.root" in "\n".join(body):
            config = "\n".join(body) + "\n"
        paragraph = ""
        i = end + 1
    return blocks, config


def fresh_clone(tmp: Path) -> Path:
    """The files a clone of the repository would have (tracked, or new and not ignored), with
    the project's venv linked in as `make venv` would have made it."""
    course = tmp / "course"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (course / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, course / name)
    (course / ".venv").symlink_to(ROOT / ".venv")
    # make compares .venv/.installed with pyproject.toml: never reinstall from the copy.
    os.utime(course / "pyproject.toml", (0, 0))
    return course


@dataclass
class Ran:
    command: str
    returncode: int
    output: str


def run_block(block: Block, cwd: Path, env: dict[str, str], prelude: str) -> list[Ran]:
    """Run a block's commands as printed, one after another in one shell (so that a `cd`
    holds for the next line); stop at the first that fails."""
    script = [prelude]
    for n, command in enumerate(block.commands):
        script += [f"printf '\\n@@command {n}@@\\n'", command,
                   f"rc=$?; printf '\\n@@rc {n} %s@@\\n' $rc; [ $rc = 0 ] || exit $rc"]
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    ran = []
    for n, command in enumerate(block.commands):
        found = re.search(rf"@@command {n}@@\n(.*?)\n@@rc {n} (\d+)@@", done.stdout, re.S)
        if found is None:
            break
        ran.append(Ran(command, int(found.group(2)), found.group(1)))
    assert done.returncode == 0, f"README line {block.line}: {done.stdout[-4000:]}"
    return ran


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory) -> tuple[Path, Path, dict[str, Ran]]:
    """The README's commands, run: the course folder, the student's folder, and what each
    command printed."""
    tmp = tmp_path_factory.mktemp("readme")
    course, student, exchange = fresh_clone(tmp), tmp / "student", tmp / "exchange"
    blocks, config = readme_blocks(README.read_text(encoding="utf-8"))
    printed_root = re.search(r"c\.Exchange\.root\s*=\s*(['\"])(.+?)\1", config)
    assert printed_root, "the README shows no student nbgrader_config.py with c.Exchange.root"
    student.mkdir()
    exchange.mkdir()
    (student / "nbgrader_config.py").write_text(
        config.replace(printed_root.group(2), str(exchange)))
    (course / "roster.csv").write_text("id,first_name,last_name,email\n"
                                       f"{USER},Your,Self,you@example.org\n"
                                       "ada,Ada,Lovelace,ada@example.org\n")
    venv_bin = str(ROOT / ".venv" / "bin")
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and Path(p).resolve() != Path(venv_bin).resolve())
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "PYTHONPATH") and not key.startswith("BACKPROP_")}
    env.update(PATH=path, BACKPROP_EXCHANGE=str(exchange), BACKPROP_CELL_TIMEOUT="10")
    ran: dict[str, Ran] = {}
    for block in blocks:
        commands = [c for c in block.commands if command_of(c) not in NOT_RUN]
        if not commands:
            continue
        block = Block(block.line, commands, block.student, block.activated)
        if block.student:  # the student's own nbgrader installation
            prelude = f"source {shlex.quote(str(course / '.venv' / 'bin' / 'activate'))}"
        else:
            prelude = ACTIVATE if block.activated else ":"
        for result in run_block(block, student if block.student else course, env, prelude):
            ran[command_of(result.command)] = result
    return course, student, ran


def test_the_readme_has_the_commands_this_test_expects():
    """The parsing finds the course's commands, and the reasons for not running some are
    about commands still in the README (a stale reason would hide nothing, but mislead)."""
    blocks, config = readme_blocks(README.read_text(encoding="utf-8"))
    commands = {command_of(c) for b in blocks for c in b.commands}
    assert ACTIVATE in commands
    assert "nbgrader release_assignment ps1_forward" in commands
    assert any(b.student for b in blocks) and "course_id" in config
    assert {c for c in NOT_RUN if c != "make lab"} <= commands, set(NOT_RUN) - commands


def test_every_command_ran_and_succeeded(readme_run):
    _, _, ran = readme_run
    blocks, _ = readme_blocks(README.read_text(encoding="utf-8"))
    expected = [command_of(c) for b in blocks for c in b.commands if command_of(c) not in NOT_RUN]
    assert sorted(ran) == sorted(set(expected))
    for result in ran.values():
        assert result.returncode == 0, (result.command, result.output[-3000:])


def test_the_instructors_checks_say_what_the_readme_says(readme_run):
    _, _, ran = readme_run
    checks = [r for c, r in ran.items() if c.startswith(".venv/bin/nbgrader validate")]
    assert len(checks) == 2
    for result in checks:
        assert "Success!" in result.output, result.output[-2000:]


def test_the_week_one_report_skips_what_is_not_graded_yet(readme_run):
    course, _, ran = readme_run
    (result,) = [r for c, r in ran.items() if c.startswith("python -m course.report")]
    assert "Traceback" not in result.output
    assert "skipped ps2_backward: no graded submissions yet" in result.output
    assert "skipped quiz: no graded submissions yet" in result.output
    page = (course / "report" / "index.html").read_text()
    assert "ps1_forward" in page and "skipped quiz" in page


def test_both_students_are_graded_and_get_their_feedback(readme_run):
    """Both handed in the release unchanged: graded, exported with their roster names and
    scores, and each fetches the feedback pages of their own."""
    course, student, ran = readme_run
    (grading,) = [r for c, r in ran.items() if c.startswith("python -m course.parallel_autograde")]
    assert "All 2 submissions were graded." in grading.output
    with (course / "grades.csv").open() as handle:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(handle)}
    assert {("ps1_forward", USER), ("ps1_forward", "ada")} <= set(rows)
    assert rows["ps1_forward", "ada"]["first_name"] == "Ada"
    assert float(rows["ps1_forward", "ada"]["score"]) == 0.0
    assert float(rows["ps1_forward", "ada"]["max_score"]) > 0
    for folder in (student, student / "ada"):
        pages = list((folder / "ps1_forward" / "feedback").rglob("forward.html"))
        assert pages and all("sigmoid" in page.read_text() for page in pages), folder


def test_the_report_command_writes_the_page(readme_run):
    course, _, ran = readme_run
    (result,) = [r for c, r in ran.items() if c.startswith("python -m course.report")]
    assert str(course / "report" / "index.html") in result.output
    assert (course / "report" / "scores.png").stat().st_size > 1000


def test_nbgrader_works_beside_the_committed_autograded_readme(readme_run):
    """autograded/ holds the committed README.md and nbgrader's student folders side by side."""
    course, _, _ = readme_run
    assert (course / "autograded" / "README.md").read_bytes() == \
        (ROOT / "autograded" / "README.md").read_bytes()
    assert (course / "autograded" / "ada" / "ps1_forward" / "forward.ipynb").is_file()


def test_git_keeps_only_the_readme_of_autograded():
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    ignored = ["autograded/ada/ps1_forward/forward.ipynb", "submitted/ada/x", "feedback/ada/x",
               "exchange/x", "gradebook.db", "grades.csv", "report/index.html", "roster.csv"]
    for path in ignored:
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path
    assert subprocess.run(["git", "check-ignore", "-q", "autograded/README.md"],
                          cwd=ROOT).returncode == 1
