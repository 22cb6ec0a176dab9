"""Weights outside those of people are a warning (CD012), and tiny products print exactly
(issue 17: ``patient_weight: 0.000000000001 kg`` gave "about 0.00 cells to about 0.00 cells")."""

from __future__ import annotations

from pathlib import Path

import pytest

from celldose.cli import main


def _page(weight: str, total: str = "70 million") -> str:
    return (
        f"protocol: GvHD\npatient_weight: {weight}\nadministrations:\n  - route: intravenous\n"
        f"    dose: 1 million cells/kg\n    days: 1\n    total: {total}\n"
    )


def _check(tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str) -> tuple[int, str]:
    path = tmp_path / "gvhd.yaml"
    path.write_text(page, encoding="utf-8")
    status = main(["check", str(path)])
    return status, capsys.readouterr().out


def test_a_tiny_weight_prints_exact_figures_and_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = _check(tmp_path, capsys, _page("0.000000000001 kg"))
    assert status == 1
    assert "0.00 cells" not in out
    assert "= 0.000001 cells, so 0.0000005 cells to 0.0000015 cells" in out
    assert "no whole number of cells lies in that span" in out  # not "from 1 to 0"
    assert (
        "CD012 warning: patient_weight 0.000000000001 kg is less than any patient weighs "
        "(celldose expects 0.2 kg to 650 kg)"
    ) in out


@pytest.mark.parametrize(
    ("weight", "total", "warned"),
    [
        ("70 kg", "70 million", False),
        ("154 lb", "69,853,225", False),
        ("0.2 kg", "200,000", False),
        ("650 kg", "650 million", False),
        ("200 g", "200,000", False),
        ("199 g", "199,000", True),
        ("650.5 kg", "650,500,000", True),
        ("70000 kg", "70,000,000,000", True),
        ("2000 lb", "907,184,740", True),
    ],
)
def test_the_bounds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], weight: str, total: str, warned: bool
) -> None:
    status, out = _check(tmp_path, capsys, _page(weight, total))
    assert ("CD012" in out) is warned, out
    assert "CD301" not in out, out
    assert status == 0  # a warning alone does not fail the check


def test_a_sheet_weight_is_bounded_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gvhd.csv"
    path.write_text(
        "Patient weight,70 g\nRoute,Dose,Days,Total\nintravenous,1 million cells/kg,1,70000\n"
    )
    main(["check", str(path)])
    out = capsys.readouterr().out
    assert "gvhd.csv:1:" in out and "CD012" in out, out
