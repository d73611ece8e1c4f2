"""Where a student's kernel runs while it is graded: the command that confines it.

Two modes, chosen by :func:`choose_mode`:

* ``bubblewrap`` (Linux, Debian's ``bwrap``): the kernel gets its own mount, PID, network, IPC
  and UTS namespaces and no capability. It sees the system's programs and libraries and the
  Python environment, read-only; a size-limited, ``nosuid,nodev`` tmpfs as its working folder,
  holding a copy of the student's folder; a small private ``/tmp``; and the folder of sockets
  it talks through. Nothing else of the machine: the course directory (``source/``,
  ``reference/``, the graders, the gradebook, other students' work) is not there, and neither
  is a network, and nothing it writes lands on the host's disk.
* ``process`` (only when asked for by name): the same limits but the process count, in a
  scratch copy of the student's folder on the host, with the machine's files visible. It
  protects the grading run from accidents, not from a hostile submission, and it refuses to
  run as root (student code would run as root).

Nothing of the student's runs before confinement, and nothing runs with privilege after it:

* the start-up is made of system programs only (``cp``, ``chown``, util-linux's ``prlimit``
  and ``setpriv``), which import nothing from the student's folder;
* the kernel's interpreter starts isolated (``python -I``: neither the working folder nor
  ``PYTHON*`` variables nor a user site on its path), so a ``resource.py``, ``sitecustomize.py``,
  ``ipykernel_launcher.py`` or ``*.pth`` file beside the notebook is never imported by the
  start-up (the notebook's own cells may import the student's modules, as in JupyterLab);
* a root grader keeps for bubblewrap only the capabilities that changing the user id needs,
  and ``setpriv`` gives up the user id for an unprivileged one of the sandbox's own, clearing
  every capability set (bounding and inheritable too) and setting no-new-privileges; a grader
  that is not root gets a user namespace from bubblewrap, in which the kernel has no
  capability either. The kernel never runs as user 0.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

#: The course's own packages: never importable from a sandbox.
COURSE_PACKAGES = ("reference", "grading", "course", "sandbox")

#: System folders the kernel may read (those that exist).
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")

#: System programs the bubblewrap start-up needs besides ``bwrap``.
TOOLS = ("prlimit", "setpriv", "cp", "chown")

#: A root grader hands its sandboxes the user ids FIRST_UID to FIRST_UID + UID_COUNT - 1 (one
#: per grading process).
FIRST_UID, UID_COUNT = 62000, 3000

#: Where, inside bubblewrap, the student's folder is mounted read-only, to be copied into the
#: kernel's own working folder.
SUBMISSION = "/submission"

#: Where matplotlib keeps its settings and font list inside bubblewrap (in the private /tmp).
MATPLOTLIB = "/tmp/matplotlib"

#: Run by ``/bin/sh`` inside bubblewrap, before the kernel. Arguments: the working folder, the
#: sandbox user id (-1: the grader is not root), the sockets folder, then the confined command.
#: Copies the student's folder without following links (a copy that overflows the folder's size
#: stops there: the notebook runs with what fits) and the grader's matplotlib font list, gives
#: both to the sandbox user, and hands over.
START = (
    'cp -R -P -- /submission/. "$1" 2>/dev/null\n'
    f'mkdir -p {MATPLOTLIB} && cp -- "$3"/matplotlib/* {MATPLOTLIB}/ 2>/dev/null\n'
    f'[ "$2" -lt 0 ] || chown -R -h "$2:$2" "$1" {MATPLOTLIB}\n'
    'shift 3\n'
    'exec "$@"\n'
)

#: The kernel's connection file in the sockets folder (the only file there it may read).
CONNECTION_FILE = "kernel.json"


@dataclass(frozen=True)
class Limits:
    """What one student's kernel may use while graded."""

    cpu_seconds: int = 600
    memory_mb: int = 4096
    processes: int = 64
    file_mb: int = 64
    tmp_mb: int = 256
    work_mb: int = 256


@dataclass(frozen=True)
class Cage:
    """One kernel's sandbox: its sockets folder, working folder, limits, mode, user id, and the
    host folder whose copy it works in (bubblewrap; None in the process mode)."""

    runtime: str
    workdir: str
    limits: Limits
    mode: str
    uid: int
    submission: str | None = None
    student: str = ""  # the id of the student graded: the kernel's STUDENT_VARIABLE


