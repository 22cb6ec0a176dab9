"""Cells per injection, however a row states them: a count, per kg with the patient's weight,
or a concentration times a volume.

A per-kg dose times a weight is exact, but rarely whole: 1 million cells/kg x 154 lb is
69,853,224.98 cells. A weight is a measurement written to some precision (154 lb stands for
153.5 to 154.5 lb), so where the exact product is not a whole number of cells, a written total
is accepted anywhere in the span that precision allows, and the message gives that span. Where
the product is whole (70 kg), the total must equal it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pint

from celldose.model import Administration
from celldose.units.exact import half_step, kilograms, milliliters, per_kilogram, per_milliliter
from celldose.units.format import exact_decimal, format_quantity, unit_name


@dataclass(frozen=True, slots=True)
class PerInjection:
    exact: Fraction | int
    """Cells per injection (per side on a per-side row), exactly."""
    low: Fraction | int
    high: Fraction | int
    """The span the weight's written precision allows; both equal ``exact`` otherwise."""
    parts: tuple[tuple[str, pint.Quantity[Any]], ...]
    """What it was computed from, named: ``(("dose", 1 million cells/kg), ("patient_weight",
    70 kg))``; formatted only when a message needs it."""

    @property
    def how(self) -> str:
        """``dose 1,000,000 cells/kg x patient_weight 70 kg``, for a message."""
        return " x ".join(f"{name} {format_quantity(value)}" for name, value in self.parts)

    @property
    def whole(self) -> bool:
        """True when the cells per injection are a whole number: then totals are exact."""
        return self.exact.denominator == 1

    def accepts(self, total: int, days: int) -> bool:
        if self.whole:
            return total == self.exact * days
        return self.low * days <= total <= self.high * days


def per_kg_with_weight(
    row: Administration, weight: pint.Quantity[Any] | None
) -> PerInjection | None:
    """The cells of a per-mass dose given the patient's weight; None if either is missing."""
    dose = row.cell_dose
    if weight is None or dose is None:
        return None
    rate, kg = per_kilogram(dose), kilograms(weight)
    if rate is None or kg is None:
        return None
    half = half_step(Fraction(weight.magnitude)) * (kg / Fraction(weight.magnitude))
    parts = (("dose", dose), ("patient_weight", weight))
    return PerInjection(rate * kg, rate * (kg - half), rate * (kg + half), parts)


def implied_by_volume(row: Administration) -> PerInjection | None:
    """concentration x volume, when the row gives both in units celldose converts exactly."""
    if row.volume is None or row.concentration is None:
        return None
    rate, ml = per_milliliter(row.concentration), milliliters(row.volume)
    if rate is None or ml is None:
        return None
    cells = rate * ml
    parts = (("concentration", row.concentration), ("volume", row.volume))
    return PerInjection(cells, cells, cells, parts)


def cells_per_injection(
    row: Administration, weight: pint.Quantity[Any] | None
) -> PerInjection | None:
    """The row's cells per injection from its dose, or from its weight or volume."""
    dose = row.dose
    if isinstance(dose, pint.Quantity) and unit_name(dose) == "cell":
        cells: int = dose.magnitude  # an int: a Fraction would cost a microsecond per row
        return PerInjection(cells, cells, cells, (("dose", dose),))
    if isinstance(dose, pint.Quantity):
        return per_kg_with_weight(row, weight)
    return implied_by_volume(row) if dose is None else None


def cells_text(value: Fraction | int) -> str:
    """``70,000,000 cells``, ``69,853,224.98 cells`` and ``0.000001 cells`` exactly; a value
    without a finite decimal is shown to two decimals, or below one cell to three significant
    digits (``about 0.000333 cells``), never as ``0.00``."""
    if value.denominator == 1:
        return f"{value.numerator:,} cells"
    fraction = Fraction(value)
    exact = exact_decimal(fraction, grouping=True)
    if exact is not None:
        return f"{exact} cells"
    if abs(fraction) >= 1:
        whole = round(fraction * 100)
        return f"about {whole // 100:,}.{whole % 100:02d} cells"
    places = 2
    while abs(fraction) * 10**places < 100:  # three significant digits
        places += 1
    return f"about {exact_decimal(Fraction(round(fraction * 10**places), 10**places))} cells"
