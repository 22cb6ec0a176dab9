"""An XLSX workbook to one :class:`Grid` per worksheet, with what a spreadsheet hides made visible.

Cells come from the bounded reader in :mod:`celldose.sources.xlsx`. What Excel files
really hold, measured, and what celldose makes of it:

* a formula with a saved value is read by that value, and messages about it name the formula;
* a formula without a saved value (written by a program that does not calculate), a merged
  cell other than the first of its range, a number formatted as a date, and an error value
  (``#DIV/0!``) are each an ``unreadable-cell`` problem at the cell, never a silent empty or
  wrong number;
* numbers stored as text are read like CSV text; stored numbers are locale-free;
* an empty worksheet (Excel's default ``Sheet2``) is skipped; any other worksheet is a protocol
  named by its sheet;
* hidden rows and hidden sheets are read like the others, and a cell knows that it is hidden
  (the sheet reader warns where they hold protocol data, and every message about such a cell
  says so); a number whose format shows another number carries what is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from celldose.diagnostics import Span
from celldose.rules import reading
from celldose.sources.problems import SourceProblem
from celldose.sources.sheet import Cell, Grid, Row
from celldose.sources.xlsx import (
    MAX_COLUMNS,
    CellKind,
    XCell,
    XlsxError,
    XSheet,
    column_letter,
    read_workbook,
)
from celldose.sources.xlsx.display import shown_instead


def xlsx_grids(source: Path | bytes, name: str) -> list[Grid] | SourceProblem:
    """The worksheets of a workbook file (or its bytes) that hold anything."""
    try:
        sheets = read_workbook(source)
    except XlsxError as exc:
        return SourceProblem(reading.SHEET_SYNTAX, f"not a readable workbook: {exc}", None)
    grids = [_grid(sheet) for sheet in sheets if _has_cells(sheet)]
    if not grids:
        return SourceProblem(
            reading.NOT_A_PROTOCOL, "the workbook's worksheets are all empty", None
        )
    return grids


def _has_cells(sheet: XSheet) -> bool:
    try:
        return next(iter(sheet.rows()), None) is not None
    except XlsxError:
        return True  # reported when the rows are read


_HIDDEN_STATES = {"hidden": "hidden", "veryHidden": "very hidden"}


def _grid(sheet: XSheet) -> Grid:
    return Grid(
        name=sheet.name,
        sheet=sheet.name,
        rows=lambda: _rows(sheet),
        hidden_sheet=_HIDDEN_STATES.get(sheet.state),
    )


def _rows(sheet: XSheet) -> Iterator[Row]:
    prefix = _sheet_ref(sheet.name)
    try:
        for found in sheet.read_rows():
            number, hidden = found.number, found.hidden
            row: list[Cell] = []
            for cell in found.cells:
                while len(row) < cell.column - 1:
                    row.append(_empty(sheet, prefix, number, len(row) + 1, hidden))
                row.append(_cell(prefix, cell, hidden))
            for column in range(len(row) + 1, _merged_width(sheet, number) + 1):
                row.append(_empty(sheet, prefix, number, column, hidden))
            yield row
    except XlsxError as exc:
        yield SourceProblem(reading.SHEET_SYNTAX, f"sheet {sheet.name!r}: {exc}", None)
        return
    beyond = sheet.beyond_columns
    if beyond is not None:
        yield SourceProblem(
            reading.INPUT_LIMIT,
            f"{prefix}{beyond}: cells beyond column {column_letter(MAX_COLUMNS)} are not read",
            None,
        )


def _cell(prefix: str, cell: XCell, hidden: bool) -> Cell:
    span = Span(cell.row, cell.column, cell.row, cell.column + 1)
    ref = f"{prefix}{cell.ref}"
    formula = cell.formula
    problem: str | None = None
    if cell.kind is CellKind.NO_VALUE:
        problem = (
            f"the formula {formula or ''} has no saved value: the file was written by a program "
            "that does not calculate, so the cell reads as empty"
        )
    elif cell.kind is CellKind.DATE:
        problem = (
            f"the cell is formatted as a date, so a spreadsheet shows a date, not the stored "
            f"number {cell.text}; format it as a number"
        )
    elif cell.kind is CellKind.ERROR:
        problem = f"the cell holds the error value {cell.text}"
    if problem is not None:
        return Cell("", span, ref, formula, problem, hidden_row=hidden)
    code = cell.number_format if cell.kind is CellKind.NUMBER else None
    return Cell(
        cell.text,
        span,
        ref,
        formula,
        typed=cell.kind is CellKind.NUMBER,
        hidden_row=hidden,
        shown=None if code is None else shown_instead(cell.text, code),
        number_format=code,
    )


def _empty(sheet: XSheet, prefix: str, row: int, column: int, hidden: bool) -> Cell:
    span = Span(row, column, row, column + 1)
    ref = f"{prefix}{column_letter(column)}{row}"
    for top, left, bottom, right in sheet.merged:
        if top <= row <= bottom and left <= column <= right and (row, column) != (top, left):
            first = f"{column_letter(left)}{top}"
            area = f"{first}:{column_letter(right)}{bottom}"
            return Cell(
                "",
                span,
                ref,
                problem=f"part of the merged cells {area}; only {first} holds a value",
                hidden_row=hidden,
            )
    return Cell("", span, ref, hidden_row=hidden)


def _merged_width(sheet: XSheet, row: int) -> int:
    """The last column a merged range reaches on ``row`` (merged cells after the last value)."""
    return max(
        (right for top, _, bottom, right in sheet.merged if top <= row <= bottom),
        default=0,
    )


def _sheet_ref(name: str) -> str:
    """``Sheet1!`` or ``'My sheet'!``, as a spreadsheet writes a reference to another sheet."""
    if name.replace("_", "").isalnum():
        return f"{name}!"
    return "'" + name.replace("'", "''") + "'!"
