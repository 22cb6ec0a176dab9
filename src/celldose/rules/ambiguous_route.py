"""CD311: a route abbreviation that names more than one route (``IA``)."""

from collections.abc import Iterator

from celldose.diagnostics import Severity, quote
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.vocabulary import RouteKind, classify


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    match = classify(row.route)
    if match.kind is not RouteKind.AMBIGUOUS:
        return
    meanings = " or ".join(match.meanings)
    yield Finding(
        RULE,
        f"route {quote(row.route_name)} may mean {meanings}: it is checked as a row that "
        "delivers cells, with no dose-range comparison, and is not coded in an export",
        ("route",),
        f"write the route out ({', '.join(match.meanings)})",
    )


RULE = Rule(
    code="CD311",
    name="ambiguous-route",
    severity=Severity.WARNING,
    summary="A route abbreviation that names more than one route, such as IA.",
    explanation=(
        "`IA` is intra-articular on clinic sheets and intra-arterial in published tables of "
        "MSC trials: an injection into a joint and one into an artery are different "
        "procedures with different doses. celldose does not choose: the row's arithmetic is "
        "checked, but its dose is compared with no published range and the FHIR export "
        "carries the route as text only, until the route is written out. data/routes.yaml "
        "lists these abbreviations."
    ),
    fix="Write the route out (intra-articular, intra-arterial).",
    bad=(
        "protocol: Knee\nadministrations:\n  - route: IA\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n"
    ),
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n"
    ),
    check_row=check,
)
