"""CD303: a row that delivers cells has no total, or says N/A."""

from collections.abc import Iterator

from celldose.cells import delivers_cells
from celldose.diagnostics import Severity, quote
from celldose.model import NA, Administration
from celldose.rules.base import Finding, FixSafety, RowContext, Rule
from celldose.units.format import format_quantity


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    if row.has_total or not delivers_cells(row.route, row.product or context.product):
        return
    expected = row.expected_total
    fix = (
        f"write the total: {format_quantity(expected)}"
        if expected is not None
        else "write the total"
    )
    if row.total is NA:
        yield Finding(
            RULE,
            f"total is N/A on the {quote(row.route)} row, which delivers cells",
            ("total",),
            fix,
        )
    else:
        yield Finding(
            RULE,
            f"no total on the {quote(row.route)} row, which delivers cells",
            ("total",),
            fix,
        )


RULE = Rule(
    code="CD303",
    name="total-not-stated",
    severity=Severity.ERROR,
    summary="A row that delivers cells has no total, or its total is N/A.",
    explanation=(
        "An error, not a warning: the total is the number a person preparing cells reads, "
        "and leaving it out turns every preparation into mental arithmetic, the mistake this "
        "tool exists to catch. N/A on a cell row is usually a copy of an adjunct row. Rows "
        "whose route is a non-cell adjunct (Myers cocktail, NAD+), or whose product holds no cells "
        "(exosomes, secretome, hyaluronic acid), may say N/A."
    ),
    fix="Write the total: dose x days.",
    fix_safety=FixSafety.SAFE,
    bad=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 50,000,000\n"
        "    days: 1\n    total: N/A\n"
    ),
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 50,000,000\n"
        "    days: 1\n    total: 50,000,000\n"
    ),
    check_row=check,
)
