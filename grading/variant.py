"""Each student their own hidden inputs.

A check draws the random inputs of a hidden case from :func:`rng` (and an integer seed it hands
on, to the reference's ``init_network`` or to a student's function, from :func:`int_seed`).
Outside the grading of one student (visible checks, the course's own tests, the benchmarks)
that is ``np.random.default_rng(seed)``: the inputs the mistake catalogue and the alternative
solutions were built against. While the grader grades one student (:func:`grading_student`), the
generator is seeded with the case's seed and a key derived from the course's secret and the
student's id (HMAC-SHA256). So:

* the same student always gets the same inputs: a regrade reproduces every score;
* two students almost never share them: a function that records its inputs learns nothing it
  can pass on;
* nobody can compute a student's inputs without the secret, which stays with the grader (the
  sandbox never sees the course folder, where it lives).

The secret is a file the grader creates on first use (:func:`read_secret`), mode 0600, never
committed. Losing it changes every student's inputs: keep it with the gradebook.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

import numpy as np

#: The words of the key of the student being graded (None outside a student's grading).
_key: ContextVar[tuple[int, ...] | None] = ContextVar("variant_key", default=None)
#: The id of the student being graded (None outside a student's grading).
_student: ContextVar[str | None] = ContextVar("variant_student", default=None)

SECRET_BYTES = 32


def student_key(student: str, secret: bytes) -> tuple[int, ...]:
    """The eight 32-bit words of HMAC-SHA256(secret, student id): the student's variant."""
    if not secret:
        raise ValueError("the course's grading secret is empty")
    digest = hmac.new(secret, student.encode("utf-8"), hashlib.sha256).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, len(digest), 4))


@contextlib.contextmanager
def grading_student(student: str, secret: bytes | None = None) -> Iterator[None]:
    """Within the block, ``student`` is being graded: :func:`rng` gives their own hidden inputs
    when the course has a ``secret`` (without one, the plain inputs), and the quiz their own
    numbers (grading.quiz_numbers, which need no secret)."""
    key_token = _key.set(None if secret is None else student_key(student, secret))
    student_token = _student.set(student)
    try:
        yield
    finally:
        _student.reset(student_token)
        _key.reset(key_token)


@contextlib.contextmanager
def plain_inputs() -> Iterator[None]:
    """Within the block, :func:`rng` and :func:`int_seed` give the plain seeded inputs, the same
    for every student, whoever is being graded (a common probe to compare students by)."""
    token = _key.set(None)
    try:
        yield
    finally:
        _key.reset(token)


def student() -> str | None:
    """The id of the student being graded, or None outside a student's grading."""
    return _student.get()


def rng(seed: int) -> np.random.Generator:
    """The random generator of hidden case ``seed`` for the student being graded (the plain
    ``default_rng(seed)`` outside a student's grading)."""
    key = _key.get()
    if key is None:
        return np.random.default_rng(seed)
    return np.random.default_rng([*key, int(seed)])


def int_seed(seed: int) -> int:
    """The integer seed of hidden case ``seed`` for a function that takes one (the reference's
    ``init_network``, a student's function asked to build its own network): ``seed`` itself
    outside a student's grading, the student's own 32-bit number within it."""
    key = _key.get()
    if key is None:
        return int(seed)
    # a stream of its own (the extra word): not the first draw of rng(seed)
    return int(np.random.SeedSequence([*key, int(seed), 1]).generate_state(1)[0])


def read_secret(path: str | os.PathLike[str]) -> bytes:
    """The course's grading secret kept in ``path``, created there (mode 0600) when missing.

    Creation is atomic, so parallel grading workers that start together agree on one secret.
    A file that is not a regular file of the right size is refused, not replaced: losing the
    secret would change every student's inputs.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        # Written whole under a private name, then linked into place: a worker that starts at
        # the same moment sees either no secret or all of it, and one secret wins.
        fd, draft = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(SECRET_BYTES))
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            os.unlink(draft)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        if error.errno == errno.ELOOP:  # a symbolic link: whose secret would it be?
            raise ValueError(f"{path}: the grading secret must be a regular file, not a "
                             "symbolic link") from None
        raise
    with os.fdopen(fd, "rb") as source:
        if not stat.S_ISREG(os.stat(source.fileno()).st_mode):
            raise ValueError(f"{path}: the grading secret must be a regular file")
        secret = source.read(SECRET_BYTES + 1)
    if len(secret) != SECRET_BYTES:
        raise ValueError(f"{path}: the grading secret must be {SECRET_BYTES} bytes; it has "
                         f"{len(secret)} (was it cut or edited?). Restore it from a backup: a "
                         "new secret would change every student's hidden inputs")
    return secret
