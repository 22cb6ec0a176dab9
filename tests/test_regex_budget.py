"""Every regular expression that sees user text runs in linear time (issue 17: a route of "x",
1,998 spaces and "y" took 36 s; a Markdown line of 60,000 spaces took 25 s).

The probe runs in a fresh interpreter under a timeout: a pattern that backtracks
super-linearly fails this test instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import celldose
from conftest import ROOT

PROBE = Path(__file__).with_name("regex_budget_probe.py")


@pytest.mark.parametrize("part", ["patterns", "functions", "files"])
def test_every_user_facing_pattern_is_linear_on_adversarial_input(part: str) -> None:
    try:
        result = subprocess.run(
            [sys.executable, str(PROBE), part],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the {part} probe did not finish in 120 s: a pattern backtracks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_route_padded_with_spaces_is_checked_at_once(tmp_path: Path) -> None:
    path = tmp_path / "knee.yaml"
    route = "x" + " " * 1998 + "y"
    path.write_text(
        f'protocol: Knee\nadministrations:\n  - route: "{route}"\n'
        "    dose: 10 million\n    days: 1\n    total: 10 million\n"
    )
    report = celldose.check(path)  # took 36 s
    assert any(d.code == "CD307" for d in report.diagnostics), report.diagnostics


def test_the_per_side_suffix_is_still_read() -> None:
    from celldose.vocabulary import split_per_side

    assert split_per_side("Intra-articular  ,  each-side )  ") == ("Intra-articular", True)
    assert split_per_side("Intra-articular (per side)") == ("Intra-articular", True)
    assert split_per_side("per side") == ("per side", False)
    assert split_per_side("Superside") == ("Superside", False)
