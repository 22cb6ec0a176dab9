"""The cell stream: a worksheet's rows, read once, each cell dropped as soon as it is read.

Worksheets are streamed with ``iterparse``, so memory does not grow with the number of rows.
Only rows present in the XML are produced: the lone cell at ``XFD1048576`` is one row, read at
once. Only the first :data:`MAX_COLUMNS` columns are read; later non-empty cells are counted and
the first one is reported (:attr:`XSheet.beyond_columns`) so the caller can say so. A
:class:`XSheet` re-opens the file when its rows are read and checks that the worksheet part is
still the one that was measured (same CRC-32 and sizes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from xml.etree.ElementTree import Element

from celldose.sources.xlsx.archive import (
    READ_ERRORS,
    ArchiveError,
    PartStream,
    as_archive_error,
    events,
    open_archive,
)
from celldose.sources.xlsx.merged import Merged
from celldose.sources.xlsx.package import (
    WORKBOOK_LIMITS,
    Styles,
    int_attr,
    rich_text,
    ss,
    unescape,
)
from celldose.sources.xlsx.refs import EXCEL_MAX_COLUMN, EXCEL_MAX_ROW, column_letter, ref_in

__all__ = ["MAX_COLUMNS", "CellKind", "SheetSource", "XCell", "XRow", "XSheet"]

MAX_COLUMNS: int = 64
"""Cells beyond this column (BL) are not read; :attr:`XSheet.beyond_columns` reports them."""

_WORKSHEET = ss("worksheet")
_SHEET_DATA = ss("sheetData")
_ROW = ss("row")
_CELL = ss("c")
_VALUE = ss("v")
_FORMULA = ss("f")
_INLINE = ss("is")


class CellKind(StrEnum):
    """What a cell holds."""

    TEXT = "text"
    """A string: shared string, inline string, or the string result of a formula."""
    NUMBER = "number"
    """A number whose style is not a date format."""
    BOOL = "bool"
    ERROR = "error"
    """An error value such as ``#DIV/0!``."""
    DATE = "date"
    """A number with a date/time format (the serial number as text), or an ISO date (``t="d"``)."""
    NO_VALUE = "no-value"
    """A formula without a saved value (written by a program that does not calculate)."""


@dataclass(frozen=True, slots=True)
class XCell:
    """One non-empty cell, as stored.

    ``text`` is the value as written in the file: strings as stored, numbers exactly as in
    ``<v>`` (``"5E7"`` stays ``"5E7"``), booleans ``"TRUE"``/``"FALSE"``, errors such as
    ``"#DIV/0!"``, and ``""`` for :attr:`CellKind.NO_VALUE`. ``formula`` is ``"=B2*C2"`` when the
    cell has a formula; a cell that shares its master's formula has ``"(shared formula)"``.
    """

    row: int
    column: int
    kind: CellKind
    text: str
    formula: str | None = None
    number_format: str | None = None
    """The number format code of a number cell, unless it is ``General`` (or a date format)."""

    @property
    def ref(self) -> str:
        """The A1-style reference, e.g. ``"D3"``."""
        return f"{column_letter(self.column)}{self.row}"


@dataclass(frozen=True, slots=True)
class XRow:
    """A row present in the XML: its number, its non-empty cells by column, whether it is hidden."""

    number: int
    cells: list[XCell]
    hidden: bool = False


@dataclass(eq=False, slots=True)
class SheetSource:
    """Where a sheet's rows come from, and what streaming them found (mutable, private)."""

    path: Path | bytes
    """The file, or its bytes (a workbook read from standard input)."""
    part: str
    crc: int
    file_size: int
    compress_size: int
    shared_strings: tuple[str, ...]
    styles: Styles
    beyond_columns: str | None = None
    beyond_columns_count: int = 0


