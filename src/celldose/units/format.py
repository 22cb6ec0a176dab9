"""Quantities as people read them: ``50,000,000 cells``, ``1,000,000 cells/kg``."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from celldose.units.memo import by_identity

if TYPE_CHECKING:
    import pint
    from pint.facets.plain import PlainUnit
    from pint.util import UnitsContainer

_UNIT_LABELS = {
    "cell": "cells",
    "cell / kilogram": "cells/kg",
    "cell / gram": "cells/g",
    "cell / pound": "cells/lb",
    "cell / milliliter": "cells/mL",
    "cell / liter": "cells/L",
    "cell / microliter": "cells/uL",
    "nucleated_cell": "nucleated cells",
    "nucleated_cell / kilogram": "nucleated cells/kg",
}


def unit_name(value: pint.Quantity[Any] | PlainUnit) -> str:
    """pint's name of a quantity's (or a unit's) unit: ``cell``, ``cell / kilogram``.

    Rules ask this of every value of every row, so it looks at pint's hashable units container
    (``_units``, on quantities and units alike) rather than building a Unit (``.units``, ~1 us)
    and formatting it (~18 us), and remembers the answer per container.
    """
    return _name(value._units)


@by_identity
def _name(units: UnitsContainer) -> str:
    from celldose.units.registry import registry

    return str(registry().Unit(units))


def unit_label(value: pint.Quantity[Any] | PlainUnit) -> str:
    """``cells/kg``: a unit as people write it."""
    return _UNIT_LABELS.get(unit_name(value)) or _symbol(value._units)


@lru_cache(maxsize=128)
def _symbol(units: UnitsContainer) -> str:
    from celldose.units.registry import registry

    return f"{registry().Unit(units):~}"


MAX_PLACES = 40
"""Decimal places written out exactly; a fraction that needs more is shown as one (1/3)."""


def exact_decimal(value: Fraction, *, grouping: bool = False) -> str | None:
    """``value`` as an exact decimal (``0.000001``, ``69,853,224.98``), or None when it has no
    finite one within :data:`MAX_PLACES` places."""
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    places = max(twos, fives)
    if denominator != 1 or places > MAX_PLACES:
        return None
    whole, rest = divmod(abs(value.numerator) * 10**places // value.denominator, 10**places)
    sign = "-" if value < 0 else ""
    number = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{number}.{rest:0{places}d}" if places else f"{sign}{number}"


def _decimal(value: Fraction) -> str:
    """An exact decimal when the fraction has one (70.5), else a fraction (1/3)."""
    return exact_decimal(value) or str(value)


def format_quantity(quantity: pint.Quantity[int], *, grouping: bool = True) -> str:
    """``50,000,000 cells`` (or ``50000000 cells`` without grouping, for machines)."""
    magnitude = quantity.magnitude
    if isinstance(magnitude, Fraction) and magnitude.denominator != 1:
        number = _decimal(magnitude)  # an exact weight or volume such as 70.5 kg
    elif grouping and isinstance(magnitude, int | Fraction):
        number = f"{int(magnitude):,}"
    else:
        number = str(magnitude)
    return f"{number} {unit_label(quantity)}"
