"""CD401: a dose per injection outside the doses used in published studies of its route."""

from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction

import pint

from celldose.diagnostics import Severity
from celldose.dose_ranges import MIN_STUDIES, product_class, studied_range, studies
from celldose.model import Administration
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.exact import per_kilogram
from celldose.units.format import format_quantity, unit_name
from celldose.units.ranges import QuantityRange
from celldose.vocabulary import RouteKind, classify

_CLASS_NAMES = {"msc": "MSC", "bmc": "bone-marrow-concentrate"}


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    """A range dose is compared at both ends: the low end first, then the high end."""
    if isinstance(row.dose, QuantityRange):
        for name, end in (("low", row.dose.low), ("high", row.dose.high)):
            for found in _check(row.model_copy(update={"dose": end}), context):
                yield replace(found, message=f"the {name} end of the range {found.message}")
                return
        return
    yield from _check(row, context)


def _check(row: Administration, context: RowContext) -> Iterator[Finding]:
    dose = row.dose
    product = row.product or context.product
    if not isinstance(dose, pint.Quantity) or not product:
        return
    route = classify(row.route)
    if route.kind is not RouteKind.CELLS:
        return
    kind = product_class(product)
    unit = unit_name(dose)
    # cells per lb are more cells per kg: per_kilogram divides by the pound's size, exactly.
    rate = per_kilogram(dose)
    if kind is None or route.canonical is None or (unit != "cell" and rate is None):
        return
    per_kg = rate is not None
    value: int | Fraction = rate if rate is not None else dose.magnitude
    span = studied_range(route.canonical, kind, per_kg)
    if span is None or span.low <= value <= span.high:
        return
    side = "above" if value > span.high else "below"
    unit_text = "cells/kg" if per_kg else "cells"
    converted = "" if unit in ("cell", "cell / kilogram") else f" ({float(value):,.0f} cells/kg)"
    what = f"{route.canonical} {_CLASS_NAMES[kind]}"
    count = len(span.studies)
    yield Finding(
        RULE,
        f"dose {format_quantity(dose)}{converted} is {side} the doses of published {what} "
        f"studies: {span.low:,} to {span.high:,} {unit_text} per injection ({count} studies)",
        ("dose",),
        "check the dose against the protocol's source; 'celldose explain CD401' lists the studies",
    )


def _studies() -> str:
    lines = ["Studies:"]
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
    explanation=(
        "A warning that cites its sources, never a medical verdict: the dose per injection lies "
        "outside the span of doses used across published human studies of the same route and "
        "product class (MSC, or bone marrow concentrate, whose counts are total nucleated cells "
        "and are never compared with MSC doses). Doses per kg (or per lb or g, converted exactly "
        f"to per kg) are compared with per-kg studies only. At least {MIN_STUDIES} studies are "
        "needed to make a span: one study's one figure is not a range of practice. Where fewer "
        "are known (an epidural MSC dose, a bone-marrow-concentrate knee dose), for a product "
        "celldose cannot classify and for a row without a product, there is no warning: the "
        "absence of a warning says nothing about a dose. Only studies verified in their own "
        "abstract, label or registry record, or in a review table citing them, are used, and "
        "only figures per injection."
    ),
    details=_studies,
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
