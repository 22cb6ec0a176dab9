"""CD309: concentration x volume disagrees with the dose, or with the total."""

from collections.abc import Iterator

import pint

from celldose.diagnostics import Severity
from celldose.doses import cells_text, implied_by_volume
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.format import format_quantity, unit_name


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    implied = implied_by_volume(row)
    if implied is None:
        return
    cells = implied.exact
    dose, total = row.dose, row.total
    if isinstance(dose, pint.Quantity) and unit_name(dose) == "cell":
        if dose.magnitude != cells:
            yield Finding(
                RULE,
                f"dose {format_quantity(dose)} != {implied.how} = {cells_text(cells)}",
                ("dose",),
                "correct the dose, the concentration or the volume: the three must agree",
            )
        return
    if dose is not None:
        return  # a per-kg dose: the volume is not compared with it
    if cells.denominator != 1:
        yield Finding(
            RULE,
            f"{implied.how} = {cells_text(cells)}: not a whole number of cells",
            ("volume",),
            "correct the concentration or the volume",
        )
        return
    if isinstance(total, pint.Quantity) and unit_name(total) == "cell":
        expected = cells * row.injections
        if total.magnitude != expected:
            days = row.course
            yield Finding(
                RULE,
                f"total {format_quantity(total)} != {implied.how} x {days} = "
                f"{cells_text(expected)}",
                ("total",),
                f"make the total {cells_text(expected)}, or correct the concentration, volume "
                "or days",
            )


RULE = Rule(
    code="CD309",
    name="volume-mismatch",
    severity=Severity.ERROR,
    summary="concentration x volume disagrees with the row's dose or total.",
    explanation=(
        "A row may state its dose as a volume and a concentration (`volume: 2 mL`, "
        "`concentration: 25 million cells/mL` is 50,000,000 cells per injection). When a dose "
        "is also written, the three must agree; without a dose, the implied one is checked "
        "against the total (dose x days). Volumes in mL, L and uL are converted exactly."
    ),
    fix="Correct the dose, the concentration or the volume so that they agree.",
    bad=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    volume: 2 mL\n"
        "    concentration: 25 million cells/mL\n    dose: 60 million\n    days: 1\n"
        "    total: 60 million\n"
    ),
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    volume: 2 mL\n"
        "    concentration: 25 million cells/mL\n    dose: 50 million\n    days: 1\n"
        "    total: 50 million\n"
    ),
    check_row=check,
)
