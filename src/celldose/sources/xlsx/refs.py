"""A1-style cell references: ``D3`` is row 3, column 4, within Excel's grid."""

from __future__ import annotations

import functools
import re
from typing import Final

from celldose.sources.xlsx.archive import ArchiveError

__all__ = [
    "EXCEL_MAX_COLUMN",
    "EXCEL_MAX_ROW",
    "column_letter",
    "column_number",
    "parse_ref",
    "range_in",
    "ref_in",
]

EXCEL_MAX_ROW: Final = 1_048_576
EXCEL_MAX_COLUMN: Final = 16_384  # XFD

_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


def column_number(letters: str) -> int:
    """``"A"`` -> 1, ``"Z"`` -> 26, ``"AA"`` -> 27, ``"XFD"`` -> 16384; ValueError if invalid."""
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"not a column: {letters!r}")
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - ord("A") + 1
    if number > EXCEL_MAX_COLUMN:
        raise ValueError(f"column {letters} is beyond XFD, the last column")
    return number


def column_letter(number: int) -> str:
    """1 -> ``"A"``, 27 -> ``"AA"``, 16384 -> ``"XFD"``; ValueError outside 1 to 16384."""
    if not 1 <= number <= EXCEL_MAX_COLUMN:
        raise ValueError(f"column {number} is outside 1 to {EXCEL_MAX_COLUMN}")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def parse_ref(ref: str) -> tuple[int, int]:
    """``"D3"`` -> ``(3, 4)`` (row, column); ValueError if not a cell within Excel's limits."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    row = int(match.group(2))
    if not 1 <= row <= EXCEL_MAX_ROW:
        raise ValueError(f"row {row} of {ref} is outside 1 to {EXCEL_MAX_ROW}")
    return row, _column_of(match.group(1))


@functools.lru_cache(maxsize=1024)
def _column_of(letters: str) -> int:
    """:func:`column_number`, remembered: a sheet repeats the same few column letters."""
    return column_number(letters)


def ref_in(ref: str, part: str) -> tuple[int, int]:
    """:func:`parse_ref` for a reference found in ``part``; a bad one is an ArchiveError."""
    try:
        return parse_ref(ref)
    except ValueError as exc:
        raise ArchiveError(f"bad cell reference {ref[:20]!r} in {part} ({exc})") from None


def range_in(ref: str, part: str) -> tuple[int, int, int, int]:
    """``"B2:A1"`` -> ``(1, 1, 2, 2)``: the range's (top, left, bottom, right), inclusive."""
    first, _, last = ref.strip().partition(":")
    row1, col1 = ref_in(first, part)
    row2, col2 = ref_in(last, part) if last else (row1, col1)
    return min(row1, row2), min(col1, col2), max(row1, row2), max(col1, col2)
