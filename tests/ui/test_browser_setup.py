"""The browser tests' own set-up: a missing Chromium is an error that says how to install it."""

from __future__ import annotations

import pytest

from .lab import CHROMIUM, chromium_or_fail


def test_a_missing_chromium_says_how_to_install_it(tmp_path):
    with pytest.raises(FileNotFoundError) as missing:
        chromium_or_fail(tmp_path / "no-chromium-here")
    message = str(missing.value)
    assert str(tmp_path / "no-chromium-here") in message
    assert "make system" in message and "apt-get install chromium" in message


def test_a_file_that_cannot_run_is_not_taken_for_chromium(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("not a program")
    with pytest.raises(FileNotFoundError):
        chromium_or_fail(fake)


def test_the_installed_chromium_is_found():
    assert chromium_or_fail() == CHROMIUM
