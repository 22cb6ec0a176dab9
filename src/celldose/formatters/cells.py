"""A finding in a file without lines, named as its reader names the place: a workbook's cell
as a spreadsheet does (``B4``, ``Sheet!B4``), a Word table's cell as ``table 1, row 3, cell 2``.

Such files' diagnostics carry the row as their line and the cell's column as their column
(there are no lines in a zip archive); the formats that show a location to a person or a
code-scanning service name the place instead.
"""

from __future__ import annotations

from celldose.diagnostics import Diagnostic
from celldose.formats import for_path


def place_name(d: Diagnostic) -> str | None:
    """Where a finding of a binary file (a workbook, a Word document) is, by name; None for a
    text file (a line and column say it) or without a position."""
    form = for_path(d.path)
    if not form.binary or d.span is None:
        return None
    if form.name == "xlsx":
        return cell_name(d)
    table = f"{d.sheet}, " if d.sheet else ""
    return f"{table}row {d.span.line}, cell {d.span.column}"


def column_letters(number: int) -> str:
    """1 -> ``A``, 27 -> ``AA``: a spreadsheet's column name."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_ref(d: Diagnostic) -> str | None:
    """``B4``: the cell of a workbook diagnostic; None without a position."""
    if d.span is None:
        return None
    return f"{column_letters(d.span.column)}{d.span.line}"


def cell_name(d: Diagnostic) -> str | None:
    """``Sheet!B4`` (quoted as Excel does when the worksheet's name needs it); ``B4`` without
    a worksheet; None without a position."""
    ref = cell_ref(d)
    if ref is None or not d.sheet:
        return ref
    sheet = d.sheet
    if not sheet.replace("_", "").isalnum():
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{ref}"
