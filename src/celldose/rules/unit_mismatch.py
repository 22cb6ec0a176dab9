"""CD302: dose and total in units that cannot be compared."""

from collections.abc import Iterator

import pint

from celldose.diagnostics import Severity
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.format import unit_label


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    dose, total = row.dose, row.total
    if not isinstance(dose, pint.Quantity) or not isinstance(total, pint.Quantity):
        return
    if total.units == dose.units:
        return
    yield Finding(
        RULE.name,
        f"total is in {unit_label(total.units)} but dose is in {unit_label(dose.units)}: "
        "the two cannot be compared",
        ("total",),
        "write dose and total in the same unit (a per-kg dose needs a per-kg total)",
    )


RULE = Rule(
    code="CD302",
    name="unit-mismatch",
    severity=Severity.ERROR,
    summary="Dose and total are in units that cannot be compared (cells vs cells/kg).",
    explanation=(
        "A dose per kilogram of body weight times days gives cells per kilogram, not cells: "
        "without the patient's weight the two cannot be compared, and celldose never "
        "assumes a weight. Units of different mass (per kg, per lb) are not converted either."
    ),
    fix="Write dose and total in the same unit.",
    bad=(
        "protocol: GvHD\nadministrations:\n  - route: intravenous\n"
        "    dose: 2 million cells/kg\n    days: 1\n    total: 140 million cells\n"
    ),
    good=(
        "protocol: GvHD\nadministrations:\n  - route: intravenous\n"
        "    dose: 2 million cells/kg\n    days: 1\n    total: 2 million cells/kg\n"
    ),
    check_row=check,
)
