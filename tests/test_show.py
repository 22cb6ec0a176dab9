"""celldose show: the protocol as a table, with computed totals beside the written ones."""

from __future__ import annotations

from pathlib import Path

from conftest import SEED, run_cli

CASES = Path(__file__).parent / "cases"


def test_show_the_seed_protocol() -> None:
    result = run_cli("show", str(SEED))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"Sacroiliitis ({SEED})"
    myers = next(line for line in lines if line.startswith("Myers cocktail/NAD"))
    assert myers.split()[-2:] == ["no", "cells"] and "N/A" in myers
    joint = next(line for line in lines if line.startswith("Intra-articular/per side"))
    assert "1 or 2" in joint and joint.endswith("50,000,000 cells per side  ok")
    assert lines[-1] == (
        "Total cells: 50,000,000 counting each per-side row once; all sides: 50,000,000 cells "
        "with one side, or 100,000,000 cells with both sides, of each per-side row without a "
        "laterality"
    )


def test_show_marks_mismatches_and_the_protocol_total() -> None:
    result = run_cli("show", str(CASES / "protocol-total-wrong.yaml"))
    assert result.returncode == 0
    assert "2 (bilateral)" in result.stdout
    assert "all sides: 130,000,000 cells" in result.stdout
    assert result.stdout.splitlines()[-1] == "total_cells written: 70,000,000 cells  MISMATCH"
    wrong = run_cli("show", str(CASES / "seed-days-two.yaml")).stdout
    assert "50,000,000 cells  100,000,000 cells per side  MISMATCH" in wrong


def test_show_a_file_that_is_not_a_protocol() -> None:
    result = run_cli("show", str(CASES / "not-a-protocol.yaml"))
    assert result.returncode == 1
    assert "CD006 error" in result.stdout
    assert run_cli("show", "nope.yaml").returncode == 2


def test_show_names_the_route_and_site_a_sheet_writes_together() -> None:
    """Issue 16, verdict 5: 'knee injection' is intra-articular at the knee; show says so."""
    result = run_cli("show", str(CASES / "route-with-site.yaml"))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    knee = next(line for line in lines if line.startswith("knee injection"))
    assert knee.startswith("knee injection: intra-articular, knee joint")
    assert any(
        line.startswith("Intra-articular (knee): intra-articular, knee joint") for line in lines
    )
    ia = next(line for line in lines if line.startswith("IA "))
    assert "intra-articular," not in ia  # an ambiguous route names no site or route


def test_show_counts_a_pound_weight_within_its_precision() -> None:
    """Issue 16, verdict 1: the protocol total with a weight in pounds is checked."""
    result = run_cli("show", str(CASES / "protocol-total-pounds.yaml"))
    assert result.stdout.splitlines()[-1] == "total_cells written: 900,000,000 cells  MISMATCH"
    within = run_cli("show", str(CASES / "protocol-total-pounds-in-span.yaml"))
    assert within.stdout.splitlines()[-1] == "total_cells written: 280,000,000 cells  ok"
