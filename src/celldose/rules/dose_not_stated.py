"""CD304: a row that delivers cells has no dose."""

from collections.abc import Iterator

from celldose.cells import delivers_cells
from celldose.diagnostics import Severity, quote
from celldose.model import NA, Administration
from celldose.rules.base import Finding, RowContext, Rule


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    if row.has_dose or not delivers_cells(row.route, row.product or context.product):
        return
    if row.dose is None and row.volume is not None and row.concentration is not None:
        return  # concentration x volume states it (CD309 checks it)
    written = "dose is N/A" if row.dose is NA else "no dose"
    yield Finding(
        RULE,
        f"{written} on the {quote(row.route)} row, which delivers cells",
        ("dose",),
        "write the cells per injection: dose: <cells per injection>",
    )


RULE = Rule(
    code="CD304",
    name="dose-not-stated",
    severity=Severity.ERROR,
    summary="A row that delivers cells has no dose.",
    explanation=(
        "Without the dose per injection the total cannot be checked. Reported at the row's "
        "first line. Non-cell rows need no cell dose: adjuncts (Myers cocktail, NAD+) and "
        "products that hold no cells (exosomes, secretome, hyaluronic acid; "
        "data/products.yaml says which)."
    ),
    fix="Write the dose per injection.",
    bad=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    days: 1\n"
        "    total: 50,000,000\n"
    ),
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 50,000,000\n"
        "    days: 1\n    total: 50,000,000\n"
    ),
    check_row=check,
)
