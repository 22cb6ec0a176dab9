"""CD305: a cell total on a non-cell adjunct row."""

from collections.abc import Iterator

import pint

from celldose.cells import non_cell
from celldose.diagnostics import Severity, quote
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.format import format_quantity


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    if not isinstance(row.total, pint.Quantity):
        return
    why = non_cell(row.route, row.product or context.product)
    if why is not None:
        said = (
            f"{quote(row.route)} is {why.text}"
            if why.kind == "adjunct"
            else f"the product {quote(why.name)} holds no cells"
        )
        yield Finding(
            RULE,
            f"{said} but the row's total is {format_quantity(row.total)}",
            ("total",),
            "write N/A if the row delivers no cells; if cells are given in the infusion, give "
            "them a row of their own with route intravenous"
            if why.kind == "adjunct"
            else "write N/A if the row delivers no cells; if it does, name its cell product",
        )


RULE = Rule(
    code="CD305",
    name="adjunct-cell-total",
    severity=Severity.WARNING,
    summary="A non-cell adjunct row (Myers cocktail, NAD+) carries a cell total.",
    explanation=(
        "A Myers' cocktail is a vitamin-and-mineral infusion and NAD+ a coenzyme dosed in mg: "
        "neither contains cells (Gaby AR, Altern Med Rev 2002;7(5):389-403; Grant R et al., "
        "Front Aging Neurosci 2019;11:257). A warning, not an error: clinics do give cells "
        "intravenously in such an infusion, and only the sheet's author knows which is meant. "
        "The row's arithmetic is still checked."
    ),
    fix="Write N/A, or name the cell route the infusion carries.",
    bad=(
        "protocol: Back\nadministrations:\n  - route: Myers cocktail\n    dose: 50,000,000\n"
        "    days: 1\n    total: 50,000,000\n"
    ),
    good=(
        "protocol: Back\nadministrations:\n  - route: Myers cocktail\n    days: 1\n    total: N/A\n"
    ),
    check_row=check,
)
