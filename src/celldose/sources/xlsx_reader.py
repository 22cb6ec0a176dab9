"""A bounded, streaming reader of untrusted ``.xlsx`` workbooks: raw cells with exact positions.

Why not openpyxl for reading? Three traps, each measured on openpyxl 3.1:

* its read-only ``iter_rows()`` pads every missing row, so a sheet whose one cell sits at
  ``XFD1048576`` makes it walk a million empty rows of 16,384 cells (it effectively hangs);
* it needs two loads of the workbook to see both a formula and its cached value
  (``data_only=True`` drops the formula, the default drops the value);
* read-only mode has no merged cells.

So this module opens the zip itself (:mod:`zipfile`) and parses the XML with :mod:`defusedxml`
(entities, DTDs and external references refused: an XXE or billion-laughs workbook becomes an
:class:`XlsxError`, it is never expanded). It trusts nothing in the file:

* Before anything is decompressed, the declared uncompressed sizes of the parts that will be read
  are summed (at most :data:`MAX_INFLATED`) and each part's compression ratio is checked
  (:data:`MAX_RATIO`): a zip bomb is refused from its directory alone. The sum is cumulative: it
  covers ``_rels/.rels`` before that is read, then the workbook part and its relationships (which
  name the other parts), then the shared strings, styles and every worksheet together, before
  any of those is touched.
* Every part is read through a counting wrapper that stops at the declared size (plus a small
  margin), so a zip entry that lies about its size cannot inflate without bound either.
* Worksheets are streamed with ``iterparse``; each cell and row is dropped from the tree as soon
  as it has been read, so memory does not grow with the number of rows. Only rows present in the
  XML are produced: the lone cell at ``XFD1048576`` is one row, read at once.
* Only the first :data:`MAX_COLUMNS` columns are read; later non-empty cells are counted and the
  first one is reported (:attr:`Sheet.beyond_columns`) so the caller can say so.
* Merged ranges (``<mergeCells>``) come *after* ``<sheetData>`` in the XML, but callers need them
  while streaming rows. :func:`read_workbook` therefore makes a first pass over each worksheet
  part: a plain byte search for ``mergeCell`` (decompression only, no parsing) and, only if it
  matches, a defused parse that looks at element starts alone. Both are bounded by the same size
  limits as the main pass.

Every failure is an :class:`XlsxError` with a one-line message for a person; nothing else escapes
(except ``MemoryError`` and friends). A :class:`Sheet` re-opens the file when its rows are read and
checks that the worksheet part is still the one that was measured (same CRC-32 and sizes).
"""

from __future__ import annotations

import functools
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Final
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

__all__ = [
    "EXCEL_MAX_COLUMN",
    "EXCEL_MAX_ROW",
    "MAX_COLUMNS",
    "MAX_INFLATED",
    "MAX_RATIO",
    "MAX_SHEETS",
    "CellKind",
    "Sheet",
    "XCell",
    "XlsxError",
    "column_letter",
    "column_number",
    "is_date_format",
    "parse_ref",
    "read_workbook",
]

_MIB: Final = 1024 * 1024

MAX_INFLATED: int = 64 * _MIB
"""Most uncompressed bytes, over all the parts that are read (64 MiB)."""

MAX_RATIO: int = 200
"""A part over 1 MiB inflating to more than this many times its compressed size is refused."""

MAX_COLUMNS: int = 64
"""Cells beyond this column (BL) are not read; :attr:`Sheet.beyond_columns` reports them."""

MAX_SHEETS: int = 64
"""Most worksheets in a workbook (chart and dialog sheets are not counted)."""

EXCEL_MAX_ROW: Final = 1_048_576
EXCEL_MAX_COLUMN: Final = 16_384  # XFD

_RATIO_FLOOR: Final = _MIB  # parts up to this size are never refused for their ratio
_SIZE_MARGIN: Final = 4096  # slack over a part's declared size before the wrapper stops it
_CHUNK: Final = 64 * 1024


