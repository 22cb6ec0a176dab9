"""Shared helpers: where the repository is, and how to run the CLI.

Most tests run the command line in this process, through :func:`run_cli` (``main(argv)`` with
its own standard streams, working directory and environment): the same arguments and the same
output as the console script, without starting Python, importing celldose and building the unit
registry again for every call (about 0.6 s each, more than 80% of the suite's time when every
CLI test started a process). :func:`run_process` starts the real console script, for what only a
process shows: its exit status, a real pipe or terminal, signals, forked workers, a hang cut off
by a timeout.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from celldose.cli import main

# No hypothesis deadlines: a deadline is a timed assertion, and timings on these shared machines
# are noise (the first example of a run also builds the unit registry). Speed is measured by
# benchmarks/run.py; a test that must not hang runs in a subprocess with a timeout.
settings.register_profile("celldose", deadline=None)
settings.load_profile("celldose")

ROOT = Path(__file__).resolve().parent.parent
PROTOCOLS = ROOT / "protocols"
SEED = PROTOCOLS / "sacroiliitis.yaml"

_UNSET = ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")
"""Variables taken out of the caller's environment: each would change the output under test."""


def celldose_command() -> list[str]:
    """The installed console script, as a user runs it (``python -m celldose`` if absent)."""
    script = Path(sys.executable).with_name("celldose")
    return [str(script)] if script.exists() else [sys.executable, "-m", "celldose"]


def run_process(
    *args: str,
    cwd: Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The console script in a process of its own: output as a text-mode pipe reads it."""
    clean = {k: v for k, v in os.environ.items() if k not in _UNSET}
    return subprocess.run(
        [*celldose_command(), *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**clean, **(env or {})},
        input=stdin,
        timeout=60,
        check=False,
    )


def run_cli_bytes(
    *args: str,
    cwd: Path | None = None,
    stdin: str | bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """``celldose ARGS`` in this process, as :func:`run_process` runs it: in ``cwd`` (the
    repository by default), with ``stdin`` on standard input (empty if None) and ``env`` on
    top of this environment less NO_COLOR, FORCE_COLOR and GITHUB_ACTIONS; stdout and stderr
    as the bytes written. A usage error (argparse's SystemExit) is its exit status; any other
    exception is a bug and fails the test with its traceback.

    The standard streams are text streams over bytes, as a process has under a UTF-8 locale,
    so ``sys.stdin.buffer`` and ``sys.stdout.buffer`` work; none is a terminal."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
    stdout = io.TextIOWrapper(
        io.BytesIO(), encoding="utf-8", errors="surrogateescape", newline="\n"
    )
    stderr = io.TextIOWrapper(
        io.BytesIO(), encoding="utf-8", errors="backslashreplace", newline="\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd or ROOT)
        for name in _UNSET:
            patch.delenv(name, raising=False)
        if "COLUMNS" not in os.environ:  # argparse wraps to the terminal; a pipe has none
            patch.setenv("COLUMNS", "80")
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        patch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        patch.setattr(sys, "stdout", stdout)
        patch.setattr(sys, "stderr", stderr)
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: a usage error, --help, --version
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:  # SystemExit("message"), as the interpreter reports it
                stderr.write(f"{exc.code}\n")
                code = 1
        stdout.flush()
        stderr.flush()
    out, err = stdout.buffer, stderr.buffer
    assert isinstance(out, io.BytesIO) and isinstance(err, io.BytesIO)
    return subprocess.CompletedProcess(["celldose", *args], code, out.getvalue(), err.getvalue())


def run_cli(
    *args: str,
    cwd: Path | None = None,
    stdin: str | bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """:func:`run_cli_bytes`, its output decoded as a text-mode pipe reads it: UTF-8, with
    ``\\r\\n`` and a lone ``\\r`` read as ``\\n`` (so it compares with :func:`run_process`)."""
    ran = run_cli_bytes(*args, cwd=cwd, stdin=stdin, env=env)
    return subprocess.CompletedProcess(
        ran.args, ran.returncode, _text(ran.stdout), _text(ran.stderr)
    )


def _text(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
