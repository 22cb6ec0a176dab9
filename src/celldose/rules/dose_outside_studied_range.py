"""CD401: a dose per injection outside the doses used in published studies of its route."""

from collections.abc import Iterator

import pint

from celldose.diagnostics import Severity
from celldose.dose_ranges import product_class, studied_range, studies
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.format import format_quantity
from celldose.vocabulary import RouteKind, classify

_CLASS_NAMES = {"msc": "MSC", "bmc": "bone-marrow-concentrate"}


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    dose = row.dose
    route = classify(row.route)
    product = row.product or context.product
    if not isinstance(dose, pint.Quantity) or route.kind is not RouteKind.CELLS or not product:
        return
    kind = product_class(product)
    unit = str(dose.units)
    if kind is None or route.canonical is None or unit not in ("cell", "cell / kilogram"):
        return
    per_kg = unit != "cell"
    span = studied_range(route.canonical, kind, per_kg)
    if span is None or span.low <= dose.magnitude <= span.high:
        return
    side = "above" if dose.magnitude > span.high else "below"
    unit_text = "cells/kg" if per_kg else "cells"
    what = f"{route.canonical} {_CLASS_NAMES[kind]}"
    yield Finding(
        RULE.name,
        f"dose {format_quantity(dose)} is {side} the doses of published {what} studies: "
        f"{span.low:,} to {span.high:,} {unit_text} per injection ({len(span.studies)} studies)",
        ("dose",),
        "check the dose against the protocol's source; 'celldose explain CD401' lists the studies",
    )


def _explanation() -> str:
    lines = [
        "A warning that cites its sources, never a medical verdict: the dose per injection lies "
        "outside the span of doses used across published human studies of the same route and "
        "product class (MSC, or bone marrow concentrate, whose counts are total nucleated cells "
        "and are never compared with MSC doses). Doses per kg are compared with per-kg studies "
        "only. Where no study of the route and product class is known (an epidural MSC dose, "
        "a product celldose cannot classify, a row without a product), there is no warning: "
        "the absence of a warning says nothing about a dose. Only studies verified in their "
        "own abstract, label or registry record, or in a review table citing them, are used.",
        "",
        "Studies:",
    ]
    for study in studies():
        unit = "cells/kg" if study.per_kg else "cells"
        span = (
            f"{study.min_cells:,} {unit}"
            if study.min_cells == study.max_cells
            else f"{study.min_cells:,} to {study.max_cells:,} {unit}"
        )
        routes = ", ".join(study.routes)
        lines.append(f"- {routes}, {_CLASS_NAMES[study.product_class]}: {span}. {study.citation}")
    return "\n".join(lines)


RULE = Rule(
    code="CD401",
    name="dose-outside-studied-range",
    severity=Severity.WARNING,
    summary="A dose per injection outside the doses used in published studies of its route.",
    explanation=_explanation(),
    fix="Check the dose against the protocol's source.",
    bad=(
        "protocol: Disc\nproduct: UC-MSC\nadministrations:\n  - route: intradiscal\n"
        "    dose: 100 million cells\n    days: 1\n    total: 100 million cells\n"
    ),
    good=(
        "protocol: Disc\nproduct: UC-MSC\nadministrations:\n  - route: intradiscal\n"
        "    dose: 20 million cells\n    days: 1\n    total: 20 million cells\n"
    ),
    check_row=check,
)
