"""CD301: a row's total differs from dose x days."""

import math
from collections.abc import Iterator
from fractions import Fraction

import pint

from celldose.diagnostics import Severity
from celldose.doses import PerInjection, cells_text, per_kg_with_weight
from celldose.model import Administration
from celldose.rules import range_totals, unit_mismatch
from celldose.rules.base import Finding, FixSafety, RowContext, Rule
from celldose.rules.course import course_hint
from celldose.units.format import format_quantity, unit_name


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    if range_totals.involves_range(row):
        yield from range_totals.check(row, context, RULE, unit_mismatch.RULE)
        return
    dose, total = row.cell_dose, row.total
    if not isinstance(total, pint.Quantity):
        return
    if isinstance(dose, pint.Quantity) and unit_name(total) == "cell":
        weighed = per_kg_with_weight(row, context.patient_weight)
        if weighed is not None:
            yield from _against(row, total.magnitude, weighed)
            return
    if not isinstance(dose, pint.Quantity):
        return
    if total.magnitude == dose.magnitude * row.injections or unit_name(total) != unit_name(dose):
        return  # equal totals are right (exact integers); different units are CD302's finding
    expected = row.expected_total
    assert expected is not None
    side = " per side" if row.per_side else ""
    if row.per_side and total.magnitude == 2 * expected.magnitude:
        yield Finding(
            RULE,
            f"total {format_quantity(total)} is the both-sides figure: per side, dose "
            f"{format_quantity(dose)} x {row.course} = "
            f"{format_quantity(expected)}; both sides = {format_quantity(total)}",
            ("total",),
            f"a per-side row's total counts one side: {format_quantity(expected)} "
            "(laterality: bilateral counts the second side in the protocol's total)",
        )
        return
    message = (
        f"total {format_quantity(total)} != dose {format_quantity(dose)} x {row.course} = "
        f"{format_quantity(expected)}{side}"
    )
    fix = f"make the total {format_quantity(expected)}, or correct the dose or days"
    fix += course_hint(row, Fraction(total.magnitude, dose.magnitude))
    yield Finding(RULE, message, ("total",), fix)


def _against(row: Administration, total: int, cells: PerInjection) -> Iterator[Finding]:
    """A cell total against cells computed from a per-kg dose and the patient's weight."""
    if cells.accepts(total, row.injections):
        return
    days = row.course
    expected = cells.exact * row.injections
    side = " per side" if row.per_side else ""
    if cells.whole:
        computed = cells_text(expected)
    else:
        computed = (
            f"{cells_text(expected)}, so {cells_text(cells.low * row.injections)} to "
            f"{cells_text(cells.high * row.injections)} for a weight written to this precision"
        )
    yield Finding(
        RULE,
        f"total {total:,} cells != {cells.how} x {days} = {computed}{side}",
        ("total",),
        _fix(cells, row.injections) + course_hint(row, Fraction(total) / cells.exact),
    )


def _fix(cells: PerInjection, days: int) -> str:
    expected = cells.exact * days
    if cells.whole:
        return f"make the total {cells_text(expected)}, or correct the dose, weight or days"
    low, high = math.ceil(cells.low * days), math.floor(cells.high * days)
    if low > high:
        return "no whole number of cells lies in that span; correct the dose, weight or days"
    return (
        f"make the total a whole number of cells from {low:,} to {high:,}, or correct the "
        "dose, weight or days"
    )


RULE = Rule(
    code="CD301",
    name="total-mismatch",
    severity=Severity.ERROR,
    summary="A row's total differs from dose x days (per side on a per-side row).",
    explanation=(
        "The total is what a person preparing cells reads; it must equal the dose per "
        "injection times the number of dosing days, computed exactly in whole cells. On a "
        "per-side row (`Intra-articular/per side`, or `per_side: true`) dose and total both "
        "count one side. The message shows the written and the computed value. Correcting the "
        "total is not always the right fix: the dose may be the wrong number. A per-kg dose "
        "with the protocol's `patient_weight` is compared in cells, exactly (1 lb is exactly "
        "0.45359237 kg); where dose x weight is not a whole number of cells, any total within "
        "the span the weight's written precision allows is accepted (154 lb stands for 153.5 "
        "to 154.5 lb)."
    ),
    fix="Make the total equal dose x days, or correct the dose or days.",
    fix_safety=FixSafety.UNSAFE,
    bad=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 50,000,000\n"
        "    days: 2\n    total: 50,000,000\n"
    ),
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 50,000,000\n"
        "    days: 2\n    total: 100,000,000\n"
    ),
    check_row=check,
)
