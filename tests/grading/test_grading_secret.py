"""The course's grading secret (:func:`grading.variant.read_secret`): made once, private, read
by every grading worker alike, and refused rather than replaced when it is not what it should be
(a link, a folder, the wrong size)."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from grading import variant

# ---- the secret ------------------------------------------------------------------------------

def test_the_secret_is_created_once_private_and_then_read(tmp_path):
    path = tmp_path / ".grading_secret"
    secret = variant.read_secret(path)
    assert len(secret) == variant.SECRET_BYTES and secret != bytes(variant.SECRET_BYTES)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert variant.read_secret(path) == secret
    assert variant.read_secret(str(path)) == secret
    assert sorted(p.name for p in tmp_path.iterdir()) == [".grading_secret"]  # no draft left


def test_another_course_gets_another_secret(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert (variant.read_secret(tmp_path / "a" / "s")
            != variant.read_secret(tmp_path / "b" / "s"))


@pytest.mark.parametrize("size", [0, 31, 33, 4096])
def test_a_secret_of_the_wrong_size_is_refused_not_replaced(tmp_path, size):
    path = tmp_path / ".grading_secret"
    path.write_bytes(b"x" * size)
    with pytest.raises(ValueError, match="must be 32 bytes"):
        variant.read_secret(path)
    assert path.read_bytes() == b"x" * size


def test_a_symbolic_link_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(bytes(32))
    link = tmp_path / ".grading_secret"
    link.symlink_to(target)
    with pytest.raises(ValueError, match="symbolic link"):
        variant.read_secret(link)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nothing")
    with pytest.raises(ValueError, match="symbolic link"):
        variant.read_secret(dangling)
    assert not (tmp_path / "nothing").exists()  # nothing written through the link


def test_a_folder_is_refused(tmp_path):
    (tmp_path / ".grading_secret").mkdir()
    with pytest.raises((ValueError, OSError)):
        variant.read_secret(tmp_path / ".grading_secret")


def _read_after(path: str, start: Any, results: Any) -> None:
    start.wait()
    results.put(variant.read_secret(path))


def test_parallel_workers_agree_on_one_secret(tmp_path):
    """Grading workers that start at once, with no secret yet, all read the one that won."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    path = str(tmp_path / ".grading_secret")
    workers = [context.Process(target=_read_after, args=(path, start, results))
               for _ in range(6)]
    for worker in workers:
        worker.start()
    start.set()
    secrets = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert len(set(secrets)) == 1
    assert secrets[0] == variant.read_secret(path)
    assert sorted(os.listdir(tmp_path)) == [".grading_secret"]


def _secret_file(course: Path) -> str | None:
    """What the course's nbgrader_config.py, copied into ``course``, makes the secret's path."""
    import shutil

    from traitlets.config import Config

    shutil.copy(Path(__file__).resolve().parents[2] / "nbgrader_config.py", course)
    config = Config()
    path = str(course / "nbgrader_config.py")
    exec(compile(Path(path).read_text(), path, "exec"),
         {"get_config": lambda: config, "__file__": path})
    return config.SealedExecute.secret_file if "secret_file" in config.SealedExecute else None


def test_a_course_folder_has_its_own_secret_and_the_environment_another(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKPROP_SECRET", raising=False)
    assert _secret_file(tmp_path) == str(tmp_path / ".grading_secret")
    monkeypatch.setenv("BACKPROP_SECRET", "keys/secret")  # the course folder's, from anywhere
    assert _secret_file(tmp_path) == str(tmp_path / "keys" / "secret")
    monkeypatch.setenv("BACKPROP_SECRET", str(tmp_path / "elsewhere"))
    assert _secret_file(tmp_path) == str(tmp_path / "elsewhere")
    monkeypatch.setenv("BACKPROP_SECRET", "off")
    assert _secret_file(tmp_path) is None
