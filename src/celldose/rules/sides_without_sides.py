"""CD310: per side or a laterality on a route that has no sides (intravenous, intrathecal)."""

from collections.abc import Iterator

from celldose.diagnostics import Severity, quote
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.vocabulary import classify, has_sides, split_per_side


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    if not row.per_side and row.laterality is None:
        return
    if has_sides(row.route):
        return
    said = []
    if row.per_side:
        said.append("per side")
    if row.laterality is not None:
        said.append(f"laterality {row.laterality.value}")
    if split_per_side(row.route)[1]:
        pointer: tuple[str, ...] = ("route",)
    elif row.laterality is not None:
        pointer = ("laterality",)
    else:
        pointer = ("per_side",)
    counted = (
        "the row is not doubled: total_cells is accepted with it counted once or twice"
        if row.per_side
        else "the row counts once"
    )
    yield Finding(
        RULE,
        f"{' and '.join(said)} on the {quote(row.route_name)} row, but "
        f"{classify(row.route).canonical} has no sides: {counted}",
        pointer,
        "remove the per-side suffix and the laterality, and write the dose and total the row "
        "delivers",
    )


RULE = Rule(
    code="CD310",
    name="sides-on-route-without-sides",
    severity=Severity.WARNING,
    summary="Per side or a laterality on a route that has no sides (intravenous, intrathecal).",
    explanation=(
        "Per side and laterality count the sides of a paired site: joints, and the routes whose "
        "entry in data/routes.yaml says `sides: true`. An intravenous, intrathecal, intranasal "
        "or intradiscal dose has no sides, so `IV/per side` with `laterality: bilateral` is "
        "most likely a copied suffix; celldose does not double such a row silently: the "
        "protocol's total_cells is accepted with the row counted once or twice, and this "
        "warning asks which is meant."
    ),
    fix="Remove the per-side suffix and the laterality; write the dose the row delivers.",
    bad=(
        "protocol: Infusion\nadministrations:\n  - route: IV/per side\n"
        "    laterality: bilateral\n    dose: 50 million\n    days: 1\n    total: 50 million\n"
    ),
    good=(
        "protocol: Infusion\nadministrations:\n  - route: IV\n    dose: 50 million\n"
        "    days: 1\n    total: 50 million\n"
    ),
    check_row=check,
)
