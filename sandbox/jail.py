"""Where a student's kernel runs while it is graded: the command that confines it.

Two modes, chosen by :func:`choose_mode`:

* ``bubblewrap`` (Linux, Debian's ``bwrap``): the kernel gets its own mount, PID, network, IPC
  and UTS namespaces. It sees the system's programs and libraries and the Python environment,
  read-only, a scratch copy of its own assignment folder, a small private ``/tmp``, and the
  folder of sockets it talks through; nothing else of the machine. The course directory
  (``source/``, ``reference/``, the graders, the gradebook, other students' work) is not there,
  and neither is a network.
* ``process`` (where bubblewrap cannot run): the same limits but the process count, and a
  scratch working folder, but the files of the machine stay visible. The report says so.

In both, before the kernel starts, a few lines of Python (:data:`CONFINE`) set resource limits
(CPU seconds, address space, processes, file size). In bubblewrap, when grading runs as root,
they also give up root for an unprivileged user id of the sandbox's own, so the process limit
counts the sandbox's processes only (root is exempt from it). The process mode keeps the
grader's user id: the kernel must reach the Python installation, which may lie in a home folder
closed to other users.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: The course's own packages: never importable from a sandbox.
COURSE_PACKAGES = ("reference", "grading", "course", "sandbox")

#: System folders the kernel may read (those that exist).
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")

#: A root grader hands its sandboxes the user ids FIRST_UID to FIRST_UID + UID_COUNT - 1 (one
#: per grading process).
FIRST_UID, UID_COUNT = 62000, 3000

#: Run with ``python -S -c`` inside the sandbox, before the kernel: argv is
#: ``cpu_seconds memory_bytes processes file_bytes uid -- kernel command...``.
CONFINE = """\
import os, resource, sys
cpu, memory, processes, file_size, uid = (int(a) for a in sys.argv[1:6])
command = sys.argv[7:]
def limit(name, value, hard=None):
    try:
        resource.setrlimit(getattr(resource, name), (value, value if hard is None else hard))
    except (AttributeError, ValueError, OSError):  # not on this system: the report says so
        print(f"sandbox: could not set {name}", file=sys.stderr)
limit("RLIMIT_CPU", cpu, cpu + 5)
limit("RLIMIT_AS", memory)
limit("RLIMIT_FSIZE", file_size)
limit("RLIMIT_CORE", 0)
if uid >= 0 and os.getuid() == 0:
    try:
        os.setgroups([])
    except PermissionError:  # bubblewrap leaves no supplementary groups to drop
        pass
    os.setgid(uid)
    os.setuid(uid)
if processes > 0:
    limit("RLIMIT_NPROC", processes)
os.execv(command[0], command)
"""


@dataclass(frozen=True)
class Limits:
    """What one student's kernel may use while graded."""

    cpu_seconds: int = 600
    memory_mb: int = 4096
    processes: int = 64
    file_mb: int = 64
    tmp_mb: int = 256


@dataclass(frozen=True)
class Cage:
    """One kernel's sandbox: its sockets folder, scratch folder, limits, mode and user id."""

    runtime: str
    workdir: str
    limits: Limits
    mode: str
    uid: int


@functools.cache
def bubblewrap_works() -> bool:
    """Whether ``bwrap`` is installed and can make namespaces here."""
    if shutil.which("bwrap") is None:
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
    """``"bubblewrap"`` or ``"process"`` for a requested mode (``auto`` takes bubblewrap when it
    works). Asking for bubblewrap where it cannot run is an error, not a silent downgrade."""
    if requested not in ("auto", "bubblewrap", "process"):
        raise ValueError(f"sandbox mode must be auto, bubblewrap or process; got {requested!r}")
    if requested == "process":
        return "process"
    if bubblewrap_works():
        return "bubblewrap"
    if requested == "bubblewrap":
        raise RuntimeError("the sandbox mode is 'bubblewrap' but bwrap is not installed or "
                           "cannot create namespaces here (install Debian's bubblewrap)")
    return "process"


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


def environment(workdir: str, runtime: str) -> dict[str, str]:
    """The kernel's whole environment: no variable of the grader's (``NBGRADER_EXECUTION``
    included) reaches student code."""
    return {
        "HOME": "/tmp",
        "PATH": os.pathsep.join([os.path.join(sys.prefix, "bin"), "/usr/local/bin", "/usr/bin",
                                 "/bin"]),
        "LANG": "C.UTF-8",
        "MPLCONFIGDIR": os.path.join(runtime, "matplotlib"),
        "XDG_CACHE_HOME": "/tmp/.cache",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PWD": workdir,
    }


def command(kernel: list[str], workdir: str, runtime: str, limits: Limits, mode: str,
            uid: int) -> list[str]:
    """The command that starts ``kernel`` (a kernel command line) confined: in ``workdir``
    (the student's scratch folder), talking through sockets in ``runtime``."""
    # The process limit counts every process of the kernel's user. It binds the sandbox alone
    # in bubblewrap: under a user id of its own (root grader), or in a user namespace of its
    # own (Linux 5.14 and later count processes per user namespace). In the process mode it
    # would count all of the grader's processes, so it is not set there.
    processes = limits.processes if mode == "bubblewrap" else 0
    confine = [os.path.realpath(sys.executable), "-S", "-c", CONFINE,
               str(limits.cpu_seconds), str(limits.memory_mb * 2**20), str(processes),
               str(limits.file_mb * 2**20), str(uid), "--", *kernel]
    if mode == "process":
        return confine
    # No user namespace for a root grader: the confining lines then give root up for a real
    # unprivileged uid, which the process limit applies to.
    namespaces = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                  "--unshare-cgroup-try", *([] if uid >= 0 else ["--unshare-user"])]
    options = ["bwrap", *namespaces, "--die-with-parent", "--new-session",
               "--proc", "/proc", "--dev", "/dev",
               "--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", "/tmp"]
    if uid >= 0:  # root: keep just what the confining lines need to give root up
        options += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
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
    for folder in (runtime, workdir):
        options += [*_parents(folder, made), "--bind", folder, folder]
    options += ["--chdir", workdir, "--clearenv"]
    for name, value in environment(workdir, runtime).items():
        options += ["--setenv", name, value]
    return [*options, "--", *confine]


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


def prepare(folder: Path, uid: int) -> None:
    """Make ``folder`` (and everything in it) the sandbox user's, so its kernel can write."""
    if uid < 0:
        return
    for path in [folder, *folder.rglob("*")]:
        os.lchown(path, uid, uid)
