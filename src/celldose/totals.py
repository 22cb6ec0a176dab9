"""Cells over a protocol: each row's dose x days x sides, and their sum.

A per-side row without a laterality treats one side or both: celldose does not guess, so a
protocol's total is given as two readings (every such row on one side, or on both). Rows whose
dose is per kg, or missing, make the total incomplete: no weight is ever assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pint

from celldose.model import Administration, Protocol
from celldose.units.format import unit_name
from celldose.vocabulary import RouteKind, classify


@dataclass(frozen=True, slots=True)
class RowCells:
    row: Administration
    delivers_cells: bool
    per_side: int | None
    """dose x days in cells (one side of a per-side row); None when not computable."""

    @property
    def low(self) -> int | None:
        return None if self.per_side is None else self.per_side * (self.row.sides or 1)

    @property
    def high(self) -> int | None:
        return None if self.per_side is None else self.per_side * (self.row.sides or 2)


@dataclass(slots=True)
class CellSum:
    """Cells over a protocol, added up one row at a time (a sheet's rows are never all kept)."""

    low: int = 0
    """Total cells, each per-side row without a laterality counted on one side."""
    high: int = 0
    """Total cells, each per-side row without a laterality counted on both sides."""
    complete: bool = True
    """Every row that delivers cells has a dose in cells (not per kg, not missing)."""

    def add(self, row: RowCells) -> None:
        if not row.delivers_cells:
            return
        if row.per_side is None:
            self.complete = False
        self.low += row.low or 0
        self.high += row.high or 0


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
    return ProtocolCells(tuple(row_cells(row) for row in protocol.administrations))


def row_cells(row: Administration) -> RowCells:
    delivers = classify(row.route).kind is not RouteKind.ADJUNCT
    dose = row.dose
    computable = isinstance(dose, pint.Quantity) and unit_name(dose.units) == "cell"
    per_side = dose.magnitude * row.days if computable and isinstance(dose, pint.Quantity) else None
    return RowCells(row, delivers, per_side)
