"""CD301: a row's total differs from dose x days."""

from collections.abc import Iterator

import pint

from celldose.diagnostics import Severity
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.format import format_quantity


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    dose, total = row.dose, row.total
    if not isinstance(dose, pint.Quantity) or not isinstance(total, pint.Quantity):
        return
    if total.magnitude == dose.magnitude * row.days or total.units != dose.units:
        return  # equal totals are right (exact integers); different units are CD302's finding
    expected = row.expected_total
    assert expected is not None
    side = " per side" if row.per_side else ""
    if row.per_side and total.magnitude == 2 * expected.magnitude:
        yield Finding(
            RULE.name,
            f"total {format_quantity(total)} is the both-sides figure: per side, dose "
            f"{format_quantity(dose)} x {row.days} day{'s' if row.days != 1 else ''} = "
            f"{format_quantity(expected)}; both sides = {format_quantity(total)}",
            ("total",),
            f"a per-side row's total counts one side: {format_quantity(expected)} "
            "(laterality: bilateral counts the second side in the protocol's total)",
        )
        return
    message = (
        f"total {format_quantity(total)} != dose {format_quantity(dose)} x {row.days} "
        f"day{'s' if row.days != 1 else ''} = {format_quantity(expected)}{side}"
    )
    fix = f"make the total {format_quantity(expected)}, or correct the dose or days"
    yield Finding(RULE.name, message, ("total",), fix)


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
        "total is not always the right fix: the dose may be the wrong number."
    ),
    fix="Make the total equal dose x days, or correct the dose or days.",
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
