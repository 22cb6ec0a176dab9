"""What the command line knows of the terminal: colour, and a progress line on standard error."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def use_color(choice: str) -> bool:
    """--color always or never; auto: NO_COLOR (any value but empty) turns colour off,
    FORCE_COLOR on, for a CI log, except that ``FORCE_COLOR=0`` (or ``false``) turns it off,
    as Node and the libraries that set the convention read it; otherwise colour when stdout
    is a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force:
        return force.strip().lower() not in ("0", "false")
    return os.environ.get("TERM") != "dumb" and is_terminal(sys.stdout)


def is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):  # closed, or detached
        return False


class Progress:
    """``checking 120/2000 files`` on one line of standard error, rewritten in place (at most
    ten times a second) and cleared at the end; only for more than :data:`MIN_FILES` files."""

    MIN_FILES = 50

    def __init__(self) -> None:
        self._width = 0  # characters on the line now
        self._last: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total <= self.MIN_FILES or (self._last is not None and now - self._last < 0.1):
            return
        self._last = now
        line = f"checking {done}/{total} files"
        self._write("\r" + line.ljust(self._width))
        self._width = len(line)

    def clear(self) -> None:
        if self._width:
            self._write("\r" + " " * self._width + "\r")
            self._width = 0

    def _write(self, text: str) -> None:
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed terminal: the check goes on without it
            self._last = float("inf")
