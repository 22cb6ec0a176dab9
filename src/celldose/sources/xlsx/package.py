"""The parts of a SpreadsheetML package: the workbook and its sheets, shared strings, styles.

Everything here reads through :class:`~celldose.sources.xlsx.archive.Archive`, so every part is
bounded and defused before it is parsed; this module knows only what the parts mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final
from xml.etree.ElementTree import Element

from celldose.sources.xlsx.archive import (
    Archive,
    ArchiveError,
    Limits,
    Relationship,
    records,
    rels_part,
)

__all__ = [
    "MAX_SHEETS",
    "WORKBOOK_LIMITS",
    "SheetEntry",
    "Styles",
    "int_attr",
    "is_date_format",
    "read_shared_strings",
    "read_styles",
    "read_workbook_part",
    "rich_text",
    "ss",
    "unescape",
]

MAX_SHEETS: int = 64
"""Most worksheets in a workbook (chart and dialog sheets are not counted)."""

WORKBOOK_LIMITS: Final = Limits(
    noun="workbook",
    kind="an XLSX workbook",
    ole="an old .xls file, or a password-protected workbook",
)
"""The archive bounds of a workbook, and the words its messages use."""

_MAIN_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT_NS: Final = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_RELATIONSHIP_ID: Final = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)


def ss(local: str) -> frozenset[str]:
    """The tags of a SpreadsheetML element, transitional or strict (or, leniently, no namespace)."""
    return frozenset({f"{{{_MAIN_NS}}}{local}", f"{{{_STRICT_NS}}}{local}", local})


_WORKBOOK = ss("workbook")
_WORKBOOK_PR = ss("workbookPr")
_SHEETS = ss("sheets")
_SHEET = ss("sheet")
_TEXT = ss("t")
_RUN = ss("r")
_SST = ss("sst")
_SI = ss("si")
_STYLESHEET = ss("styleSheet")
_NUM_FMTS = ss("numFmts")
_NUM_FMT = ss("numFmt")
_CELL_XFS = ss("cellXfs")
_XF = ss("xf")


# --- text ---------------------------------------------------------------------------------------


def unescape(text: str) -> str:
    """Decode OOXML's ``_xHHHH_`` escapes: ``_x000D_`` is a carriage return, ``_x005F_`` a ``_``."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(_unescape_one, text)


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape_one(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def rich_text(elem: Element) -> str:
    """The text of an ``<si>`` or ``<is>``: ``<t>``, or the ``<t>`` of each run; not ``<rPh>``."""
    parts: list[str] = []
    for child in elem:
        if child.tag in _TEXT:
            parts.append(child.text or "")
        elif child.tag in _RUN:
            parts.extend(grand.text or "" for grand in child if grand.tag in _TEXT)
    return unescape("".join(parts))


def int_attr(value: str | None, default: int, what: str, part: str) -> int:
    """A small non-negative integer attribute; anything else is an ArchiveError."""
    if value is None:
        return default
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise ArchiveError(f"bad {what} {value!r} in {part}")
    return int(text)


# --- the workbook part --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetEntry:
    """A worksheet as the workbook part lists it."""

    name: str
    state: str
    part: str


def read_workbook_part(
    archive: Archive, part: str, rels: dict[str, Relationship]
) -> tuple[list[SheetEntry], bool]:
    """The worksheets listed in the workbook part, in order, and whether it uses 1904 dates."""
    info = archive.need(part)
    entries: list[SheetEntry] = []
    date1904 = False
    worksheets = 0
    with archive.open(info, part) as stream:
        for parent, elem in records(archive, stream, part, _WORKBOOK, "a spreadsheet workbook", 3):
            if parent in _WORKBOOK and elem.tag in _WORKBOOK_PR:  # level 2
                date1904 = elem.get("date1904", "false").strip().lower() in ("1", "true")
            if parent not in _SHEETS or elem.tag not in _SHEET:
                continue
            name = elem.get("name")
            if name is None:
                raise ArchiveError(f"a sheet in {part} has no name")
            rel_id = next((elem.get(key) for key in _RELATIONSHIP_ID if elem.get(key)), None)
            rel = rels.get(rel_id or "")
            if rel is None:
                raise ArchiveError(
                    f"sheet {name!r} refers to relationship {rel_id!r}, "
                    f"which {rels_part(part)} does not define"
                )
            if not rel.type.endswith("/worksheet"):  # chart, dialog and macro sheets
                continue
            if rel.target is None:
                raise ArchiveError(
                    f"sheet {name!r} points outside the workbook ({rel.written[:80]!r}); refused"
                )
            worksheets += 1
            if worksheets > MAX_SHEETS:
                raise ArchiveError(f"the workbook has more than {MAX_SHEETS} worksheets; refused")
            entries.append(SheetEntry(name, elem.get("state", "visible"), rel.target))
    return entries, date1904


# --- shared strings -----------------------------------------------------------------------------


def read_shared_strings(archive: Archive, part: str | None) -> tuple[str, ...]:
    if part is None:
        return ()
    strings: list[str] = []
    with archive.open(archive.need(part), part) as stream:
        for _, elem in records(archive, stream, part, _SST, "a shared-strings part", 2):
            if elem.tag in _SI:
                strings.append(rich_text(elem))
    return tuple(strings)


# --- styles -------------------------------------------------------------------------------------

# Built-in number formats that show dates or times (ECMA-376 18.8.30, with the East Asian ones).
_BUILTIN_DATE_FORMATS: Final = frozenset(
    [*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)]
)
_ELAPSED = re.compile(r"h+|m+|s+", re.IGNORECASE)


