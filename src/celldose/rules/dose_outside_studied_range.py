"""CD401: a dose per injection outside the doses used in published studies of its route."""

from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction

import pint

from celldose.diagnostics import Severity
from celldose.dose_ranges import (
    MIN_STUDIES,
    Study,
    msc_source,
    product_class,
    studied_range,
    studies,
)
from celldose.doses import cells_text, implied_by_volume
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
    product = row.product or context.product
    if not product:
        return
    route = classify(row.route)
    if route.kind is not RouteKind.CELLS or route.canonical is None:
        return
    kind = product_class(product)
    if kind is None:
        return
    dose, implied = row.dose, None
    if dose is None:
        implied = implied_by_volume(row)  # volume x concentration states the dose
        if implied is None:
            return
        value: int | Fraction = implied.exact
        per_kg, head = False, f"the dose {cells_text(implied.exact)} ({implied.how})"
    elif isinstance(dose, pint.Quantity):
        unit = unit_name(dose)
        # cells per lb are more cells per kg: per_kilogram divides by the pound's size, exactly.
        rate = per_kilogram(dose)
        if unit != "cell" and rate is None:
            return
        per_kg = rate is not None
        value = rate if rate is not None else dose.magnitude
        head = ""  # written below, for a dose found outside: most doses are inside
    else:
        return
    span = studied_range(route.canonical, kind, per_kg)
    if span is None or span.low <= value <= span.high:
        return
    if isinstance(dose, pint.Quantity):
        converted = (
            ""
            if unit_name(dose) in ("cell", "cell / kilogram")
            else f" ({float(value):,.0f} cells/kg)"
        )
        head = f"dose {format_quantity(dose)}{converted}"
    above = value > span.high
    bound = span.high if above else span.low
    setters = [s for s in span.studies if (s.max_cells if above else s.min_cells) == bound]
    unit_text = "cells/kg" if per_kg else "cells"
    what = f"{route.canonical} {_CLASS_NAMES[kind]}"
    parts = [
        f"{head} is "
        f"{'above' if above else 'below'} the published doses of {what} studies: "
        f"{span.low:,} to {span.high:,} {unit_text} per injection ({len(span.studies)} studies); "
        f"the {'highest' if above else 'lowest'} is {_names(setters)}"
    ]
    planned = [s for s in span.studies if s.planned and s not in setters]
    if planned:
        parts.append(f"the span includes {_names(planned)}")
    parts.extend(_provenance(route.canonical, route.site, product, kind, span.studies))
    yield Finding(
        RULE,
        "; ".join(parts),
        ("dose",) if implied is None else ("concentration",),
        "check the dose against the protocol's source; 'celldose explain CD401' lists the studies",
    )


_MAX_NAMED = 3


def _names(studies: list[Study]) -> str:
    named = [s.named for s in studies[:_MAX_NAMED]]
    more = len(studies) - _MAX_NAMED
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def _provenance(
    route: str, site: str | None, product: str, kind: str, found: tuple[Study, ...]
) -> Iterator[str]:
    """Where the range comes from, when it is not the row's own joint or cell source."""
    studied = {joint for s in found for joint in s.sites}
    if site is not None and studied and site not in studied:
        joints = _and(sorted(j.removesuffix(" joint") for j in studied))
        yield f"the published {route} doses are from {joints} studies only, not the {site}"
    own = msc_source(product) if kind == "msc" else None
    sources = {source for s in found for source in s.sources} - {"unstated"}
    if own is not None and sources and own not in sources:
        others = _and([_SOURCE_NAMES.get(x, x) for x in sorted(sources)])
        yield (
            f"no {_SOURCE_NAMES.get(own, own)} MSC study of {route} use; compared with "
            f"{others} MSC studies"
        )


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


_SOURCE_NAMES = {
    "umbilical-cord": "umbilical-cord",
    "bone-marrow": "bone-marrow",
    "adipose": "adipose",
    "placenta": "placental",
    "precursor": "mesenchymal-precursor-cell",
}


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
        "A warning that cites its sources, never a medical verdict: the dose per injection (as "
        "written, or implied by volume x concentration) lies outside the span of published "
        "doses across human studies of the same route and "
        "product class (MSC, or bone marrow concentrate, whose counts are total nucleated cells "
        "and are never compared with MSC doses). Doses per kg (or per lb or g, converted exactly "
        f"to per kg) are compared with per-kg studies only. At least {MIN_STUDIES} studies are "
        "needed to make a span: one study's one figure is not a range of practice. Where fewer "
        "are known (an epidural MSC dose, a bone-marrow-concentrate knee dose), for a product "
        "celldose cannot classify and for a row without a product, there is no warning: the "
        "absence of a warning says nothing about a dose. Only studies verified in their own "
        "abstract, label or registry record, or in a review table citing them, are used, and "
        "only figures per injection. The message names the study that sets the exceeded bound "
        "(first author and year), says when a figure is a registry record's planned dose "
        "rather than a published result, when the range comes from other joints (the "
        "intra-articular studies are all of the knee) and when no study of the row's own MSC "
        "source (umbilical cord, bone marrow, adipose tissue, placenta, precursor cells) exists "
        "for the route: the sources are pooled."
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
