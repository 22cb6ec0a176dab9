"""How the ``celldose`` process ends when its surroundings do: Ctrl-C, a closed pipe, a full disk.

Each ends in one line on standard error (or none, for a pipe) and a known exit status, never
a traceback:

- Ctrl-C (``KeyboardInterrupt``): ``celldose: interrupted``, exit 130 (128 + SIGINT, what a
  shell reports for a program that Ctrl-C stopped). Worker processes are stopped by
  :mod:`celldose.parallel`; a file being written is written whole or not at all (the atomic
  writes of :mod:`celldose.convert.atomic` remove their temporary file).
- The reader of standard output went away (``celldose rules | head -1``): nothing more is
  printed, exit 141 (128 + SIGPIPE, what a shell reports for a C program such as ``cat`` that
  the closed pipe stopped).
- Standard output cannot be written (``> /dev/full``, a disk that filled up):
  ``celldose: error: cannot write the output: No space left on device``, exit 2.

Only the console command does this (:func:`celldose.cli.run`): a program that calls
:func:`celldose.cli.main` gets the exception, as from any other function.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from collections.abc import Callable

from celldose.cli.errors import EXIT_USAGE
from celldose.escape import shown

EXIT_INTERRUPTED = 128 + signal.SIGINT
"""Ctrl-C: 130."""
EXIT_BROKEN_PIPE = 128 + 13
"""The reader of the output went away (SIGPIPE is 13 on every POSIX system): 141."""
_CANNOT_WRITE = frozenset(
    getattr(errno, name)
    for name in ("ENOSPC", "EDQUOT", "EFBIG", "EIO", "EROFS", "EBADF")
    if hasattr(errno, name)
)
"""What a failed write to standard output raises (a full disk, a quota, a closed stream)."""


def guarded(command: Callable[[], int]) -> int:
    """Run ``command`` and flush its output; its exit status, or the status of how it ended."""
    try:
        status = command()
        sys.stdout.flush()  # the output is written now, inside the guard, not at exit
    except KeyboardInterrupt:
        _ignore_interrupts()
        _discard_output()
        _say("celldose: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _discard_output()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        _discard_output()
        reason = exc.strerror or str(exc)
        if exc.filename is None and exc.errno in _CANNOT_WRITE:
            _say(f"celldose: error: cannot write the output: {reason}")
        else:  # not expected: said in one line all the same
            _say(f"celldose: error: {reason}" + (f": {exc.filename}" if exc.filename else ""))
        return EXIT_USAGE
    return status


def _ignore_interrupts() -> None:
    """A second Ctrl-C while the process ends is the same request."""
    with contextlib.suppress(ValueError):  # not the main thread: no signal reaches it
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _discard_output() -> None:
    """Point standard output at the null device, so that what is still buffered is dropped
    when the interpreter exits instead of failing again with a second traceback."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no file descriptor behind stdout
        pass


def _say(line: str) -> None:
    try:
        sys.stderr.write(shown(line) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # standard error is gone too: exit quietly
        pass