def is_date_format(code: str) -> bool:
    """Whether a number format code shows a date or time.

    True when ``y m d h s`` (any case) appears outside quoted text, ``[...]`` brackets (colours,
    locales, conditions; but ``[h]``, ``[mm]``, ``[ss]`` elapsed time count) and escapes
    (``\\x``, ``_x``, ``*x``).
    """
    index, end = 0, len(code)
    while index < end:
        char = code[index]
        if char == '"':
            close = code.find('"', index + 1)
            index = end if close < 0 else close + 1
        elif char in "\\_*":
            index += 2
        elif char == "[":
            close = code.find("]", index + 1)
            if close >= 0 and _ELAPSED.fullmatch(code[index + 1 : close]):
                return True
            index = end if close < 0 else close + 1
        elif char in "yYmMdDhHsS":
            return True
        else:
            index += 1
    return False


# Built-in number formats that can show a number other than the one stored (ECMA-376 18.8.30).
_BUILTIN_FORMATS: Final = {
    1: "0",
    3: "#,##0",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    48: "##0.0E+0",
}


@dataclass(frozen=True, slots=True)
class Styles:
    """What the cell styles (``cellXfs``, by index) say about how numbers are shown."""

    dates: frozenset[int] = frozenset()
    """Styles whose number format shows a date or time."""
    formats: dict[int, str] = field(default_factory=dict)
    """Other styles' number format codes, when they are not ``General``."""


def read_styles(archive: Archive, part: str | None) -> Styles:
    """The number formats of the cell styles: which show dates, and the others' codes."""
    if part is None:
        return Styles()
    custom: dict[int, str] = {}
    style_formats: list[int] = []
    with archive.open(archive.need(part), part) as stream:
        for parent, elem in records(archive, stream, part, _STYLESHEET, "a styles part", 3):
            if parent in _NUM_FMTS and elem.tag in _NUM_FMT:
                number = int_attr(elem.get("numFmtId"), -1, "numFmtId", part)
                custom[number] = elem.get("formatCode", "")
            elif parent in _CELL_XFS and elem.tag in _XF:
                style_formats.append(int_attr(elem.get("numFmtId"), 0, "numFmtId", part))
    dates: set[int] = set()
    formats: dict[int, str] = {}
    for index, number in enumerate(style_formats):
        code = custom.get(number)
        if code is None:
            if number in _BUILTIN_DATE_FORMATS:
                dates.add(index)
            elif number in _BUILTIN_FORMATS:
                formats[index] = _BUILTIN_FORMATS[number]
        elif is_date_format(code):
            dates.add(index)
        elif code.strip().lower() != "general":
            formats[index] = code
    return Styles(frozenset(dates), formats)
