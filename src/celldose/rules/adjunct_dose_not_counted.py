"""CD306: an adjunct row's cell dose is not counted, because its total says N/A."""

from collections.abc import Iterator

import pint

from celldose.cells import non_cell
from celldose.diagnostics import Severity, quote
from celldose.model import NA, Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.format import format_quantity


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    if row.total is not NA:  # the cheap question first: this runs on every row
        return
    dose = row.cell_dose
    if not isinstance(dose, pint.Quantity):
        return
    why = non_cell(row.route, row.product or context.product)
    if why is None:
        return
    where = (
        f"the non-cell adjunct row {quote(row.route)}"
        if why.kind == "adjunct"
        else f"the {quote(row.route)} row of {why.text}"
    )
    yield Finding(
        RULE,
        f"dose {format_quantity(dose)} on {where} is not counted: its total says no cells are "
        "delivered",
        ("dose",),
        "if the infusion carries cells, name the cell route and write the total",
    )


RULE = Rule(
    code="CD306",
    name="adjunct-dose-not-counted",
    severity=Severity.INFO,
    summary="A non-cell adjunct row has a cell dose and an N/A total: the dose is not counted.",
    explanation=(
        "The reference sheet does this: `Myers cocktail/NAD | 50,000,000 | 1 | N/A`. The row "
        "is consistent (its total says it delivers no cells), so this is information, not a "
        "problem: it tells the reader how celldose understood the row, and that its "
        "50,000,000 is in no total."
    ),
    fix="Nothing to do if the row delivers no cells.",
    bad=(
        "protocol: Back\nadministrations:\n  - route: Myers cocktail/NAD\n    dose: 50,000,000\n"
        "    days: 1\n    total: N/A\n"
    ),
    good=(
        "protocol: Back\nadministrations:\n  - route: Myers cocktail/NAD\n    days: 1\n"
        "    total: N/A\n"
    ),
    check_row=check,
)