@dataclass(frozen=True, slots=True)
class XSheet:
    """One worksheet, in workbook order.

    ``merged`` holds the merged ranges as ``(min_row, min_col, max_row, max_col)``, 1-based and
    inclusive, sorted (the order in the file means nothing). ``state`` is ``"visible"``,
    ``"hidden"`` or ``"veryHidden"``; ``date1904`` is true when the workbook counts date serial
    numbers from 1904 (it matters for :attr:`CellKind.DATE`).
    """

    name: str
    merged: Merged
    state: str = "visible"
    date1904: bool = False
    _source: SheetSource | None = field(default=None, repr=False, compare=False)

    def rows(self) -> Iterator[tuple[int, list[XCell]]]:
        """Stream the rows present in the XML, each with its non-empty cells sorted by column.

        Rows come in sheet order, with no padding: a lone cell at ``XFD1048576`` is one row. A
        row is produced when it has at least one non-empty cell, even if all of them lie beyond
        :data:`MAX_COLUMNS` (its list is then empty). Cells beyond that column are left out and
        counted: once the rows are exhausted, :attr:`beyond_columns` names the first of them.
        Raises :class:`ArchiveError` if the part is malformed (possibly after some rows).
        """
        return ((row.number, row.cells) for row in self.read_rows())

    def read_rows(self) -> Iterator[XRow]:
        """:meth:`rows`, each with whether the row is hidden (``<row hidden="1">``)."""
        if self._source is None:
            return iter(())
        return _stream_rows(self._source)

    @property
    def hidden(self) -> bool:
        """Whether a spreadsheet program shows the sheet's tab (``hidden`` or ``veryHidden``)."""
        return self.state in ("hidden", "veryHidden")

    @property
    def beyond_columns(self) -> str | None:
        """The first non-empty cell beyond :data:`MAX_COLUMNS` seen by the last :meth:`rows`.

        ``None`` if there was none (or the rows have not been read yet). Use it for a message
        like "cells beyond column BL are not read (first: XFD1048576)".
        """
        return None if self._source is None else self._source.beyond_columns

    @property
    def beyond_columns_count(self) -> int:
        """How many non-empty cells beyond :data:`MAX_COLUMNS` the last :meth:`rows` skipped."""
        return 0 if self._source is None else self._source.beyond_columns_count


# --- rows --------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _formula_text(formula: Element | None) -> str | None:
    if formula is None:
        return None
    if formula.text:
        return "=" + formula.text
    kind = formula.get("t", "normal")
    if kind == "shared":
        return "(shared formula)"
    if kind == "dataTable":
        return "(data table)"
    return "="


def _read_cell(elem: Element, row: int, column: int, source: SheetSource) -> XCell | None:
    """The cell ``elem`` at (row, column), or None when it is empty (no value, no formula)."""
    part = source.part
    value_elem = formula_elem = inline = None
    for child in elem:
        if child.tag in _VALUE:
            value_elem = child
        elif child.tag in _FORMULA:
            formula_elem = child
        elif child.tag in _INLINE:
            inline = child
    formula = _formula_text(formula_elem)
    kind = elem.get("t", "n")
    raw = None if value_elem is None else (value_elem.text or "")
    if kind == "inlineStr" and inline is not None:
        return XCell(row, column, CellKind.TEXT, rich_text(inline), formula)
    if kind in ("str", "inlineStr"):  # an empty string result is still a value
        if raw is None:
            return None if formula is None else XCell(row, column, CellKind.NO_VALUE, "", formula)
        return XCell(row, column, CellKind.TEXT, unescape(raw), formula)
    raw = raw.strip() if raw else None
    if raw is None:
        return None if formula is None else XCell(row, column, CellKind.NO_VALUE, "", formula)
    cell_kind, text = _typed_value(elem, kind, raw, row, column, source)
    if cell_kind is CellKind.NUMBER and source.styles.formats and elem.get("s") is not None:
        style = int_attr(elem.get("s"), 0, f"style of cell {column_letter(column)}{row}", part)
        return XCell(row, column, cell_kind, text, formula, source.styles.formats.get(style))
    return XCell(row, column, cell_kind, text, formula)


def _typed_value(
    elem: Element, kind: str, raw: str, row: int, column: int, source: SheetSource
) -> tuple[CellKind, str]:
    """The kind and text of a non-string cell whose ``<v>`` holds ``raw`` (not empty)."""
    if kind == "n":
        if not _NUMBER.fullmatch(raw):
            ref = f"{column_letter(column)}{row}"
            raise ArchiveError(f"cell {ref} of {source.part} holds {raw[:40]!r}, not a number")
        style_attr = elem.get("s")
        if style_attr is None or not source.styles.dates:
            return CellKind.NUMBER, raw
        ref = f"{column_letter(column)}{row}"
        style = int_attr(style_attr, 0, f"style of cell {ref}", source.part)
        return (CellKind.DATE if style in source.styles.dates else CellKind.NUMBER), raw
    ref = f"{column_letter(column)}{row}"
    if kind == "s":
        index = int_attr(raw, 0, f"shared-string index of cell {ref}", source.part)
        if index >= len(source.shared_strings):
            raise ArchiveError(
                f"cell {ref} of {source.part} refers to shared string {index}, "
                f"but the workbook has {len(source.shared_strings)}"
            )
        return CellKind.TEXT, source.shared_strings[index]
    if kind == "b":
        flag = {"1": "TRUE", "0": "FALSE", "true": "TRUE", "false": "FALSE"}.get(raw.lower())
        if flag is None:
            raise ArchiveError(f"cell {ref} of {source.part} holds {raw[:40]!r}, not a boolean")
        return CellKind.BOOL, flag
    if kind == "e":
        return CellKind.ERROR, raw
    if kind == "d":
        return CellKind.DATE, raw
    raise ArchiveError(f"cell {ref} of {source.part} has unknown type {kind[:20]!r}")