class XlsxError(Exception):
    """The file cannot be read as a workbook; ``str(exc)`` is one line for a person."""


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

    @property
    def ref(self) -> str:
        """The A1-style reference, e.g. ``"D3"``."""
        return f"{column_letter(self.column)}{self.row}"


@dataclass(eq=False, slots=True)
class _SheetSource:
    """Where a sheet's rows come from, and what streaming them found (mutable, private)."""

    path: Path
    part: str
    crc: int
    file_size: int
    compress_size: int
    shared_strings: tuple[str, ...]
    date_styles: frozenset[int]
    beyond_columns: str | None = None
    beyond_columns_count: int = 0


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet, in workbook order.

    ``merged`` holds the merged ranges as ``(min_row, min_col, max_row, max_col)``, 1-based and
    inclusive, sorted (the order in the file means nothing). ``state`` is ``"visible"``,
    ``"hidden"`` or ``"veryHidden"``; ``date1904`` is true when the workbook counts date serial
    numbers from 1904 (it matters for :attr:`CellKind.DATE`).
    """

    name: str
    merged: tuple[tuple[int, int, int, int], ...]
    state: str = "visible"
    date1904: bool = False
    _source: _SheetSource | None = field(default=None, repr=False, compare=False)

    def rows(self) -> Iterator[tuple[int, list[XCell]]]:
        """Stream the rows present in the XML, each with its non-empty cells sorted by column.

        Rows come in sheet order, with no padding: a lone cell at ``XFD1048576`` is one row. A
        row is produced when it has at least one non-empty cell, even if all of them lie beyond
        :data:`MAX_COLUMNS` (its list is then empty). Cells beyond that column are left out and
        counted: once the rows are exhausted, :attr:`beyond_columns` names the first of them.
        Raises :class:`XlsxError` if the part is malformed (possibly after some rows).
        """
        if self._source is None:
            return iter(())
        return _stream_rows(self._source)

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


# --- cell references ----------------------------------------------------------------------------

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


def _ref_in(ref: str, part: str) -> tuple[int, int]:
    try:
        return parse_ref(ref)
    except ValueError as exc:
        raise XlsxError(f"bad cell reference {ref[:20]!r} in {part} ({exc})") from None


def _range_in(ref: str, part: str) -> tuple[int, int, int, int]:
    first, _, last = ref.strip().partition(":")
    row1, col1 = _ref_in(first, part)
    row2, col2 = _ref_in(last, part) if last else (row1, col1)
    return min(row1, row2), min(col1, col2), max(row1, row2), max(col1, col2)


# --- XML names ----------------------------------------------------------------------------------

_MAIN_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT_NS: Final = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_PACKAGE_RELS_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
_RELATIONSHIP_ID: Final = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)


def _ss(local: str) -> frozenset[str]:
    """The tags of a SpreadsheetML element, transitional or strict (or, leniently, no namespace)."""
    return frozenset({f"{{{_MAIN_NS}}}{local}", f"{{{_STRICT_NS}}}{local}", local})


_WORKBOOK = _ss("workbook")
_WORKBOOK_PR = _ss("workbookPr")
_SHEETS = _ss("sheets")
_SHEET = _ss("sheet")
_WORKSHEET = _ss("worksheet")
_SHEET_DATA = _ss("sheetData")
_ROW = _ss("row")
_CELL = _ss("c")
_VALUE = _ss("v")
_FORMULA = _ss("f")
_INLINE = _ss("is")
_TEXT = _ss("t")
_RUN = _ss("r")
_SST = _ss("sst")
_SI = _ss("si")
_STYLESHEET = _ss("styleSheet")
_NUM_FMTS = _ss("numFmts")
_NUM_FMT = _ss("numFmt")
_CELL_XFS = _ss("cellXfs")
_XF = _ss("xf")
_MERGE_CELL = _ss("mergeCell")
_RELATIONSHIPS = frozenset({f"{{{_PACKAGE_RELS_NS}}}Relationships", "Relationships"})
_RELATIONSHIP = frozenset({f"{{{_PACKAGE_RELS_NS}}}Relationship", "Relationship"})


# --- errors -------------------------------------------------------------------------------------

# What reading a zip entry or parsing its XML can raise for a bad file. DefusedXmlException and
# UnicodeDecodeError are ValueErrors; encrypted entries raise RuntimeError, unknown compression
# methods NotImplementedError (a RuntimeError).
_READ_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    RuntimeError,
    struct.error,
    OverflowError,
    ParseError,
)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _size(count: int) -> str:
    if count >= _MIB:
        number, unit = count / _MIB, "MiB"
    elif count >= 1024:
        number, unit = count / 1024, "KiB"
    else:
        return f"{count} bytes"
    return f"{number:.1f}".removesuffix(".0") + f" {unit}"


def _as_xlsx_error(exc: BaseException, part: str) -> XlsxError:
    """A one-line XlsxError for an exception raised while reading ``part``."""
    if isinstance(exc, XlsxError):
        return exc
    if isinstance(exc, DTDForbidden):
        return XlsxError(f"the workbook's XML declares a DTD ({part}); refused")
    if isinstance(exc, EntitiesForbidden):
        return XlsxError(f"the workbook's XML declares entities ({part}); refused")
    if isinstance(exc, ExternalReferenceForbidden):
        return XlsxError(f"the workbook's XML refers to an external entity ({part}); refused")
    if isinstance(exc, DefusedXmlException):
        return XlsxError(f"the workbook's XML uses a forbidden construct ({part}); refused")
    if isinstance(exc, ParseError | UnicodeDecodeError):
        return XlsxError(f"malformed XML in {part} ({_one_line(exc)})")
    if isinstance(exc, RuntimeError):  # encrypted entry, unsupported compression method
        return XlsxError(f"cannot decompress {part} ({_one_line(exc)})")
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError | struct.error):
        return XlsxError(f"{part} is corrupt in the zip archive ({_one_line(exc)})")
    if isinstance(exc, OSError):
        return XlsxError(f"cannot read {part} ({_one_line(exc.strerror or exc)})")
    return XlsxError(f"cannot read {part} ({_one_line(exc)})")


# --- the zip archive ----------------------------------------------------------------------------


class _PartStream:
    """A zip entry's bytes, refused past ``limit``: a lying size header cannot inflate forever."""

    def __init__(self, raw: IO[bytes], part: str, limit: int) -> None:
        self._raw = raw
        self._part = part
        self._limit = limit
        self._count = 0

    def read(self, size: int | None = -1) -> bytes:
        room = self._limit - self._count + 1  # one byte more than allowed tells a liar
        want = room if size is None or size < 0 else min(size, room)
        try:
            data = self._raw.read(want)
        except _READ_ERRORS as exc:  # a bad CRC, corrupt deflate data, an encrypted entry
            raise _as_xlsx_error(exc, self._part) from exc
        self._count += len(data)
        if self._count > self._limit:
            raise XlsxError(
                f"{self._part} inflates beyond its declared size; refused as a possible zip bomb"
            )
        return data


