"""Quantities as people read them: ``50,000,000 cells``, ``1,000,000 cells/kg``."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pint
    from pint.facets.plain import PlainUnit

_UNIT_LABELS = {
    "cell": "cells",
    "cell / kilogram": "cells/kg",
    "cell / gram": "cells/g",
    "cell / pound": "cells/lb",
}


@lru_cache(maxsize=64)
def unit_name(unit: PlainUnit) -> str:
    """pint's name of a unit, ``cell / kilogram``; cached, as pint formats it slowly (~18 us)."""
    return str(unit)


def unit_label(unit: PlainUnit) -> str:
    text = unit_name(unit)
    return _UNIT_LABELS.get(text) or f"{unit:~}"


def format_quantity(quantity: pint.Quantity[int], *, grouping: bool = True) -> str:
    """``50,000,000 cells`` (or ``50000000 cells`` without grouping, for machines)."""
    magnitude = quantity.magnitude
    number = f"{magnitude:,}" if grouping and isinstance(magnitude, int) else str(magnitude)
    return f"{number} {unit_label(quantity.units)}"
