"""CD302: dose and total in units that cannot be compared."""

from collections.abc import Iterator

import pint

from celldose.diagnostics import Severity
from celldose.doses import per_kg_with_weight
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.exact import per_kilogram
from celldose.units.format import unit_label, unit_name


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    dose, total = row.cell_dose, row.total
    if not isinstance(dose, pint.Quantity) or not isinstance(total, pint.Quantity):
        return
    if unit_name(total) == unit_name(dose):
        return
    per_kg = per_kilogram(dose) is not None and unit_name(total) == "cell"
    if per_kg and per_kg_with_weight(row, context.patient_weight) is not None:
        return  # the weight turns the dose into cells: CD301 compares them
    if per_kg and context.weight_unreadable:
        return  # the weight's own diagnostic says what is wrong
    if per_kg:
        yield Finding(
            RULE,
            f"total is in cells but dose is in {unit_label(dose)}, and the protocol "
            "states no patient_weight: the cells cannot be computed",
            ("total",),
            "add the patient's weight to the protocol (patient_weight: 70 kg), or write the "
            "total per kg",
        )
        return
    yield Finding(
        RULE,
        f"total is in {unit_label(total)} but dose is in {unit_label(dose)}: "
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
        "without the patient's weight (`patient_weight: 70 kg` at the protocol level) the two "
        "cannot be compared, and celldose never assumes a weight. With a weight, a per-kg dose "
        "and a cell total are compared by CD301. A per-kg total is checked per kg; units of "
        "different mass (per kg, per lb) are not converted between dose and total."
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
