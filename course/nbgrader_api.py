"""nbgrader's own Python API, set up from a course folder's ``nbgrader_config.py``.

The command line (``nbgrader autograde ...``) and :class:`nbgrader.apps.NbGraderAPI` run the same
code; the API saves the few seconds each command spends starting up, which adds up over a class
of hundreds. Environment variables the config file reads (``BACKPROP_EXCHANGE``,
``BACKPROP_GRADEBOOK``, ``BACKPROP_CELL_TIMEOUT``) are read when the config is loaded.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


def load_config(course: Path) -> Config:
    """The configuration in ``course/nbgrader_config.py``, as nbgrader would load it."""
    if not (course / CONFIG_FILE).is_file():
        raise FileNotFoundError(f"{course} has no {CONFIG_FILE}: is it a course folder?")
    return PyFileConfigLoader(CONFIG_FILE, path=str(course)).load_config()


def put_tools_on_path() -> None:
    """nbgrader runs ``alembic`` by name when it opens a new gradebook: put the folder of this
    Python's scripts (the virtual environment's ``bin/``) first on PATH, so that it is found
    however the course tools were started."""
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + path


def instructor_api(course: Path) -> NbGraderAPI:
    """An :class:`NbGraderAPI` for the course in ``course``."""
    put_tools_on_path()
    config = load_config(course)
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def sqlite_path(db_url: str) -> Path | None:
    """The database file of a ``sqlite:///`` URL (query string dropped), or None for others."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        return None
    return Path(db_url[len(prefix):].split("?", 1)[0])


def allow_concurrent_writers(db_url: str) -> None:
    """Put a SQLite gradebook in write-ahead-log mode, so that processes grading at the same
    time read while one writes; with the URL's ``?timeout=`` a writer waits for its turn
    instead of failing with "database is locked". The mode is stored in the file. Other
    databases (PostgreSQL...) need nothing."""
    path = sqlite_path(db_url)
    if path is None:
        return
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