@functools.cache
def bubblewrap_works() -> bool:
    """Whether ``bwrap`` and the start-up's programs (:data:`TOOLS`) are installed and bwrap
    can make namespaces here."""
    if any(shutil.which(tool) is None for tool in ("bwrap", *TOOLS)):
        return False
    probe = ["bwrap", "--unshare-all", "--die-with-parent"]
    for folder in SYSTEM:
        if os.path.isdir(folder):
            probe += ["--ro-bind", folder, folder]
    try:
        done = subprocess.run([*probe, "true"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def choose_mode(requested: str) -> str:
    """``"bubblewrap"`` or ``"process"`` for a requested mode. ``auto`` means bubblewrap, and
    where it cannot run, an error that says how to get it: the weaker ``process`` mode
    protects nothing against a hostile submission, so it is used only when asked for by name
    (``BACKPROP_SANDBOX=process``), and never by a root grader."""
    if requested not in ("auto", "bubblewrap", "process"):
        raise ValueError(f"sandbox mode must be auto, bubblewrap or process; got {requested!r}")
    if requested == "process":
        if os.getuid() == 0:
            raise RuntimeError("the 'process' sandbox mode would run student code as root: "
                               "grade as an ordinary user, or use bubblewrap")
        return "process"
    if bubblewrap_works():
        return "bubblewrap"
    missing = [tool for tool in ("bwrap", *TOOLS) if shutil.which(tool) is None]
    raise RuntimeError(
        "student code cannot be confined here: "
        + (f"{', '.join(missing)} not installed (Debian: apt-get install bubblewrap "
           "util-linux coreutils)" if missing else "bwrap cannot create namespaces")
        + ". Set BACKPROP_SANDBOX=process to grade anyway in the weaker mode, which "
        "protects nothing against a hostile submission (see the README's threat model).")


def sandbox_uid() -> int:
    """The user id a root grader gives its sandboxes: one per grading process, so that
    parallel workers' process limits do not share one count; -1 when not root."""
    if os.getuid() != 0:
        return -1
    return FIRST_UID + os.getpid() % UID_COUNT


def _python_folders() -> list[str]:
    """The Python environment the kernel runs from: the interpreter's installation and the
    virtual environment (if any)."""
    folders = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    return sorted(folders)


def _masked(mounted: list[str]) -> list[str]:
    """Folders of the course's packages that lie inside ``mounted`` folders (an installed,
    not editable, copy in site-packages): covered with an empty tmpfs in the sandbox."""
    masked = []
    for package in COURSE_PACKAGES:
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            real = os.path.realpath(location)
            if any(real == m or real.startswith(m + os.sep) for m in mounted):
                masked.append(real)
    return masked


def _parents(path: str, made: set[str]) -> list[str]:
    """bwrap options making every missing parent of ``path`` world-readable (bwrap would
    otherwise make them 0700, closed to the unprivileged user)."""
    options = []
    parts = Path(path).parts
    for depth in range(2, len(parts)):
        parent = str(Path(*parts[:depth]))
        if parent not in made:
            made.add(parent)
            options += ["--perms", "0755", "--dir", parent]
    return options


#: The variable that tells the kernel whose submission it runs (the quiz shows that student's
#: numbers: grading/quiz_numbers.py).
STUDENT_VARIABLE = "BACKPROP_STUDENT"
#: Longest student id handed to the kernel.
STUDENT_ID_CHARS = 100


def student_id(student: str) -> str | None:
    """``student`` when it may be handed to the kernel (at most :data:`STUDENT_ID_CHARS`
    characters, no control character or line separator, no lone surrogate); None otherwise.
    It comes from a folder name: it is only ever passed as an argument of its own (bwrap's
    ``--setenv``), never through a shell."""
    if not student or len(student) > STUDENT_ID_CHARS:
        return None
    if any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in student):
        return None
    return student


def environment(workdir: str, runtime: str, mode: str = "bubblewrap", student: str = ""
                ) -> dict[str, str]:
    """The kernel's whole environment: no variable of the grader's (``NBGRADER_EXECUTION``
    included) reaches student code. ``student``, the id of the student graded, is
    :data:`STUDENT_VARIABLE` when :func:`student_id` accepts it."""
    matplotlib = os.path.join(runtime, "matplotlib") if mode == "process" else MATPLOTLIB
    known = student_id(student)
    return {
        **({STUDENT_VARIABLE: known} if known else {}),
        "HOME": "/tmp",
        "PATH": os.pathsep.join([os.path.join(sys.prefix, "bin"), "/usr/local/bin", "/usr/bin",
                                 "/bin"]),
        "LANG": "C.UTF-8",
        "MPLCONFIGDIR": matplotlib,
        "XDG_CACHE_HOME": "/tmp/.cache",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PWD": workdir,
    }


def isolated(kernel: list[str]) -> list[str]:
    """The kernel command with its Python interpreter started isolated (``-I``: no working
    folder, ``PYTHON*`` variable or user site on its path; ``-B``: no bytecode written)."""
    if kernel and os.path.basename(kernel[0]).startswith("python"):
        return [kernel[0], "-I", "-B", *kernel[1:]]
    return list(kernel)


def _limits(limits: Limits, processes: int) -> list[str]:
    """``prlimit`` options for the kernel's resource limits (0 processes: no process limit)."""
    options = [f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 5}",
               f"--as={limits.memory_mb * 2**20}", f"--fsize={limits.file_mb * 2**20}",
               "--core=0"]
    if processes > 0:
        options.append(f"--nproc={processes}")
    return ["prlimit", *options, "--"]


