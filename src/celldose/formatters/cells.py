"""A workbook finding's cell, as a spreadsheet names it: ``B4``, ``Sheet!B4``.

A workbook's diagnostics carry the cell's row as their line and its column number as their
column (there are no lines in a zip archive); the formats that show a location to a person or
a code-scanning service name the cell instead.
"""

from __future__ import annotations

from celldose.diagnostics import Diagnostic


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