class _Archive:
    """An open zip file, with its entries looked up the way OPC names parts (case-insensitive)."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self._entries: dict[str, zipfile.ZipInfo] = {}
        self._duplicates: set[str] = set()
        for info in zf.infolist():
            if info.is_dir():
                continue
            key = _part_key(info.filename)
            if key in self._entries:
                self._duplicates.add(key)
            self._entries[key] = info

    def find(self, part: str) -> zipfile.ZipInfo | None:
        key = _part_key(part)
        if key in self._duplicates:
            raise XlsxError(f"the zip archive holds {part} twice; refused")
        return self._entries.get(key)

    def has(self, part: str) -> bool:
        return _part_key(part) in self._entries

    def need(self, part: str, what: str = "") -> zipfile.ZipInfo:
        info = self.find(part)
        if info is None:
            raise XlsxError(f"missing part {part}{what}")
        return info

    @contextmanager
    def open(self, info: zipfile.ZipInfo, part: str) -> Iterator[_PartStream]:
        _check_parts([(part, info)])
        try:
            raw = self.zf.open(info)
        except _READ_ERRORS as exc:
            raise _as_xlsx_error(exc, part) from exc
        with raw:
            yield _PartStream(raw, part, min(info.file_size + _SIZE_MARGIN, MAX_INFLATED))


def _part_key(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


def _check_parts(parts: Iterable[tuple[str, zipfile.ZipInfo]]) -> None:
    """Refuse, from the zip directory alone, parts that inflate too far in total or by ratio."""
    distinct = {_part_key(part): (part, info) for part, info in parts}
    total = sum(info.file_size for _, info in distinct.values())
    if total > MAX_INFLATED:
        part, info = max(distinct.values(), key=lambda item: item[1].file_size)
        raise XlsxError(
            f"the workbook inflates to more than {_size(MAX_INFLATED)} "
            f"({part}: {_size(info.file_size)}); refused as a possible zip bomb"
        )
    for part, info in distinct.values():
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
            raise XlsxError(
                f"{part} inflates from {_size(info.compress_size)} to {_size(info.file_size)} "
                f"(more than {MAX_RATIO} times); refused as a possible zip bomb"
            )


_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@contextmanager
def _open_archive(path: Path) -> Iterator[_Archive]:
    """The zip archive at ``path``, opened once (the checks and the zip see the same file)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or a device would block or never end
            raise XlsxError("not an XLSX workbook (not a regular file)")
        handle = path.open("rb")
    except OSError as exc:
        raise XlsxError(f"cannot read the file ({_one_line(exc.strerror or exc)})") from exc
    with handle:
        try:
            head = handle.read(len(_OLE_MAGIC))
            handle.seek(0)
        except OSError as exc:
            raise XlsxError(f"cannot read the file ({_one_line(exc.strerror or exc)})") from exc
        if head == _OLE_MAGIC:
            raise XlsxError(
                "not an XLSX workbook (an old .xls file, or a password-protected workbook)"
            )
        try:
            zf = zipfile.ZipFile(handle)
        except zipfile.BadZipFile as exc:
            raise XlsxError("not an XLSX workbook (not a zip archive)") from exc
        except _READ_ERRORS as exc:
            message = f"not an XLSX workbook (unreadable zip archive: {_one_line(exc)})"
            raise XlsxError(message) from exc
        with zf:
            yield _Archive(zf)


