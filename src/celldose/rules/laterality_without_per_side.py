"""CD308: a laterality on a row that is not per side."""

from collections.abc import Iterator

from celldose.diagnostics import Severity
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.vocabulary import has_sides


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    if row.laterality is not None and not row.per_side and has_sides(row.route):
        yield Finding(
            RULE,
            f"laterality {row.laterality.value} on a row that is not per side: its dose and "
            "total already count every side treated",
            ("laterality",),
            "make the row per side ('/per side' or per_side: true), or remove the laterality",
        )


RULE = Rule(
    code="CD308",
    name="laterality-without-per-side",
    severity=Severity.WARNING,
    summary="A laterality on a row whose dose and total are not per side.",
    explanation=(
        "Laterality says how many sides a per-side row treats: bilateral doubles its cells in "
        "the protocol's total. On a row that is not per side the dose and total already count "
        "every side, so the laterality changes nothing, and is probably meant for a per-side row."
    ),
    fix="Make the row per side, or remove the laterality.",
    bad=(
        "protocol: Knees\nadministrations:\n  - route: intra-articular\n    laterality: bilateral\n"
        "    dose: 10 million\n    days: 1\n    total: 10 million\n"
    ),
    good=(
        "protocol: Knees\nadministrations:\n  - route: intra-articular/per side\n"
        "    laterality: bilateral\n    dose: 10 million\n    days: 1\n    total: 10 million\n"
    ),
    check_row=check,
)
