"""Per-kg, per-administration and counted-kind spellings read as the same exact units."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from celldose.units.parse import AmountSyntaxError, parse_amount

TIMES = "\u00d7"  # the multiplication sign papers print
PER_KG: tuple[str, ...] = (
    "/kg",
    " cells/kg",
    " MSC/kg",
    " MSCs/kg",
    " cells/ kg BW",
    " cells/kg body weight",
)
PER_KG += (" cells per kilogram", " cells per kg", " viable cells/kg")
PER_DOSE: tuple[str, ...] = (
    " cells/infusion",
    "/injection",
    " per dose",
    " cells/person",
    " per patient",
)
PER_DOSE += ("", " cells", " MSC", " MSCs", " viable cells")
NUCLEATED = (" TNC", " TNCs", " nucleated cells", " total nucleated cells")


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=999), st.sampled_from(PER_KG))
def test_per_kg_spellings_are_cells_per_kilogram(millions: int, unit: str) -> None:
    amount = parse_amount(f"{millions} {TIMES} 10^6{unit}")
    assert amount.value == millions * 10**6
    assert str(amount.unit) == "cell / kilogram"


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=999), st.sampled_from(PER_DOSE))
def test_per_administration_spellings_are_cells(millions: int, unit: str) -> None:
    amount = parse_amount(f"{millions} million{unit}")
    assert amount.value == millions * 10**6
    assert str(amount.unit) == "cell"


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=999), st.sampled_from(NUCLEATED))
def test_nucleated_cells_are_their_own_count(millions: int, unit: str) -> None:
    amount = parse_amount(f"{millions} million{unit}")
    assert amount.value == millions * 10**6
    assert str(amount.unit) == "nucleated_cell"


def test_a_power_of_ten_alone_is_one_times_it() -> None:
    amount = parse_amount(f"{TIMES} 10^6/kg")
    assert amount.value == 10**6
    assert str(amount.unit) == "cell / kilogram"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("5 million per", "unexpected 'per' after the number"),
        ("5 million cells/kg/day", "unexpected 'cells/kg/day' after the number"),
        (f"{TIMES} 5 million", "not a number"),
        (f"{TIMES}10", "expected a power of ten"),
        ("5 million MSC/furlong", "unknown unit"),
    ],
)
def test_what_is_not_a_unit_is_still_refused(text: str, reason: str) -> None:
    with pytest.raises(AmountSyntaxError, match=reason):
        parse_amount(text)