# --- XML ----------------------------------------------------------------------------------------


def _events(
    stream: _PartStream, part: str, events: tuple[str, ...]
) -> Iterator[tuple[str, Element]]:
    """Defused ``iterparse`` (no DTD, no entities), every failure an :class:`XlsxError`."""
    try:
        parser = SafeET.iterparse(stream, events=events, forbid_dtd=True)
        yield from parser
    except _READ_ERRORS as exc:
        raise _as_xlsx_error(exc, part) from exc


def _records(
    stream: _PartStream, part: str, roots: frozenset[str], what: str, depth: int
) -> Iterator[tuple[str, Element]]:
    """Yield ``(parent tag, element)`` for each complete element at levels 2 to ``depth``.

    The root is level 1 and must be one of ``roots``. An element is yielded when it ends, with
    its subtree (an element at ``depth`` keeps all of its descendants); once the caller has seen
    it, it is dropped from the tree, so memory stays flat however long the part is.
    """
    stack: list[Element] = []
    for event, elem in _events(stream, part, ("start", "end")):
        if event == "start":
            if not stack and elem.tag not in roots:
                raise XlsxError(f"{part} is not {what}")
            stack.append(elem)
            continue
        stack.pop()
        if stack and len(stack) < depth:
            yield stack[-1].tag, elem
            del stack[-1][:]


