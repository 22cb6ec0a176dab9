"""Cells over a protocol: each row's dose x days x sides, and their sum.

A per-side row without a laterality treats one side or both: celldose does not guess, so a
protocol's total is given as two readings (every such row on one side, or on both). A per-kg
dose counts with the protocol's patient_weight: exactly where dose x weight is a whole number of
cells, and otherwise as the span the weight's written precision allows (154 lb stands for 153.5
to 154.5 lb), the same span the row check accepts. Without a weight (none is ever assumed), or
without a dose, the total is incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pint

from celldose.cells import delivers_cells
from celldose.doses import PerInjection, cells_per_injection
from celldose.model import Administration, Protocol

Cells = Fraction | int


@dataclass(frozen=True, slots=True)
class RowCells:
    row: Administration
    delivers_cells: bool
    per_side: int | None
    """dose x days in whole cells (one side of a per-side row); None when not whole or not
    computable."""
    cells: PerInjection | None = None
    """Cells per injection, exact or as a span (a per-kg dose with a weight in pounds)."""

    def _sides(self, default: int) -> int:
        return self.row.sides or default

    @property
    def low(self) -> int | None:
        return None if self.per_side is None else self.per_side * self._sides(1)

    @property
    def high(self) -> int | None:
        return None if self.per_side is None else self.per_side * self._sides(2)

    def span(self, default_sides: int) -> tuple[Cells, Cells, Cells] | None:
        """(exact, lowest, highest) cells over the row's days and sides; None if unknown."""
        if self.cells is None:
            return None
        times = self.row.injections * self._sides(default_sides)
        return self.cells.exact * times, self.cells.low * times, self.cells.high * times


@dataclass(slots=True)
class CellSum:
    """Cells over a protocol, added up one row at a time (a sheet's rows are never all kept)."""

    low: Cells = 0
    """Total cells, each per-side row without a laterality counted on one side."""
    high: Cells = 0
    """Total cells, each per-side row without a laterality counted on both sides."""
    complete: bool = True
    """Every row that delivers cells has a dose in cells (not per kg without a weight, not
    missing)."""
    low_min: Cells = 0
    low_max: Cells = 0
    high_min: Cells = 0
    high_max: Cells = 0
    """The spans of the two readings that the weight's written precision allows."""

    def add(self, row: RowCells) -> None:
        if not row.delivers_cells:
            return
        one, both = row.span(1), row.span(2)
        if one is None or both is None:
            self.complete = False
            return
        self.low += one[0]
        self.low_min += one[1]
        self.low_max += one[2]
        self.high += both[0]
        self.high_min += both[1]
        self.high_max += both[2]

    @property
    def whole(self) -> bool:
        """Both readings are exact whole numbers of cells (no weight-precision span)."""
        exact = self.low_min == self.low_max and self.high_min == self.high_max
        return exact and Fraction(self.low).denominator == 1 == Fraction(self.high).denominator

    def accepts(self, written: int) -> bool:
        if self.whole:
            return written in (self.low, self.high)
        return self.low_min <= written <= self.low_max or self.high_min <= written <= self.high_max


@dataclass(frozen=True, slots=True)
class ProtocolCells:
    rows: tuple[RowCells, ...]

    @property
    def sum(self) -> CellSum:
        total = CellSum()
        for row in self.rows:
            total.add(row)
        return total


def protocol_cells(protocol: Protocol) -> ProtocolCells:
    weight, product = protocol.patient_weight, protocol.product
    return ProtocolCells(tuple(row_cells(r, weight, product) for r in protocol.administrations))


def row_cells(
    row: Administration, weight: pint.Quantity[Any] | None = None, product: str | None = None
) -> RowCells:
    """A row's cells; ``product`` is the protocol's, for a row that names none."""
    delivers = delivers_cells(row.route, row.product or product)
    cells = cells_per_injection(row, weight)
    total = cells.exact * row.injections if cells is not None else None
    per_side = total.numerator if total is not None and total.denominator == 1 else None
    return RowCells(row, delivers, per_side, cells)
