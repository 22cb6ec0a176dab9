"""CD307: a route celldose does not know."""

from collections.abc import Iterator

from celldose.diagnostics import Severity, quote
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.vocabulary import RouteKind, classify


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    if classify(row.route).kind is RouteKind.UNKNOWN:
        yield Finding(
            RULE,
            f"unknown route {quote(row.route_name)}: treated as a route that delivers cells",
            ("route",),
            "use a known route name (intra-articular, intradiscal, epidural, periarticular, "
            "intravenous, ...), or check the spelling",
        )


RULE = Rule(
    code="CD307",
    name="unknown-route",
    severity=Severity.WARNING,
    summary="The route is not in celldose's vocabulary of routes and adjuncts.",
    explanation=(
        "Routes are matched, ignoring case, spacing, hyphens and a per-side suffix, against the "
        "names in celldose's data/routes.yaml. An unknown route is a warning, not an error: "
        "the row is still checked as a row that delivers cells."
    ),
    fix="Use a known route name, or check the spelling.",
    bad=(
        "protocol: Knee\nadministrations:\n  - route: intra-artcular\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n"
    ),
    good=(
        "protocol: Knee\nadministrations:\n  - route: intra-articular\n    dose: 10 million\n"
        "    days: 1\n    total: 10 million\n"
    ),
    check_row=check,
)
