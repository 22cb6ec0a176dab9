"""The ``celldose`` console script and ``python -m celldose`` in processes of their own.

Every other CLI test runs ``main(argv)`` in the test's process (``conftest.run_cli``). These
show what only a process shows: the exit status the shell sees, standard input from a real pipe
or closed, and that the process prints what ``main`` prints (``run`` adds ``gc.freeze``). Other
tests that need a process stay beside the behaviour they test, each saying why: forked workers
(``--jobs``, ``test_jobs_and_safety.py``, ``test_config.py``), colour and progress on a terminal
(``test_cli_output.py``), a write killed by a signal (``test_convert.py``, ``test_fixes.py``), a
read that could hang (``test_fixes.py``) and crashes in C (``test_hostile_input.py``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED, celldose_command, run_cli, run_process

WRONG = (ROOT / "tests" / "cases" / "seed-wrong-total.yaml").read_text(encoding="utf-8")
"""One CD301 error at 13:12 and one CD306 info."""


def test_the_console_script_exits_0_1_and_2_and_prints_what_main_prints(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(WRONG, encoding="utf-8")
    for args, status in (
        (("check", "protocols/"), 0),
        (("check", str(wrong)), 1),
        (("check", str(tmp_path / "nope.yaml")), 2),  # celldose's own usage error
        (("check", "protocols/", "--format", "xml"), 2),  # argparse's, a SystemExit
    ):
        process = run_process(*args)
        in_process = run_cli(*args)
        assert process.returncode == status, (args, process.stderr)
        assert (process.stdout, process.stderr) == (in_process.stdout, in_process.stderr), args
        assert in_process.returncode == status, args
        assert "Traceback" not in process.stderr


def test_python_dash_m_celldose_is_the_same_command() -> None:
    module = subprocess.run(
        [sys.executable, "-m", "celldose", "check", str(SEED)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    in_process = run_cli("check", str(SEED))
    assert (module.returncode, module.stdout, module.stderr) == (
        in_process.returncode,
        in_process.stdout,
        in_process.stderr,
    )
    assert module.stdout.endswith("Checked 1 file: 1 info.\n")


def test_standard_input_from_a_pipe(tmp_path: Path) -> None:
    result = run_process("check", "-", "--stdin-filename", "knee.yaml", stdin=WRONG)
    assert result.returncode == 1
    assert "knee.yaml:13:12: CD301 error" in result.stdout
    # A workbook is bytes: the pipe carries them unchanged.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Route", "Dose", "Days", "Total"])
    sheet.append(["IV", 5, 2, 5])
    book.save(tmp_path / "s.xlsx")
    workbook = subprocess.run(
        [*celldose_command(), "check", "-", "--stdin-filename", "in.xlsx"],
        input=(tmp_path / "s.xlsx").read_bytes(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert workbook.returncode == 1, workbook.stderr
    assert b"in.xlsx:2:4: CD301 error" in workbook.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell closes the descriptor")
def test_a_closed_standard_input_is_a_usage_error() -> None:
    """With descriptor 0 closed, Python's ``sys.stdin`` is None: a process only shows that."""
    result = subprocess.run(
        ["sh", "-c", 'exec "$0" "$@" <&-', *celldose_command(), "check", "-"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "celldose: error: - reads standard input, which is closed\n"
    assert result.stdout == ""
