"""Ranges, several doses and a mean with its spread: the grammar, the arithmetic, FHIR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.plandefinition import PlanDefinition
from hypothesis import given
from hypothesis import strategies as st

from celldose.api import load
from celldose.cli import main
from celldose.fhir import to_fhir_json
from celldose.units.parse import AmountSyntaxError, parse_amount
from celldose.units.ranges import mean_and_spread, parse_range, several_doses

DASHES = ("\u2013", "-", " to ", " \u2013 ", "\u2014")
TIMES = "\u00d7"
counts = st.integers(min_value=1, max_value=10**9)


@given(counts, counts, st.integers(min_value=0, max_value=9), st.sampled_from(DASHES))
def test_a_range_is_exact_at_both_ends(a: int, b: int, power: int, dash: str) -> None:
    low, high = sorted((a, b + a))  # b + a > a: low below high
    ends = parse_range(f"{low}{dash}{high} {TIMES} 10^{power} cells/kg")
    assert ends is not None
    assert (ends.low.value, ends.high.value) == (low * 10**power, high * 10**power)
    assert str(ends.low.unit) == str(ends.high.unit) == "cell / kilogram"


def test_decimal_ends_share_the_scale() -> None:
    ends = parse_range(f"0.6\u20131.8 {TIMES} 10^8 cells")
    assert ends is not None
    assert ends.low.value == 60_000_000
    assert ends.high.value == 180_000_000


def test_ends_with_their_own_scale_keep_it() -> None:
    ends = parse_range(f"7 {TIMES} 10^5 to 1.2 {TIMES} 10^6")
    assert ends is not None
    assert ends.low.value == 700_000
    assert ends.high.value == 1_200_000


@pytest.mark.parametrize("text", ["-5", "5e-3", "10^-3 cells", "50,000,000", "5 million"])
def test_a_minus_sign_or_an_exponent_sign_is_no_range(text: str) -> None:
    assert parse_range(text) is None


def test_a_range_that_runs_backwards_is_refused() -> None:
    with pytest.raises(AmountSyntaxError, match="low end must be below"):
        parse_range("6-5 million")


@given(counts)
def test_a_thousands_comma_is_one_number(n: int) -> None:
    assert several_doses(f"{n:,}") is None
    assert parse_amount(f"{n:,}").value == n


@given(counts, counts)
def test_a_comma_and_a_space_separate_doses(a: int, b: int) -> None:
    reason = several_doses(f"{a:,}, {b:,}")
    assert reason is not None
    assert reason.startswith(f"holds two doses ({a:,} and {b:,})")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"2, 5, 10 {TIMES} 10^6/kg", f"holds three doses (2, 5 and 10 {TIMES} 10^6/kg)"),
        ("6 or 18 M", "holds two doses (6 and 18 M)"),
        ("125 M IT, 48 M IM", "holds two doses (125 M IT and 48 M IM)"),
        ("5,000, 10,000", "holds two doses (5,000 and 10,000)"),
    ],
)
def test_several_doses_are_named(text: str, found: str) -> None:
    reason = several_doses(text)
    assert reason is not None
    assert reason.startswith(found)


@pytest.mark.parametrize("text", ["100 \u00b1 20 M", "100 +/- 20 million", "100+-20 M"])
def test_a_mean_and_its_spread_is_no_dose(text: str) -> None:
    reason = mean_and_spread(text)
    assert reason is not None
    assert "mean and its spread" in reason


def test_fhir_carries_a_dose_range(tmp_path: Path) -> None:
    path = tmp_path / "range.yaml"
    path.write_text(
        "protocol: GvHD\npatient_weight: 70 kg\nadministrations:\n  - route: intravenous\n"
        "    dose: 1\u20132 \u00d7 10^6 cells/kg\n    days: twice a week for 4 weeks\n"
        "    total: 560\u20131,120 million cells\n",
        encoding="utf-8",
    )
    plan: Any = PlanDefinition.model_validate_json(to_fhir_json(load(path)))
    dosage = plan.contained[0].dosage[0]
    dose_range = dosage.doseAndRate[0].doseRange
    assert (dose_range.low.value, dose_range.high.value) == (1, 2)
    assert dose_range.low.code == "10*6{cells}/kg"
    assert dosage.timing.repeat.count == 8


def test_the_html_report_shows_ranges_schedules_and_vials(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cases = Path(__file__).parent / "cases"
    names = ["dose-ranges-weight-and-studies", "ryoncil-label", "alofisel-as-published"]
    main(["check", "--format", "html", *(str(cases / f"{n}.yaml") for n in names)])
    html = capsys.readouterr().out
    assert "1,000,000 to 2,000,000 cells/kg" in html
    assert "70,000,000 to 140,000,000 cells" in html
    assert "twice a week for 4 weeks \u2192 8 administrations" in html
    assert "1 (4 vials each)" in html
