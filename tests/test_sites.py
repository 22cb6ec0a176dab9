"""Sites, vials and discs: total = dose x sites x administrations x sides, in every format."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import celldose
from celldose.api import load
from celldose.cli import main
from celldose.model import Administration

CASES = Path(__file__).parent / "cases"
DAYS = [("1", 1), ("3", 3), ("Twice", 2), ("twice a week for 4 weeks", 8)]


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    millions=st.integers(min_value=1, max_value=500),
    sites=st.integers(min_value=1, max_value=30),
    days=st.sampled_from(DAYS),
    key=st.sampled_from(["sites", "vials", "discs", "in the dose"]),
    bilateral=st.booleans(),
    off_by=st.sampled_from([0, 0, 1]),
)
def test_total_is_dose_x_sites_x_administrations_x_sides(
    millions: int, sites: int, days: tuple[str, int], key: str, bilateral: bool, off_by: int
) -> None:
    written, count = days
    total = millions * sites * count + off_by  # per side on a per-side row
    dose = f"{millions} million cells"
    lines = ["protocol: P", "administrations:", "  - route: intra-articular/per side"]
    if key == "in the dose":
        lines.append(f"    dose: {dose} x {sites} injections")
    else:
        lines += [f"    dose: {dose}", f"    {key}: {sites}"]
    lines += [f"    days: {written}", f"    total: {total} million cells"]
    if bilateral:
        lines.append("    laterality: bilateral")
    report = celldose.check_text("\n".join(lines) + "\n", "p.yaml")
    assert [d.code for d in report] == ([] if off_by == 0 else ["CD301"])
    row = Administration.model_validate(
        {"route": "intra-articular/per side", "dose": dose, "sites": sites, "days": written}
    )
    assert row.injections == sites * count
    assert row.expected_total is not None
    assert row.expected_total.magnitude == (total - off_by) * 10**6


def test_alofisel_as_published_checks_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(CASES / "alofisel-as-published.yaml")]) == 0
    assert "no problems" in capsys.readouterr().out


def test_sites_convert_through_every_sheet(tmp_path: Path) -> None:
    source = CASES / "sites-vials-discs.yaml"
    published = load(CASES / "alofisel-as-published.yaml").administrations
    expected = [(r.sites, r.vials, r.discs) for r in published]
    for suffix in ("csv", "md", "xlsx", "yaml"):
        out = tmp_path / f"alofisel.{suffix}"
        assert main(["convert", str(CASES / "alofisel-as-published.yaml"), str(out)]) == 0
        rows = load(out).administrations
        assert [(r.sites, r.vials, r.discs) for r in rows] == expected
    assert main(["convert", str(source), str(tmp_path / "bad.csv")]) == 0
