"""Fixtures of the browser tests: one headless Chromium per test process, a fresh page per test,
and the named steps of a journey, each leaving a screenshot."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .lab import CHROMIUM_ARGS, chromium_or_fail

ROOT = Path(__file__).resolve().parents[2]
#: Where the screenshots of every step go (test artifacts; `make screenshots` copies two of them
#: into docs/ for the README).
SCREENSHOTS = Path(os.environ.get("BACKPROP_SCREENSHOTS", ROOT / "build" / "screenshots"))
VIEWPORT = {"width": 1400, "height": 900}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; a missing browser fails the tests, with the fix."""
    try:
        executable = chromium_or_fail()
    except FileNotFoundError as missing:
        pytest.fail(str(missing), pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: run `make venv` (it installs the dev extras).",
                    pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Steps:
    """The named steps of one journey through the UI: ``with steps("validate"):`` runs a step,
    then saves a screenshot ``<prefix>-<n>-<name>.png``; a step that fails saves
    ``FAILED-<prefix>-<name>.png`` and says which step failed."""

    def __init__(self, page, prefix: str) -> None:
        self.page = page
        self.prefix = prefix
        self.count = 0

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self.count += 1
        try:
            yield
        except BaseException as error:
            error.add_note(f"in step {self.count} of the {self.prefix} journey: {name}")
            self._save(f"FAILED-{self.prefix}-{name}")
            raise
        self._save(f"{self.prefix}-{self.count}-{name}")

    def _save(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A page in a fresh browser context (own cookies and storage), with patient time-outs:
    kernels start and notebooks run on a busy 2-core machine."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
