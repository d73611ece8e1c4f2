"""``SealedExecute``: nbgrader's Execute step with student code sandboxed and scores computed
outside it.

nbgrader's ``Execute`` runs every cell, hidden tests included, in the student's kernel, so a
submission can monkeypatch NumPy or the graders, read the course's files or write the gradebook.
This preprocessor takes its place in ``Autograde.autograde_preprocessors``
(``nbgrader_config.py``) and changes four things:

1. The kernel runs in the sandbox of :mod:`sandbox.jail` (a copy of the student's folder in a
   size-limited tmpfs, no course files, no network, no capability, resource limits).
2. In a graded test cell the grading statements (:mod:`sandbox.hidden`) are not sent to the
   kernel. The grader runs them itself, with the student's functions reached through
   :mod:`sandbox.remote`, and adds its verdict to the cell as an output only the grader makes
   there: a ``display_data`` headed "Grader" (the kernel's outputs in a test cell are kept as
   text and errors only, so nothing the student's code prints can pass for it).
3. The score of every test cell is decided when the cell ends, by the grader, and recorded
   out of the kernel's reach: in ``resources`` under :data:`SCORES_KEY`, which
   :class:`sandbox.scores.SaveRecordedGrades` saves to the gradebook instead of reading the
   outputs again, and in the notebook's metadata (:data:`sandbox.METADATA_KEY`) with the
   mistakes each grader named, for the class report. A later cell cannot reach a test cell's
   outputs (display updates stop at it).
4. Everything the kernel sends is bounded: message parts (:mod:`sandbox.kernel`), the output
   kept per cell (errors too, shortened), display updates, and widget messages (ignored).

The same preprocessor grades many notebooks in a row; each gets its own grading connection
(:mod:`sandbox.grading_connection`), grading record (:mod:`sandbox.grading_record`) and
watchdog thread (:mod:`sandbox.watchdog`), made when its kernel is about to start.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade, is_solution
from traitlets import Bool, Integer, Unicode, default

from grading import grade, grade_parts, variant
from grading.runner import noting_mistakes
from sandbox import METADATA_KEY, hidden, jail, remote, watchdog
from sandbox.cell_outputs import as_text, short_error, size, unmarked
from sandbox.grading_connection import GradingConnection
from sandbox.grading_record import GradingRecord
from sandbox.kernel import SandboxedKernelManager
from sandbox.limits import cell_key, cell_limit, read_table
from sandbox.submission import unsafe_reasons


class UnresponsiveKernel(RuntimeError):
    """The kernel did not come back after an interrupt: the notebook cannot be graded."""


class SealedExecute(Execute):
    """Execute a submission in the sandbox; grade its test cells from outside it."""

    sandbox = Unicode("auto", help="auto, bubblewrap or process (see sandbox.jail).").tag(
        config=True)
    cpu_seconds = Integer(600, help="CPU seconds one notebook's kernel may use.").tag(config=True)
    memory_mb = Integer(4096, help="Address space of one kernel process, in MiB.").tag(
        config=True)
    processes = Integer(64, help="Processes and threads one kernel may run at once.").tag(
        config=True)
    file_mb = Integer(64, help="Largest file the kernel may write, in MiB.").tag(config=True)
    tmp_mb = Integer(256, help="Size of the kernel's private /tmp, in MiB.").tag(config=True)
    work_mb = Integer(256, help="Size of the kernel's working folder (a copy of the student's "
                      "folder), in MiB.").tag(config=True)
    output_bytes = Integer(200_000, help="Output kept per cell, in bytes.").tag(config=True)
    secret_file = Unicode("", help="The course's grading secret (grading.variant): with it "
                          "each student gets their own hidden inputs; empty: every student "
                          "the same ones.").tag(config=True)
    cell_limits = Unicode("", help="The course's table of time limits per cell "
                          "(sandbox.limits; empty: the flat `timeout` for every cell).").tag(
        config=True)
    # A cell interrupted at its time limit may take a while to go quiet (a memory bomb freeing
    # gigabytes, a fork bomb's children): wait longer for its last output, and if it still
    # talks, go on to the next cell rather than give up on the whole notebook.
    iopub_timeout = Integer(10, allow_none=False).tag(config=True)
    raise_on_iopub_timeout = Bool(False).tag(config=True)

    @default("shutdown_kernel")
    def _kill_at_the_end(self) -> str:
        """Kill the kernel when the notebook is done instead of asking it to stop and waiting
        (0.4 s a notebook): its sandbox is torn down and its processes reaped anyway, and a
        hostile kernel would only make the grader wait."""
        return "immediate"

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any], km: Any = None
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        refused = _refusals(self.config, resources)
        if refused:  # plain `nbgrader autograde`: python -m course.parallel_autograde refuses first
            raise RuntimeError("not graded, the submission is unsafe to read: "
                               + "; ".join(refused[:5]))
        mode = jail.choose_mode(self.sandbox)
        # Outside bubblewrap the kernel must reach the Python installation where it lies
        # (often under a home folder closed to other users): it keeps the grader's user id.
        uid = jail.sandbox_uid() if mode == "bubblewrap" else -1
        limits = jail.Limits(self.cpu_seconds, self.memory_mb, self.processes, self.file_mb,
                             self.tmp_mb, self.work_mb)
        source = resources.get("metadata", {}).get("path") or os.getcwd()
        with tempfile.TemporaryDirectory(prefix="grading-") as scratch:
            runtime, workdir = Path(scratch, "run"), Path(scratch, "work")
            (runtime / "matplotlib").mkdir(parents=True)
            _seed_font_cache(runtime / "matplotlib")
            if mode == "process":  # a scratch copy on the host; bubblewrap copies into a tmpfs
                shutil.copytree(source, workdir, symlinks=True, ignore=_special_files)
            os.chmod(scratch, 0o755)
            # The kernel is told whose submission it runs (the quiz shows that student's numbers).
            self._cage = jail.Cage(str(runtime), str(workdir), limits, mode, uid,
                                   None if mode == "process" else os.path.realpath(source),
                                   str(resources.get("nbgrader", {}).get("student") or ""))
            # This notebook's own: nothing of one student's run reaches the next one's.
            self._connection = connection = GradingConnection(self._cage)
            self._record = record = GradingRecord()
            info = resources.get("nbgrader", {})
            self._secret = (variant.read_secret(self.secret_file)
                            if self.secret_file and self._cage.student else None)
            self._limits = read_table(
                self.cell_limits, str(info.get("assignment", "")),
                str(info.get("notebook", ""))) if self.cell_limits else {}
            self._limit: float | None = None  # the running cell's
            self.log.info("Grading in the %s sandbox", mode)
            watching = threading.Event()
            watcher = threading.Thread(target=watchdog.stop_bombs, daemon=True,
                                       args=(watching, self.processes, record, connection))
            watcher.start()
            try:
                nb, resources = super().preprocess(nb, resources, km)
            finally:
                watching.set()
                watcher.join()
                connection.close()
                jail.reap(uid, everything=True)
        record.write(nb, resources, mode)
        return nb, resources

    async def _async_handle_timeout(self, timeout: int, cell: NotebookNode | None = None
                                    ) -> dict[str, Any] | None:
        """Before interrupting a cell at its time limit, kill the processes it started (the
        interrupt goes to the kernel's whole process group, and a forked copy of the kernel
        that survived it would talk on the kernel's sockets); after, make sure the kernel
        answers again. One that does not would make every later cell wait its whole time
        limit: the notebook is given up at once instead (nbgrader scores it 0)."""
        jail.reap(self._cage.uid)
        reply = await super()._async_handle_timeout(timeout, cell)
        if not self._connection.answers(seconds=15):
            raise UnresponsiveKernel("the kernel stopped answering after a cell was interrupted "
                                     "at its time limit (a fork bomb, or code that ignores "
                                     "interrupts)")
        return reply

    def _get_timeout(self, cell: NotebookNode | None) -> float | None:
        """The running cell's time limit: its own from the course's table (sandbox.limits),
        never above the flat ``timeout``; each grading call of a test cell gets it too."""
        if cell is None:
            return super()._get_timeout(cell)
        own = cell_limit(self._limits, cell, self.timeout)
        return own if own and own > 0 else None

    def create_kernel_manager(self) -> SandboxedKernelManager:
        self.kernel_manager_class = SandboxedKernelManager
        manager = super().create_kernel_manager()
        manager.cage = self._cage
        return manager

    # -- cells -------------------------------------------------------------------------------

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        connection, record = self._connection, self._record
        if not connection.tried and connection.connect(self.kc, self.km, self.log) is None:
            record.note("the kernel never connected to the grader")
        name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        key, start = cell_key(cell), time.monotonic()
        self._limit = self._get_timeout(cell)
        if not _test_cell(cell):
            super().preprocess_cell(cell, resources, index)
        else:
            self._run_test_cell(cell, resources, index, name)
        if key is not None and cell.cell_type == "code":
            record.seconds[key] = round(time.monotonic() - start, 3)
        self._note_trouble(cell, index, name)
        killed = jail.reap(self._cage.uid)
        if killed:
            record.note(f"{name}: killed {killed} processes the notebook started")
        return cell, self.resources

    def _run_test_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int,
                       name: str) -> None:
        """Run the kernel's part of a test cell, then its grading calls here; seal the cell and
        record its score."""
        kernel_source, calls = hidden.split(cell.source)
        source = cell.source
        cell.source = kernel_source
        try:
            super().preprocess_cell(cell, resources, index)
        finally:
            cell.source = source
        self._record.sealed.add(index)
        self.clear_display_id_mapping(index)
        kept = [as_text(o) for o in cell.outputs if o.output_type in ("stream", "error")]
        if len(kept) < len(cell.outputs):
            self._record.note(f"{name}: a value the notebook displayed in a test cell was "
                              "ignored (only the grader's result counts)")
        cell.outputs = kept
        passed, partial, mistakes, probes = True, None, [], {}
        if any(o.get("ename") == "CellTimeoutError" for o in kept):
            # The cell already scores 0, and its function would most likely loop again.
            self._connection.mark_hung(calls)
            cell.outputs.append(_grader_output(
                "The hidden tests did not run: this cell ran past its time limit.", False))
            passed = False
        else:
            with noting_mistakes() as named:
                for call in calls:
                    ok, points, output = self._grade(call, name)
                    cell.outputs.append(output)
                    passed = passed and ok
                    if points is not None and partial is None:
                        partial = points
            mistakes = [{"id": m.id, "name": m.name} for m in named]
            probes = dict(named.probes)  # unexplained failures' fingerprints (grading/runner.py)
        # An error in the cell scores 0 too.
        passed = passed and not any(o.output_type == "error" for o in kept)
        self._record.score(name, float(cell.metadata["nbgrader"]["points"]), passed, partial,
                           mistakes, probes)

    def _note_trouble(self, cell: NotebookNode, index: int, name: str) -> None:
        """Record what the instructor should hear of: time limits, memory, output cut."""
        errors = {o.get("ename") for o in cell.get("outputs", []) if o.output_type == "error"}
        record = self._record
        if "CellTimeoutError" in errors:
            record.note(f"{name}: the cell ran past the time limit")
        if "MemoryError" in errors:
            record.note(f"{name}: the notebook ran out of memory (limit {self.memory_mb} MiB)")
        if record.output_used.get(index, 0) > self.output_bytes:
            record.note(f"{name}: output cut at {self.output_bytes} bytes")

    def _grade(self, call: hidden.GradingCall, name: str
               ) -> tuple[bool, float | None, NotebookNode]:
        """Run one grading statement here, against the kernel's objects: whether it passed,
        the points a ``grade_parts`` call earned (None for ``grade``), and the grader's output."""
        printed = io.StringIO()
        points = None
        kernel = self._connection.kernel
        timeouts = kernel.timeouts if kernel is not None else 0
        try:
            if kernel is None:
                raise remote.KernelLost("grading could not reach the notebook's kernel")
            kernel.deadline = time.monotonic() + (self._limit or self.timeout or 60)
            with kernel.serving():
                objects = [self._connection.student_object(target) for target in call.targets]
                with contextlib.redirect_stdout(printed), self._students_inputs():
                    if call.in_parts:
                        points = grade_parts(call.exercise, *objects, points=call.points)
                    else:
                        grade(call.exercise, *objects)
        except Exception as error:  # the failure is the cell's result: it scores 0
            self._record.note_kernel(name, kernel, timeouts)
            if kernel is not None and kernel.timeouts > timeouts:
                self._connection.mark_hung([call])
            text = printed.getvalue() + f"✗ {error}"
            return False, None, _grader_output(text, False)
        self._record.note_kernel(name, kernel, timeouts)
        text = printed.getvalue() or f"✓ {call.exercise}: the hidden tests pass"
        return True, points, _grader_output(text, True)

    def _students_inputs(self) -> contextlib.AbstractContextManager[None]:
        """The student being graded (grading.variant): their own hidden inputs when the course
        has a secret, and their own quiz numbers, which the kernel shows too, secret or not."""
        if not self._cage.student:
            return contextlib.nullcontext()
        return variant.grading_student(self._cage.student, self._secret)

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        """Keep a cell's outputs up to :attr:`output_bytes`. An error is kept shortened even
        past it (so a failing cell still fails), once per cell."""
        content = msg.get("content")
        if not isinstance(content, dict):
            return None
        msg = unmarked(msg)
        output_used = self._record.output_used
        used = output_used.get(cell_index, 0)
        if msg["msg_type"] == "error":
            msg = {**msg, "content": short_error(content)}
            length = size(msg["content"])
            output_used[cell_index] = used + length
            if used + length > self.output_bytes and any(o.output_type == "error" for o in outs):
                return None
            return super().output(outs, msg, display_id, cell_index)
        length = size(content)
        output_used[cell_index] = used + length
        if used + length > self.output_bytes:
            if used <= self.output_bytes:
                outs.append(new_output("stream", name="stdout", text=(
                    f"\n[output cut here: this cell printed more than "
                    f"{self.output_bytes} bytes]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id: str, msg: dict[str, Any]) -> None:
        """A display update reaches earlier outputs of ordinary cells only, and only when it
        is no larger than a cell's output allowance (it replaces, so it cannot accumulate)."""
        targets = self._display_id_map.get(display_id)
        if not targets:
            return
        for index in self._record.sealed & set(targets):
            del targets[index]
        content = msg.get("content")
        if not isinstance(content, dict) or size(content) > self.output_bytes:
            return
        super()._update_display_id(display_id, unmarked(msg))

    def handle_comm_msg(self, outs: list[NotebookNode], msg: dict[str, Any],
                        cell_index: int) -> None:
        """Widget messages are not graded and their state is not kept."""


def _grader_output(text: str, passed: bool) -> NotebookNode:
    """The grader's verdict in a test cell: a display only the grader puts there (the kernel's
    displays in a test cell are dropped), headed "Grader" in the feedback."""
    colour = "#1a7f37" if passed else "#cf222e"
    page = (f'<div style="border-left: 4px solid {colour}; padding: 0.3em 0.8em;">'
            "<b>Grader</b> (hidden tests, run outside your notebook)"
            f'<pre style="white-space: pre-wrap;">{html.escape(text.rstrip(), quote=False)}'
            "</pre></div>")
    return new_output("display_data", data={"text/plain": f"Grader: {text.rstrip()}",
                                            "text/html": page},
                      metadata={METADATA_KEY: "grader"})


def _refusals(config: Any, resources: dict[str, Any]) -> list[str]:
    """Why the student's submitted folder must not be graded (links, special files, a notebook
    too big to parse: :func:`sandbox.submission.unsafe_reasons`); empty when it may be, or when
    this is not an autograde of a submitted folder."""
    from nbgrader.coursedir import CourseDirectory

    student = resources.get("nbgrader", {}).get("student")
    assignment = resources.get("nbgrader", {}).get("assignment")
    if not (student and assignment):
        return []
    course = CourseDirectory(config=config)
    folder = Path(course.format_path(course.submitted_directory, student, assignment))
    return unsafe_reasons(folder) if os.path.lexists(folder) else []


def _seed_font_cache(folder: Path) -> None:
    """Give the kernel's matplotlib the grader's font list, so that it does not rebuild it in
    every notebook (the fonts it names are at the same paths inside the sandbox)."""
    import matplotlib

    for found in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
        shutil.copy(found, folder)


def _special_files(folder: str, names: list[str]) -> set[str]:
    """Names in a submission that are neither files, folders nor links (a FIFO would block the
    copy): left out of the kernel's scratch copy."""
    kept = set()
    for name in names:
        path = os.path.join(folder, name)
        if os.path.islink(path) or os.path.isfile(path) or os.path.isdir(path):
            kept.add(name)
    return set(names) - kept


def _test_cell(cell: NotebookNode) -> bool:
    """A graded code cell that the student cannot write: an autograded test."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)