def _unescape(text: str) -> str:
    """Decode OOXML's ``_xHHHH_`` escapes: ``_x000D_`` is a carriage return, ``_x005F_`` a ``_``."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(_unescape_one, text)


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape_one(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def _rich_text(elem: Element) -> str:
    """The text of an ``<si>`` or ``<is>``: ``<t>``, or the ``<t>`` of each run; not ``<rPh>``."""
    parts: list[str] = []
    for child in elem:
        if child.tag in _TEXT:
            parts.append(child.text or "")
        elif child.tag in _RUN:
            parts.extend(grand.text or "" for grand in child if grand.tag in _TEXT)
    return _unescape("".join(parts))


# --- workbook structure -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Relationship:
    type: str
    written: str  # the Target attribute, as written
    target: str | None  # the part it names, or None if it points outside the package


def _resolve(source_part: str, target: str) -> str | None:
    """A relationship target as a part name: relative to the source part's folder, or absolute.

    None when the target climbs out of the package ("../../etc/passwd"): such a relationship is
    refused only if it is used.
    """
    target = unquote(target.strip()).replace("\\", "/")
    if target.startswith("/"):
        name = target.lstrip("/")
    else:
        name = posixpath.join(posixpath.dirname(source_part), target)
    name = posixpath.normpath(name)
    if name in (".", "..") or name.startswith("../"):
        return None
    return name


def _rels_part(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _read_rels(archive: _Archive, source_part: str) -> dict[str, _Relationship]:
    """The internal relationships of ``source_part`` (``""`` for the package), by id."""
    part = _rels_part(source_part)
    info = archive.find(part)
    if info is None:
        return {}
    found: dict[str, _Relationship] = {}
    with archive.open(info, part) as stream:
        for _, elem in _records(stream, part, _RELATIONSHIPS, "a relationships part", 2):
            if elem.tag not in _RELATIONSHIP or elem.get("TargetMode", "Internal") != "Internal":
                continue
            rel_id, rel_type, target = elem.get("Id"), elem.get("Type"), elem.get("Target")
            if rel_id and rel_type and target:
                found[rel_id] = _Relationship(rel_type, target, _resolve(source_part, target))
    return found


def _of_type(rels: dict[str, _Relationship], suffix: str) -> str | None:
    for rel in rels.values():
        if rel.type.endswith(suffix):
            return rel.target
    return None


@dataclass(frozen=True, slots=True)
class _SheetEntry:
    name: str
    state: str
    part: str


def _read_workbook_part(
    archive: _Archive, part: str, rels: dict[str, _Relationship]
) -> tuple[list[_SheetEntry], bool]:
    """The worksheets listed in the workbook part, in order, and whether it uses 1904 dates."""
    info = archive.need(part)
    entries: list[_SheetEntry] = []
    date1904 = False
    worksheets = 0
    with archive.open(info, part) as stream:
        for parent, elem in _records(stream, part, _WORKBOOK, "a spreadsheet workbook", 3):
            if parent in _WORKBOOK and elem.tag in _WORKBOOK_PR:  # level 2
                date1904 = elem.get("date1904", "false").strip().lower() in ("1", "true")
            if parent not in _SHEETS or elem.tag not in _SHEET:
                continue
            name = elem.get("name")
            if name is None:
                raise XlsxError(f"a sheet in {part} has no name")
            rel_id = next((elem.get(key) for key in _RELATIONSHIP_ID if elem.get(key)), None)
            rel = rels.get(rel_id or "")
            if rel is None:
                raise XlsxError(
                    f"sheet {name!r} refers to relationship {rel_id!r}, "
                    f"which {_rels_part(part)} does not define"
                )
            if not rel.type.endswith("/worksheet"):  # chart, dialog and macro sheets
                continue
            if rel.target is None:
                raise XlsxError(
                    f"sheet {name!r} points outside the workbook ({rel.written[:80]!r}); refused"
                )
            worksheets += 1
            if worksheets > MAX_SHEETS:
                raise XlsxError(f"the workbook has more than {MAX_SHEETS} worksheets; refused")
            entries.append(_SheetEntry(name, elem.get("state", "visible"), rel.target))
    return entries, date1904


def _read_shared_strings(archive: _Archive, part: str | None) -> tuple[str, ...]:
    if part is None:
        return ()
    strings: list[str] = []
    with archive.open(archive.need(part), part) as stream:
        for _, elem in _records(stream, part, _SST, "a shared-strings part", 2):
            if elem.tag in _SI:
                strings.append(_rich_text(elem))
    return tuple(strings)


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


def _int_attr(value: str | None, default: int, what: str, part: str) -> int:
    if value is None:
        return default
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise XlsxError(f"bad {what} {value!r} in {part}")
    return int(text)


def _read_date_styles(archive: _Archive, part: str | None) -> frozenset[int]:
    """The indexes of the cell styles (``cellXfs``) whose number format shows a date or time."""
    if part is None:
        return frozenset()
    custom: dict[int, str] = {}
    style_formats: list[int] = []
    with archive.open(archive.need(part), part) as stream:
        for parent, elem in _records(stream, part, _STYLESHEET, "a styles part", 3):
            if parent in _NUM_FMTS and elem.tag in _NUM_FMT:
                number = _int_attr(elem.get("numFmtId"), -1, "numFmtId", part)
                custom[number] = elem.get("formatCode", "")
            elif parent in _CELL_XFS and elem.tag in _XF:
                style_formats.append(_int_attr(elem.get("numFmtId"), 0, "numFmtId", part))
    return frozenset(
        index
        for index, number in enumerate(style_formats)
        if (is_date_format(custom[number]) if number in custom else number in _BUILTIN_DATE_FORMATS)
    )


# --- merged ranges (first pass) -----------------------------------------------------------------


class _MergeCollector:
    """An XMLParser target that only looks at element starts, keeping the ``mergeCell`` refs."""

    def __init__(self) -> None:
        self.refs: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag in _MERGE_CELL:
            self.refs.append(attrib.get("ref", ""))

    def close(self) -> list[str]:
        return self.refs


_MERGE_WORD: Final = b"mergeCell"


def _mentions_merges(stream: _PartStream) -> bool:
    """Whether the part's bytes contain ``mergeCell`` (UTF-16 parts are assumed to)."""
    tail = b""
    first = True
    while chunk := stream.read(_CHUNK):
        if first and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:4]):
            return True
        first = False
        if _MERGE_WORD in tail + chunk:
            return True
        tail = chunk[-(len(_MERGE_WORD) - 1) :]
    return False


