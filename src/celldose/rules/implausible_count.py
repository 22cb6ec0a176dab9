"""CD320: a count smaller than any published dose, or one that reads like a lost superscript.

Copying from a PDF drops superscripts: 10^8 becomes ``108``, and ``2 x 10^6/kg`` becomes
``2 x 106/kg`` (refused by the grammar already). A bare ``108 cells`` reads as a number, so
this rule warns where a dose or total counts fewer cells than the smallest dose any study in
celldose's dose ranges used, and names the likely reading when the digits are ``10``
followed by an exponent. It warns and never rewrites: 108 cells may be what was meant.
"""

from collections.abc import Iterator
from functools import cache

import pint

from celldose.diagnostics import Severity
from celldose.dose_ranges import product_class, studies
from celldose.model import Administration
from celldose.rules import dose_outside_studied_range
from celldose.rules.base import Finding, RowContext, Rule
from celldose.units.format import format_quantity, unit_name
from celldose.vocabulary import RouteKind, classify

_BASIS = {"cell": False, "cell / kilogram": True}
MAX_EXPONENT = 30


def check(row: Administration, context: RowContext) -> Iterator[Finding]:
    if classify(row.route).kind is RouteKind.ADJUNCT:
        return
    product = row.product or context.product
    if not product:
        return  # "published doses" are of cell products: a row without one is not compared
    # Published doses speak for a cell product celldose classifies; CD401 already says when
    # a dose is below the studies of its own route.
    compare = product is not None and product_class(product) is not None

    def below_studies() -> bool:  # asked only of a small count: most rows never get here
        found = dose_outside_studied_range.check(row, context)
        return any(" is below " in finding.message for finding in found)

    for field in ("dose", "total"):
        value = getattr(row, field)
        if not isinstance(value, pint.Quantity):
            continue
        per_kg = _BASIS.get(unit_name(value))
        if per_kg is None:
            continue
        smallest = smallest_dose(per_kg)
        count = int(value.magnitude)
        if count >= smallest:
            continue
        shown = format_quantity(value)
        power = lost_power(count)
        if power is None and (not compare or below_studies()):
            continue  # below_studies: CD401 said it of the dose, and the total follows from it
        if power is not None:
            message = (
                f"{field} {shown} is smaller than any published dose; did copying lose a "
                f"superscript ({power})?"
            )
            fix = f"if the source says {power}, write {power}"
        else:
            message = (
                f"{field} {shown} is smaller than any published dose (the smallest is "
                f"{smallest:,} {'cells/kg' if per_kg else 'cells'})"
            )
            fix = "check the number against the protocol's source"
        yield Finding(RULE, message, (field,), fix)
        return  # a total that follows from a dose found small says nothing new


def lost_power(count: int) -> str | None:
    """``10^8`` for 108, ``10^12`` for 1012: the digits of 10 and an exponent, run together."""
    digits = str(count)
    if not digits.startswith("10") or len(digits) not in (3, 4):
        return None
    exponent = int(digits[2:])
    if not 1 <= exponent <= MAX_EXPONENT or digits[2] == "0":
        return None
    return f"10^{exponent}"


@cache
def smallest_dose(per_kg: bool) -> int:
    """The smallest dose per injection of any study celldose knows, per kg or in cells."""
    return min(s.min_cells for s in studies() if s.per_kg == per_kg)


RULE = Rule(
    code="CD320",
    name="implausible-count",
    severity=Severity.WARNING,
    summary="A count smaller than any published dose, or one that reads like a lost superscript.",
    explanation=(
        "Copying from a PDF drops superscripts: 10^8 becomes `108`, a number celldose reads "
        "without complaint. On a row with a product (its own or the protocol's), a dose or "
        "total (in cells, or cells/kg) whose digits are 10 and an exponent (`106`, `108`, "
        "`1012`) and that is below the smallest dose any study in celldose's dose ranges used "
        "is a warning that names the likely reading. For a product celldose classifies (MSC, "
        "bone marrow concentrate), any count below that smallest dose is a warning too, unless "
        "CD401 already says the dose is below the studies of its route. A row without a "
        "product is not compared with published doses. `2 x 107` with "
        "a lost superscript is already refused by the number grammar (a power of ten needs "
        "`^`). The value is never rewritten: the sheet's author decides."
    ),
    fix="Write the power of ten with its caret (10^8), or check the number against its source.",
    bad=(
        "protocol: GvHD\nproduct: Prochymal\nadministrations:\n  - route: intravenous\n"
        "    dose: 108 cells\n    days: 1\n    total: 108 cells\n"
    ),
    good=(
        "protocol: GvHD\nproduct: Prochymal\nadministrations:\n  - route: intravenous\n"
        "    dose: 10^8 cells\n    days: 1\n    total: 10^8 cells\n"
    ),
    check_row=check,
)
