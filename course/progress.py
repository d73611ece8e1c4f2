"""A one-line progress bar for long class-wide steps (a line per item when not on a terminal)."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    """``label [#####.....] done/total  last item  elapsed``, redrawn in place on a terminal.

    Written to ``stream`` (None: silent). In a log file or a CI job, where carriage returns
    would pile up, each finished item gets its own line instead.
    """

    WIDTH = 30

    def __init__(self, label: str, total: int, stream: TextIO | None) -> None:
        self.label, self.total, self.stream = label, total, stream
        self.done = 0
        self.start = time.monotonic()
        self.live = bool(stream is not None and getattr(stream, "isatty", lambda: False)())

    def advance(self, note: str = "") -> None:
        """Count one more item done; ``note`` says which and how it went."""
        self.done += 1
        if self.stream is None:
            return
        filled = self.WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        line = (f"{self.label} [{bar}] {self.done}/{self.total}  {note}  "
                f"{time.monotonic() - self.start:.0f} s")
        if self.live:
            self.stream.write("\r\033[K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.stream is not None and self.live:
            self.stream.write("\n")
            self.stream.flush()