def _read_merged(
    archive: _Archive, info: zipfile.ZipInfo, part: str
) -> tuple[tuple[int, int, int, int], ...]:
    with archive.open(info, part) as stream:
        if not _mentions_merges(stream):
            return ()
    collector = _MergeCollector()
    with archive.open(info, part) as stream:
        try:
            parser = SafeET.XMLParser(target=collector, forbid_dtd=True)
            while chunk := stream.read(_CHUNK):
                parser.feed(chunk)
            parser.close()
        except _READ_ERRORS as exc:
            raise _as_xlsx_error(exc, part) from exc
    return tuple(sorted({_range_in(ref, part) for ref in collector.refs}))


# --- rows (main pass) ---------------------------------------------------------------------------

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


def _read_cell(elem: Element, row: int, column: int, source: _SheetSource) -> XCell | None:
    """The cell ``elem`` at (row, column), or None when it is empty (no value, no formula)."""
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
        return XCell(row, column, CellKind.TEXT, _rich_text(inline), formula)
    if kind in ("str", "inlineStr"):  # an empty string result is still a value
        if raw is None:
            return None if formula is None else XCell(row, column, CellKind.NO_VALUE, "", formula)
        return XCell(row, column, CellKind.TEXT, _unescape(raw), formula)
    raw = raw.strip() if raw else None
    if raw is None:
        return None if formula is None else XCell(row, column, CellKind.NO_VALUE, "", formula)
    cell_kind, text = _typed_value(elem, kind, raw, row, column, source)
    return XCell(row, column, cell_kind, text, formula)