def _row_number(value: str | None, last: int, part: str) -> int:
    if value is None:
        number = last + 1
    else:
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 7:
            raise ArchiveError(f"bad row number {value[:20]!r} in {part}")
        number = int(text)
    if not 1 <= number <= EXCEL_MAX_ROW:
        raise ArchiveError(f"row {number} in {part} is outside 1 to {EXCEL_MAX_ROW}")
    if number <= last:
        raise ArchiveError(f"row {number} comes after row {last} in {part}; rows must be in order")
    return number


def _stream_rows(source: SheetSource) -> Iterator[XRow]:
    source.beyond_columns = None
    source.beyond_columns_count = 0
    part = source.part
    try:
        with open_archive(source.path, WORKBOOK_LIMITS) as archive:
            info = archive.find(part)
            measured = (source.crc, source.file_size, source.compress_size)
            if info is None or (info.CRC, info.file_size, info.compress_size) != measured:
                raise ArchiveError(f"the workbook changed while it was being read ({part})")
            with archive.open(info, part) as stream:
                yield from _parse_rows(stream, source)
    except ArchiveError:
        raise
    except READ_ERRORS as exc:
        raise as_archive_error(exc, part, WORKBOOK_LIMITS.noun) from exc


def _parse_rows(stream: PartStream, source: SheetSource) -> Iterator[XRow]:
    """The main pass: ``<worksheet><sheetData><row><c>``, each cell dropped once read."""
    part = source.part
    stack: list[Element] = []
    row_elem: Element | None = None
    row = last_row = 0
    next_column = 1
    cells: dict[int, XCell] = {}
    row_beyond = hidden = False
    for event, elem in events(stream, part, ("start", "end"), WORKBOOK_LIMITS.noun):
        if event == "start":
            if not stack and elem.tag not in _WORKSHEET:
                raise ArchiveError(f"{part} is not a worksheet")
            stack.append(elem)
            if len(stack) == 3 and elem.tag in _ROW and stack[1].tag in _SHEET_DATA:
                row_elem = elem
                row = _row_number(elem.get("r"), last_row, part)
                hidden = elem.get("hidden", "").strip().lower() in ("1", "true")
                next_column, cells, row_beyond = 1, {}, False
            continue
        stack.pop()
        if row_elem is None:  # outside rows nothing is kept: drop the finished element
            if stack:
                del stack[-1][:]
        elif elem is row_elem:
            row_elem = None
            last_row = row
            if cells or row_beyond:
                yield XRow(row, [cells[column] for column in sorted(cells)], hidden)
            del stack[-1][:]
        elif stack[-1] is row_elem:  # a child of the row, complete with its own children
            if elem.tag in _CELL:
                next_column, beyond = _take_cell(elem, row, next_column, cells, source)
                row_beyond = row_beyond or beyond
            del row_elem[:]
        # else: inside a cell, kept until the cell ends


def _take_cell(
    elem: Element, row: int, next_column: int, cells: dict[int, XCell], source: SheetSource
) -> tuple[int, bool]:
    """Read a ``<c>`` into ``cells``; return the next column and whether it lay beyond the limit."""
    part = source.part
    ref = elem.get("r")
    if ref is None:
        column = next_column
        if column > EXCEL_MAX_COLUMN:
            raise ArchiveError(f"row {row} of {part} has cells beyond column XFD")
    else:
        cell_row, column = ref_in(ref, part)
        if cell_row != row:
            raise ArchiveError(f"cell {ref} is inside row {row} in {part}")
    if column > MAX_COLUMNS:
        if not any(
            child.tag in _VALUE or child.tag in _FORMULA or child.tag in _INLINE for child in elem
        ):
            return column + 1, False
        source.beyond_columns_count += 1
        if source.beyond_columns is None:
            source.beyond_columns = f"{column_letter(column)}{row}"
        return column + 1, True
    cell = _read_cell(elem, row, column, source)
    if cell is not None:
        if column in cells:
            raise ArchiveError(f"cell {cell.ref} appears twice in {part}")
        cells[column] = cell
    return column + 1, False
