"""What a grading worker process may use: its memory, one BLAS thread, and no life beyond
the process that started it.

A worker needs under 1 GiB; the memory cap stops a kernel that sends the grader more than it can
hold (a ZeroMQ message of many parts, each under the size limit of one part): that worker dies,
its student is reported, and the rest of the class is graded. Grading runs one worker per core,
so the reference math a worker does (a carried-forward training run of the digits, for one) gets
one BLAS thread, as the kernels do (``sandbox.jail``): a thread per core in every worker would
only have them wait for each other. Both are set in each local grading worker
(``course.parallel_autograde``), in each Dask task (``course.dask_grading``) and in each child
of the grading service (``course.grade_on_submit``). A local worker and a child of the service
also die with the process that started them (:func:`die_with_parent`), so that none grades on
unwatched.
"""

from __future__ import annotations

import os
import resource
import signal
import sys

from threadpoolctl import threadpool_limits

#: The address space a grading worker may use, in MiB (``BACKPROP_WORKER_MB``; 0: no limit).
WORKER_MB = 4096


def limit_memory(megabytes: int | None = None) -> None:
    """Cap this process's address space at ``megabytes`` (default: ``BACKPROP_WORKER_MB``, else
    :data:`WORKER_MB`; 0 or less: no cap). Never raises the existing cap."""
    if megabytes is None:
        try:
            megabytes = int(os.environ.get("BACKPROP_WORKER_MB", WORKER_MB))
        except ValueError:
            megabytes = WORKER_MB
    if megabytes <= 0:
        return
    wanted = megabytes * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    for existing in (soft, hard):
        if existing != resource.RLIM_INFINITY:
            wanted = min(wanted, existing)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def limit_blas_threads() -> None:
    """One BLAS thread for this process's NumPy (and for the processes it starts)."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    threadpool_limits(limits=1, user_api="blas")


def die_with_parent(parent: int) -> None:
    """In a worker, first thing: have Linux kill it when ``parent`` (the process id of the
    process that started it) ends, however it ends (killed included); elsewhere nothing. A
    parent that ended before this call would never send the signal: then the worker ends at
    once."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
