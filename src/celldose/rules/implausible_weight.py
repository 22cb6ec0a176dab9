"""CD012: a patient_weight outside the weights of people (a slip of units or digits)."""

from collections.abc import Callable, Iterator
from fractions import Fraction

from celldose.diagnostics import Severity
from celldose.model import ProtocolFields
from celldose.rules.base import Finding, Rule
from celldose.totals import CellSum
from celldose.units.exact import kilograms
from celldose.units.format import format_quantity

LIGHTEST_KG = Fraction(2, 10)
"""0.2 kg: the smallest newborns known to survive weighed about 0.21 to 0.26 kg."""
HEAVIEST_KG = 650
"""650 kg: above the heaviest person recorded (about 635 kg)."""


def check(protocol: ProtocolFields, sum_rows: Callable[[], CellSum]) -> Iterator[Finding]:
    weight = protocol.patient_weight
    if weight is None:
        return
    kg = kilograms(weight)
    if kg is None or LIGHTEST_KG <= kg <= HEAVIEST_KG:
        return
    side = "less" if kg < LIGHTEST_KG else "more"
    yield Finding(
        RULE,
        f"patient_weight {format_quantity(weight)} is {side} than any patient weighs "
        f"(celldose expects {float(LIGHTEST_KG)} kg to {HEAVIEST_KG} kg); per-kg doses are "
        "computed from it",
        ("patient_weight",),
        "check the number and its unit (g or kg, lb or kg)",
    )


RULE = Rule(
    code="CD012",
    name="implausible-weight",
    severity=Severity.WARNING,
    summary="A patient_weight below 0.2 kg or above 650 kg.",
    explanation=(
        "A per-kg dose is multiplied by the patient's weight, so a weight written in the wrong "
        "unit (`70 g`, `70000 kg`) or with a slipped decimal point makes every per-kg total "
        "wrong by orders of magnitude, and the arithmetic alone cannot tell. The bounds are "
        "those of people: the smallest newborns known to survive weighed about 0.21 kg, and "
        "the heaviest person recorded about 635 kg. A warning, not an error: the value is a "
        "readable weight (CD205 is for one that is not), only not a plausible one."
    ),
    fix="Check the number and its unit (g or kg, lb or kg).",
    bad=(
        "protocol: GvHD\npatient_weight: 70 g\nadministrations:\n  - route: intravenous\n"
        "    dose: 1 million cells/kg\n    days: 1\n    total: 70,000\n"
    ),
    good=(
        "protocol: GvHD\npatient_weight: 70 kg\nadministrations:\n  - route: intravenous\n"
        "    dose: 1 million cells/kg\n    days: 1\n    total: 70 million\n"
    ),
    check_protocol=check,
)
