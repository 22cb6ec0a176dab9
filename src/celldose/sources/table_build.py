"""Rows of a document's table (a web page's ``<table>``, a Word table) laid out as a grid.

A cell may span columns (``colspan``, Word's ``gridSpan``) or rows (``rowspan``, ``vMerge``).
Its value stands in its first position; every position it covers is a cell without a value
that says which cell covers it (reported as CD008 when a column the protocol reads falls
there), as a workbook's merged cells are. So a spanning cell never shifts a value into the
next column, and a covered value is never read as empty or copied as a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from celldose.diagnostics import Span
from celldose.rules import reading
from celldose.sources.csv_source import MAX_COLUMNS
from celldose.sources.problems import SourceProblem
from celldose.sources.sheet import Cell, Row

_POWER_BASE = re.compile(r"10\s*$")
_EXPONENT = re.compile(r"[+\-\u2212]?\d{1,3}")


def raised(before: str, superscript: str) -> str:
    """Text followed by a superscript, as a copy should have kept it: after 10 a power of ten
    (``5 x 10`` and ``7`` are ``5 x 10^7``), elsewhere the superscript's text as it stands."""
    if _POWER_BASE.search(before) and _EXPONENT.fullmatch(superscript.strip()):
        return before.rstrip() + "^" + superscript.strip()
    return before + superscript


MAX_SPAN = 1000
"""Rows a cell may span (browsers cap rowspan at 65,534); the positions it covers in rows that
exist are all a table holds."""


@dataclass(slots=True)
class TableBuilder:
    """Collects a table's cells row by row; :attr:`rows` is the grid. At most
    :data:`MAX_COLUMNS` positions of a row are kept, however wide the table claims to be."""

    rows: list[Row] = field(default_factory=list)
    _row: dict[int, Cell] = field(default_factory=dict)
    _width: int = 0
    """The next position of the current row."""
    _below: dict[int, tuple[int, str, Span | None]] = field(default_factory=dict)
    """Positions covered by a cell above: rows left to cover, and what covers them."""
    _cut: bool = False
    locate: Callable[[int, int], tuple[str, Span]] | None = None
    """Names a position (row and column, from 1) when the format names cells (Word's
    ``table 1, row 3, cell 2``): a covered position is then reported as itself."""
    _number: int = 1
    """The current row's number, from 1."""

    def cell(
        self,
        text: str,
        where: Span | None,
        *,
        colspan: int = 1,
        rowspan: int = 1,
        ref: str | None = None,
    ) -> None:
        """The next cell of the current row."""
        column = self._next_free()
        colspan = max(1, min(colspan, MAX_COLUMNS))
        rowspan = max(1, min(rowspan, MAX_SPAN))
        name = ref or "the cell"
        self._store(column, Cell(text, where, ref=ref))
        if colspan > 1:
            across = f"covered by {name} spanning {colspan} columns; only its first holds a value"
            for offset in range(1, colspan):
                at_ref, at = ref, where
                if self.locate is not None:
                    at_ref, at = self.locate(self._number, column + offset + 1)
                self._store(column + offset, Cell("", at, ref=at_ref, problem=across))
        self._width = column + colspan
        if rowspan > 1:
            down = f"covered by {name} spanning {rowspan} rows; only its first holds a value"
            for offset in range(colspan):  # this row counts as one: end_row counts it down
                if column + offset < MAX_COLUMNS:
                    self._below[column + offset] = (rowspan, down, where)

    def unreadable(self, problem: str, where: Span | None, ref: str | None = None) -> None:
        """A cell without a value the reader can give, and why (covered by Word's ``vMerge``,
        or holding a nested table)."""
        column = self._next_free()
        self._store(column, Cell("", where, ref=ref, problem=problem))
        self._width = column + 1

    def end_row(self, where: Span | None) -> None:
        for column in sorted(self._below):
            if column >= self._width:
                self._store(column, self._covered_from_above(column))
        if self._row:
            if self._width > MAX_COLUMNS and not self._cut:
                self._cut = True
                self.rows.append(
                    SourceProblem(
                        reading.INPUT_LIMIT,
                        f"a table row of {self._width} cells; only the first {MAX_COLUMNS} "
                        "are read",
                        where,
                    )
                )
            last = max(self._row) + 1
            self.rows.append([self._row.get(c) or Cell("", where) for c in range(last)])
        self._row, self._width = {}, 0
        self._number += 1
        self._below = {c: (n - 1, why, at) for c, (n, why, at) in self._below.items() if n > 1}

    def _next_free(self) -> int:
        column = self._width
        while column in self._below:
            self._store(column, self._covered_from_above(column))
            column += 1
        return column

    def _covered_from_above(self, column: int) -> Cell:
        _, why, where = self._below[column]
        return Cell("", where, problem=why)

    def _store(self, column: int, cell: Cell) -> None:
        if column < MAX_COLUMNS:
            self._row[column] = cell
