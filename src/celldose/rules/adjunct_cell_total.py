"""CD305: a cell total on a non-cell adjunct row."""

from collections.abc import Iterator

import pint

from celldose.diagnostics import Severity, quote
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.format import format_quantity
from celldose.vocabulary import RouteKind, classify


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    match = classify(row.route)
    if match.kind is RouteKind.ADJUNCT and isinstance(row.total, pint.Quantity):
        yield Finding(
            RULE,
            f"{quote(row.route)} is a non-cell adjunct ({match.canonical}) but the row's total is "
            f"{format_quantity(row.total)}",
            ("total",),
            "write N/A if the row delivers no cells; if cells are given in the infusion, give "
            "them a row of their own with route intravenous",
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
