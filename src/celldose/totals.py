"""Cells over a protocol: each row's dose x days x sides, and their sum.

A per-side row without a laterality treats one side or both: celldose does not guess, so a
protocol's total is given as two readings (every such row on one side, or on both). A per-kg
dose counts with the protocol's patient_weight when the product is a whole number of cells;
without a weight (none is ever assumed), or without a dose, the total is incomplete.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pint

from celldose.doses import cells_per_injection
from celldose.model import Administration, Protocol
from celldose.vocabulary import RouteKind, classify


@dataclass(frozen=True, slots=True)
class RowCells:
    row: Administration
    delivers_cells: bool
    per_side: int | None
    """dose x days in cells (one side of a per-side row); None when not computable."""
    span: tuple[int, int] | None = None
    """When a per-kg dose times a weight is not whole: the whole cell counts (one side) in the
    span the weight's written precision allows (154 lb stands for 153.5 to 154.5 lb), as the
    rules accept a written total; None otherwise."""

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
    weight = protocol.patient_weight
    return ProtocolCells(tuple(row_cells(row, weight) for row in protocol.administrations))


def row_cells(row: Administration, weight: pint.Quantity[Any] | None = None) -> RowCells:
    """A row's cells; a per-kg dose counts only with a weight that makes it whole cells."""
    delivers = classify(row.route).kind is not RouteKind.ADJUNCT
    cells = cells_per_injection(row, weight)
    total = cells.exact * row.days if cells is not None else None
    per_side = total.numerator if total is not None and total.denominator == 1 else None
    span = None
    if cells is not None and per_side is None:
        span = (math.ceil(cells.low * row.days), math.floor(cells.high * row.days))
    return RowCells(row, delivers, per_side, span)
