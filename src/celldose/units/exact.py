"""Exact conversions between the units protocols use, as fractions: never pint's floats.

The pound is exactly 0.45359237 kg (the international yard and pound agreement, 1959), so a
weight of 154 lb is exactly 69.85322498 kg, and a dose per kg times it is an exact number.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pint

from celldose.units.format import unit_name

_KILOGRAMS = {
    "kilogram": Fraction(1),
    "gram": Fraction(1, 1000),
    "milligram": Fraction(1, 10**6),
    "microgram": Fraction(1, 10**9),
    "pound": Fraction(45359237, 10**8),
}
_MILLILITERS = {"milliliter": Fraction(1), "liter": Fraction(1000), "microliter": Fraction(1, 1000)}


def kilograms(weight: pint.Quantity[Any]) -> Fraction | None:
    factor = _KILOGRAMS.get(unit_name(weight))
    return None if factor is None else Fraction(weight.magnitude) * factor


def milliliters(volume: pint.Quantity[Any]) -> Fraction | None:
    factor = _MILLILITERS.get(unit_name(volume))
    return None if factor is None else Fraction(volume.magnitude) * factor


def per_kilogram(dose: pint.Quantity[Any]) -> Fraction | None:
    """Cells per kilogram of a dose per mass (``1 million cells/lb``); None for other units."""
    return _cells_per(dose, _KILOGRAMS)


def per_milliliter(concentration: pint.Quantity[Any]) -> Fraction | None:
    """Cells per millilitre of a concentration (``25 million cells/uL``); None otherwise."""
    return _cells_per(concentration, _MILLILITERS)


def _cells_per(quantity: pint.Quantity[Any], factors: dict[str, Fraction]) -> Fraction | None:
    name = unit_name(quantity)
    if not name.startswith("cell / "):
        return None
    factor = factors.get(name.removeprefix("cell / "))
    return None if factor is None else Fraction(quantity.magnitude) / factor


def half_step(value: Fraction) -> Fraction:
    """Half a unit of the last digit a value is written to: 154 -> 1/2, 70.5 -> 1/20.

    A measured value written as 154 lb stands for anything from 153.5 to 154.5 lb.
    """
    places = 0
    while (value * 10**places).denominator != 1 and places < 12:
        places += 1
    return Fraction(1, 2 * 10**places)