def command(kernel: list[str], workdir: str, runtime: str, limits: Limits, mode: str,
            uid: int, submission: str | None = None, student: str = "") -> list[str]:
    """The command that starts ``kernel`` (a kernel command line) confined, talking through
    sockets in ``runtime``, in ``workdir``: in bubblewrap a tmpfs that receives a copy of the
    host folder ``submission`` (mounted read-only); in the process mode, ``workdir`` is a
    scratch copy on the host already. ``student``: see :func:`environment`."""
    kernel = isolated(kernel)
    if mode == "process":
        # The process limit would count all of the grader's processes here: not set.
        return [*_limits(limits, 0), *kernel]
    if uid == 0:
        raise ValueError("the sandbox user cannot be root")
    # The process limit counts every process of the kernel's user: under a user id of its own
    # (root grader), or in a user namespace of its own (Linux 5.14 and later count processes
    # per user namespace), it binds the sandbox alone.
    namespaces = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                  "--unshare-cgroup-try", *([] if uid > 0 else ["--unshare-user"])]
    options = ["bwrap", *namespaces, "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if uid > 0:  # root: keep only what the start-up needs to give the folder and root away
        for capability in ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_CHOWN"):
            options += ["--cap-add", capability]
    options += ["--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", "/tmp"]
    made: set[str] = set()
    for folder in SYSTEM:
        if os.path.isdir(folder) and not os.path.islink(folder):
            options += ["--ro-bind", folder, folder]
        elif os.path.islink(folder):
            options += ["--symlink", os.readlink(folder), folder]
    python = _python_folders()
    for folder in python:
        options += [*_parents(folder, made), "--ro-bind", folder, folder]
    for folder in _masked(python):
        options += ["--tmpfs", folder]
    options += [*_parents(runtime, made), "--bind", runtime, runtime]
    if submission is not None:
        options += ["--ro-bind", submission, SUBMISSION]
    options += [*_parents(workdir, made), "--perms", "0777",
                "--size", str(limits.work_mb * 2**20), "--tmpfs", workdir,
                "--chdir", workdir, "--clearenv"]
    for name, value in environment(workdir, runtime, mode, student).items():
        options += ["--setenv", name, value]
    start = ["/bin/sh", "-c", START, "start", workdir, str(uid if uid > 0 else -1), runtime]
    drop = []
    if uid > 0:
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    return [*options, "--", *start, *_limits(limits, limits.processes), *drop, *kernel]


def _owner_and_parent(pid: str) -> tuple[int, int] | None:
    """A live process's user id and parent; None for a zombie or a process that is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        if fields["State"].split()[0] in ("Z", "X"):
            return None
        return int(fields["Uid"].split()[0]), int(fields["PPid"])
    except (OSError, KeyError, ValueError):
        return None


def _owned_by(uid: int) -> set[int]:
    """Ids of the processes whose /proc entry belongs to ``uid`` (one stat each: cheap)."""
    found = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    found.add(int(pid))
    return found


def strays(uid: int, everything: bool = False) -> list[int]:
    """Live processes of the sandbox user ``uid`` started by another of its processes (the
    kernel's children), or every live process of ``uid`` when ``everything``."""
    mine = _owned_by(uid)
    result = []
    for pid in mine:
        found = _owner_and_parent(str(pid))
        if found is not None and found[0] == uid and (everything or found[1] in mine):
            result.append(pid)
    return result


def reap(uid: int, everything: bool = False) -> int:
    """Kill every process the sandbox user's kernel started (a process of ``uid`` whose parent
    is also ``uid``'s), keeping the kernel itself unless ``everything``; how many were killed.
    Run after each cell, so a fork bomb does not outlive its cell, and after the notebook.
    Does nothing for a grader that is not root (``uid`` < 0): the sandbox's processes then
    cannot be told from the grader's own."""
    if uid < 0:
        return 0
    killed: set[int] = set()
    for _ in range(50):  # a bomb may fork again between one sweep and the next
        found = strays(uid, everything)
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        time.sleep(0.01)
    return len(killed)


def open_runtime(runtime: Path, uid: int) -> None:
    """Before the kernel starts: let the sandbox user ``uid`` create its sockets in the sockets
    folder ``runtime`` and read its connection file there."""
    if uid < 0:
        return
    os.lchown(runtime, uid, uid)
    connection = runtime / CONNECTION_FILE
    if connection.exists():
        os.lchown(connection, uid, uid)


def close_runtime(runtime: Path, uid: int) -> None:
    """Once the kernel has made its sockets: take the sockets folder and the connection file
    back, so that nothing the kernel writes lands on the host's disk. (A grader that is not
    root shares its user id with the kernel, which could take the folder back in turn: there,
    :func:`intruders` tells what the kernel wrote since.)"""
    os.chmod(runtime, 0o755)
    if uid < 0:
        return
    os.lchown(runtime, os.getuid(), os.getgid())
    connection = runtime / CONNECTION_FILE
    if connection.exists():
        os.lchown(connection, os.getuid(), os.getgid())


def intruders(runtime: Path) -> list[Path]:
    """Files in the sockets folder that are neither sockets nor the grader's own (a folder, a
    regular file other than the connection file, a link): what a kernel wrote there."""
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(runtime):
            if entry.name in (CONNECTION_FILE, "matplotlib"):
                continue
            if not stat.S_ISSOCK(entry.stat(follow_symlinks=False).st_mode):
                found.append(Path(entry.path))
    return found