def _typed_value(
    elem: Element, kind: str, raw: str, row: int, column: int, source: _SheetSource
) -> tuple[CellKind, str]:
    """The kind and text of a non-string cell whose ``<v>`` holds ``raw`` (not empty)."""
    if kind == "n":
        if not _NUMBER.fullmatch(raw):
            ref = f"{column_letter(column)}{row}"
            raise XlsxError(f"cell {ref} of {source.part} holds {raw[:40]!r}, not a number")
        style_attr = elem.get("s")
        if style_attr is None or not source.date_styles:
            return CellKind.NUMBER, raw
        ref = f"{column_letter(column)}{row}"
        style = _int_attr(style_attr, 0, f"style of cell {ref}", source.part)
        return (CellKind.DATE if style in source.date_styles else CellKind.NUMBER), raw
    ref = f"{column_letter(column)}{row}"
    if kind == "s":
        index = _int_attr(raw, 0, f"shared-string index of cell {ref}", source.part)
        if index >= len(source.shared_strings):
            raise XlsxError(
                f"cell {ref} of {source.part} refers to shared string {index}, "
                f"but the workbook has {len(source.shared_strings)}"
            )
        return CellKind.TEXT, source.shared_strings[index]
    if kind == "b":
        flag = {"1": "TRUE", "0": "FALSE", "true": "TRUE", "false": "FALSE"}.get(raw.lower())
        if flag is None:
            raise XlsxError(f"cell {ref} of {source.part} holds {raw[:40]!r}, not a boolean")
        return CellKind.BOOL, flag
    if kind == "e":
        return CellKind.ERROR, raw
    if kind == "d":
        return CellKind.DATE, raw
    raise XlsxError(f"cell {ref} of {source.part} has unknown type {kind[:20]!r}")


def _row_number(value: str | None, last: int, part: str) -> int:
    if value is None:
        number = last + 1
    else:
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 7:
            raise XlsxError(f"bad row number {value[:20]!r} in {part}")
        number = int(text)
    if not 1 <= number <= EXCEL_MAX_ROW:
        raise XlsxError(f"row {number} in {part} is outside 1 to {EXCEL_MAX_ROW}")
    if number <= last:
        raise XlsxError(f"row {number} comes after row {last} in {part}; rows must be in order")
    return number


def _stream_rows(source: _SheetSource) -> Iterator[tuple[int, list[XCell]]]:
    source.beyond_columns = None
    source.beyond_columns_count = 0
    part = source.part
    try:
        with _open_archive(source.path) as archive:
            info = archive.find(part)
            measured = (source.crc, source.file_size, source.compress_size)
            if info is None or (info.CRC, info.file_size, info.compress_size) != measured:
                raise XlsxError(f"the workbook changed while it was being read ({part})")
            with archive.open(info, part) as stream:
                yield from _parse_rows(stream, source)
    except XlsxError:
        raise
    except _READ_ERRORS as exc:
        raise _as_xlsx_error(exc, part) from exc


def _parse_rows(stream: _PartStream, source: _SheetSource) -> Iterator[tuple[int, list[XCell]]]:
    """The main pass: ``<worksheet><sheetData><row><c>``, each cell dropped once read."""
    part = source.part
    stack: list[Element] = []
    row_elem: Element | None = None
    row = last_row = 0
    next_column = 1
    cells: dict[int, XCell] = {}
    row_beyond = False
    for event, elem in _events(stream, part, ("start", "end")):
        if event == "start":
            if not stack and elem.tag not in _WORKSHEET:
                raise XlsxError(f"{part} is not a worksheet")
            stack.append(elem)
            if len(stack) == 3 and elem.tag in _ROW and stack[1].tag in _SHEET_DATA:
                row_elem = elem
                row = _row_number(elem.get("r"), last_row, part)
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
                yield row, [cells[column] for column in sorted(cells)]
            del stack[-1][:]
        elif stack[-1] is row_elem:  # a child of the row, complete with its own children
            if elem.tag in _CELL:
                next_column, beyond = _take_cell(elem, row, next_column, cells, source)
                row_beyond = row_beyond or beyond
            del row_elem[:]
        # else: inside a cell, kept until the cell ends


