"""How the celldose process ends when its surroundings do: Ctrl-C, a closed pipe, a full disk.

These need real processes (a signal to a process group, a pipe whose reader went away, the
``/dev/full`` device), so each test starts the console command; they are few, and each ends
within seconds. The contract (see ``celldose.cli.process``): one line, or none for a pipe,
and a known exit status; never a traceback; no worker left behind; no file half written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from celldose.parallel import available_cores
from conftest import ROOT, celldose_command

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc to see the processes"
)

CLEAN = "protocol: K\nadministrations:\n  - {route: intra-articular, dose: 5, days: 2, total: 10}\n"
ROW = "  - route: intra-articular\n    dose: 5\n    days: 2\n    total: 100\n"


def start(*args: str, **options: object) -> subprocess.Popen[bytes]:
    """The command in a session of its own: a signal to its group reaches it and its workers,
    as Ctrl-C on a terminal reaches every process of the foreground group."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let a test start compile celldose once
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [*celldose_command(), *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=subprocess.PIPE,
        **options,
    )


def processes() -> dict[int, tuple[str, int, int]]:
    """Every process: pid -> (state, parent pid, process group)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text(encoding="utf-8").rpartition(")")[2].split()
        except OSError:  # it ended meanwhile
            continue
        found[int(entry.name)] = (fields[0], int(fields[1]), int(fields[2]))
    return found


def wait_until(condition: object, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not callable(condition) or not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.02)


def group_gone(group: int) -> bool:
    return all(pgrp != group or state == "Z" for state, _, pgrp in processes().values())


def end(process: subprocess.Popen[bytes], timeout: float = 30.0) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the process did not exit")
    return process.returncode, err.decode("utf-8", "replace")


def test_ctrl_c_during_a_check_exits_130_with_one_line() -> None:
    """Interrupted while it waits for standard input: the deterministic moment to press it."""
    process = start("check", "-", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:

        def reading() -> bool:
            with open(f"/proc/{process.pid}/wchan", encoding="utf-8") as handle:  # noqa: PTH123
                return "pipe" in handle.read()  # pipe_read: blocked reading standard input

        wait_until(reading, "celldose reads standard input")
        os.killpg(process.pid, signal.SIGINT)
        status, err = end(process)
    finally:
        assert process.stdin is not None
        process.stdin.close()
    assert status == 130
    assert err == "celldose: interrupted\n"


@pytest.mark.skipif(available_cores() < 2, reason="one core: --jobs 2 starts no worker")
def test_two_ctrl_cs_during_a_parallel_check_stop_every_worker(tmp_path: Path) -> None:
    for number in range(300):  # enough work that both workers are still busy when pressed
        (tmp_path / f"p{number:03d}.yaml").write_text(
            "protocol: K\nadministrations:\n" + ROW * 200, encoding="utf-8"
        )
    before = set(tmp_path.iterdir())
    baseline = tmp_path / "baseline.json"
    process = start(
        "check", str(tmp_path), "--jobs", "2", "--write-baseline", str(baseline),
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:

        def workers() -> bool:
            children = [p for p, (_, parent, _) in processes().items() if parent == process.pid]
            return len(children) >= 2 or process.poll() is not None

        wait_until(workers, "the two workers run")
        assert process.poll() is None, "the check ended before it could be interrupted"
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(0.1)
        os.killpg(process.pid, signal.SIGINT)
        status, err = end(process)
        wait_until(lambda: group_gone(process.pid), "every worker has exited", timeout=10)
    finally:
        if not group_gone(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    assert status == 130
    assert err == "celldose: interrupted\n"
    assert set(tmp_path.iterdir()) == before  # no baseline, no temporary file left


def test_a_reader_that_went_away_ends_the_output_quietly(tmp_path: Path) -> None:
    """``celldose rules | true`` and ``celldose check clean.yaml | true``, as ``head`` does."""
    (tmp_path / "clean.yaml").write_text(CLEAN, encoding="utf-8")
    for args in (["rules"], ["check", str(tmp_path / "clean.yaml")]):
        process = start(*args, stdout=subprocess.PIPE)
        assert process.stdout is not None
        process.stdout.close()  # the reader is gone before celldose writes a byte
        status, err = end(process)
        assert (status, err) == (141, ""), args


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_disk_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "clean.yaml").write_text(CLEAN, encoding="utf-8")
    with open("/dev/full", "w", encoding="utf-8") as full:  # noqa: PTH123
        process = start("check", str(tmp_path / "clean.yaml"), stdout=full)
        status, err = end(process)
    assert status == 2
    assert err == "celldose: error: cannot write the output: No space left on device\n"
