"""CD301 and CD302 where a dose or a total is a range (``1-2 x 10^6 cells/kg``).

Arithmetic is exact at both ends: ``1-2 x 10^6/kg`` given 8 times is ``8-16 x 10^6/kg``.
**The range principle:** a row's total restates its dose's range, end for end. A single total
under a range dose is an error, even when it lies inside the range: it says that one dose in
the range was chosen but not which, and a total computed from the wrong dose (1.5 x 10^6 x 8
= 12 x 10^6 where 2 x 10^6 was meant) would lie inside as well. A range total under a single
dose is an error for the same reason. With a weight, each end is compared as a single total
is (exactly where dose x weight is whole, else within the weight's written precision).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pint

from celldose.doses import PerInjection, cells_text, per_kg_with_weight
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.format import format_quantity, unit_label, unit_name
from celldose.units.ranges import QuantityRange

Counted = pint.Quantity[Any] | QuantityRange


def involves_range(row: Administration) -> bool:
    return isinstance(row.dose, QuantityRange) or isinstance(row.total, QuantityRange)


@dataclass(frozen=True, slots=True)
class RangeComparison:
    """A row's written total against dose x administrations, end for end."""

    computed: str | None
    """``8,000,000 to 16,000,000 cells/kg``; None when the units cannot be compared."""
    agrees: bool


def compare(row: Administration, weight: pint.Quantity[Any] | None) -> RangeComparison | None:
    """None when the row lacks a dose or a total."""
    dose, total = row.dose, row.total
    if not isinstance(dose, pint.Quantity | QuantityRange):
        return None
    if not isinstance(total, pint.Quantity | QuantityRange):
        return None
    dose_ends, total_ends = _ends(dose), _ends(total)
    if unit_name(dose_ends[0]) != unit_name(total_ends[0]):
        expected = _by_weight(row, dose_ends, weight, unit_name(total_ends[0]))
        if expected is None:
            return RangeComparison(None, False)
    else:
        expected = tuple(_exact(end.magnitude) for end in dose_ends)
    times = row.injections
    written = tuple(int(end.magnitude) for end in total_ends)
    shape_agrees = isinstance(dose, QuantityRange) == isinstance(total, QuantityRange)
    agrees = shape_agrees and all(
        cells.accepts(value, times) for cells, value in zip(expected, written, strict=False)
    )
    computed = _text(tuple(cells.exact * times for cells in expected), total_ends[0])
    return RangeComparison(computed, agrees)


def check(
    row: Administration, context: RowContext, total_rule: Rule, unit_rule: Rule
) -> Iterator[Finding]:
    dose, total = row.dose, row.total
    comparison = compare(row, context.patient_weight)
    if comparison is None or comparison.agrees:
        return
    assert isinstance(dose, pint.Quantity | QuantityRange)
    assert isinstance(total, pint.Quantity | QuantityRange)
    computed = comparison.computed
    if computed is None:
        yield Finding(
            unit_rule,
            f"total is in {unit_label(_ends(total)[0])} but dose is in "
            f"{unit_label(_ends(dose)[0])}: the two cannot be compared",
            ("total",),
            "write dose and total in the same unit, or give the patient_weight for a per-kg dose",
        )
        return
    message = f"total {shown(total)} != dose {shown(dose)} x {row.course} = {computed}" + (
        " per side" if row.per_side else ""
    )
    if isinstance(dose, QuantityRange) and not isinstance(total, QuantityRange):
        fix = (
            f"a range dose gives a range total: write the total {computed}, or write the one "
            "dose that is given"
        )
    elif isinstance(total, QuantityRange) and not isinstance(dose, QuantityRange):
        fix = f"a single dose gives a single total: write the total {computed}"
    else:
        fix = f"make the total {computed}, or correct the dose or days"
    yield Finding(total_rule, message, ("total",), fix)


def _ends(value: Counted) -> tuple[pint.Quantity[Any], ...]:
    return (value.low, value.high) if isinstance(value, QuantityRange) else (value,)


def _exact(cells: int) -> PerInjection:
    return PerInjection(cells, cells, cells, ())


def _by_weight(
    row: Administration,
    ends: tuple[pint.Quantity[Any], ...],
    weight: pint.Quantity[Any] | None,
    total_unit: str,
) -> tuple[PerInjection, ...] | None:
    if total_unit != "cell":
        return None
    found = tuple(per_kg_with_weight(row.model_copy(update={"dose": end}), weight) for end in ends)
    return None if any(cells is None for cells in found) else found  # type: ignore[return-value]


def _text(values: tuple[Fraction | int, ...], like: pint.Quantity[Any]) -> str:
    if unit_name(like) == "cell":
        shown = [cells_text(v).removesuffix(" cells") for v in values]
        return " to ".join(shown) + " cells"
    return " to ".join(f"{int(v):,}" for v in values) + f" {unit_label(like)}"


def shown(value: Counted) -> str:
    """``1,000,000 to 2,000,000 cells/kg`` or ``50,000,000 cells``."""
    if isinstance(value, QuantityRange):
        return f"{int(value.low.magnitude):,} to {format_quantity(value.high)}"
    return format_quantity(value)