def _take_cell(
    elem: Element, row: int, next_column: int, cells: dict[int, XCell], source: _SheetSource
) -> tuple[int, bool]:
    """Read a ``<c>`` into ``cells``; return the next column and whether it lay beyond the limit."""
    part = source.part
    ref = elem.get("r")
    if ref is None:
        column = next_column
        if column > EXCEL_MAX_COLUMN:
            raise XlsxError(f"row {row} of {part} has cells beyond column XFD")
    else:
        cell_row, column = _ref_in(ref, part)
        if cell_row != row:
            raise XlsxError(f"cell {ref} is inside row {row} in {part}")
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
            raise XlsxError(f"cell {cell.ref} appears twice in {part}")
        cells[column] = cell
    return column + 1, False


# --- the entry point ----------------------------------------------------------------------------


def read_workbook(path: Path) -> list[Sheet]:
    """Read a workbook's structure and return its worksheets in workbook order.

    Checks the parts' sizes from the zip directory before decompressing them, then reads the
    workbook, its relationships, the shared strings and the styles, and collects each worksheet's
    merged ranges. Rows are read later, by :meth:`Sheet.rows`. Chart, dialog and macro sheets are
    skipped. Raises :class:`XlsxError` and nothing else for a file that cannot be read.
    """
    path = Path(path)
    with _open_archive(path) as archive:
        try:
            return _read_structure(path, archive)
        except XlsxError:
            raise
        except _READ_ERRORS as exc:
            raise XlsxError(f"cannot read the workbook ({_one_line(exc)})") from exc


def _read_structure(path: Path, archive: _Archive) -> list[Sheet]:
    measured: list[tuple[str, zipfile.ZipInfo]] = []

    def measure(part: str, what: str = "") -> zipfile.ZipInfo:
        """Add ``part`` to what will have been read, and check the total before reading it."""
        info = archive.need(part, what)
        measured.append((part, info))
        _check_parts(measured)
        return info

    if archive.has(_rels_part("")):
        measure(_rels_part(""))
    package_rels = _read_rels(archive, "")
    main = _of_type(package_rels, "/officeDocument")
    if main is None or not archive.has(main):
        main = "xl/workbook.xml"
    if not archive.has(main) and archive.has("xl/workbook.bin"):
        raise XlsxError("an XLSB (binary) workbook is not supported; save it as .xlsx")
    measure(main)
    if archive.has(_rels_part(main)):
        measure(_rels_part(main))
    workbook_rels = _read_rels(archive, main)
    entries, date1904 = _read_workbook_part(archive, main, workbook_rels)

    strings_part = _of_type(workbook_rels, "/sharedStrings")
    if strings_part is None and archive.has("xl/sharedStrings.xml"):
        strings_part = "xl/sharedStrings.xml"
    styles_part = _of_type(workbook_rels, "/styles")
    if styles_part is None and archive.has("xl/styles.xml"):
        styles_part = "xl/styles.xml"
    # The larger parts, measured all together before any of them is decompressed.
    for optional in (strings_part, styles_part):
        if optional is not None:
            measure(optional)
    infos = [measure(entry.part, f" (sheet {entry.name!r})") for entry in entries]

    shared_strings = _read_shared_strings(archive, strings_part)
    date_styles = _read_date_styles(archive, styles_part)
    sheets: list[Sheet] = []
    for entry, info in zip(entries, infos, strict=True):
        source = _SheetSource(
            path=path,
            part=entry.part,
            crc=info.CRC,
            file_size=info.file_size,
            compress_size=info.compress_size,
            shared_strings=shared_strings,
            date_styles=date_styles,
        )
        merged = _read_merged(archive, info, entry.part)
        sheets.append(Sheet(entry.name, merged, entry.state, date1904, source))
    return sheets
