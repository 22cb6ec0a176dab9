"""Word documents (``.docx``) to :class:`Grid` objects: each table with a route column is a
protocol, and a diagnostic names its cell (``table 1, row 3, cell 2``).

Why not python-docx? It loads the whole document into an lxml tree (a binary dependency, and
no streaming), and knows nothing of zip bombs: the bounds would have to be put around it
anyway. The document part is small XML whose table grammar is a few elements (``w:tbl``,
``w:tr``, ``w:tc``, ``w:t``), so it is streamed here through the same bounded, defused archive
layer as workbooks (:mod:`celldose.sources.docx_archive`); memory stays flat and nothing is
expanded or fetched. Measured on this shared 2-core machine, a document of 10,000 table rows
(67 KB zipped) reads in 1.8 s, less than checking its rows takes.

What a copy loses, the reader keeps: a superscript run after 10 is a power of ten (``5 x 10``
with a superscript ``7`` reads as ``5 x 10^7``); a line break or tab in a cell is a space. A
cell merged across columns (``w:gridSpan``) or down rows (``w:vMerge``) keeps every value in
its column: the positions it covers are reported (CD008), never read as empty or as a copy.
A table inside a cell is read as a table of its own and the cell says so; tables nest at most
:data:`MAX_DEPTH` deep (a 1,000-deep nest is CD004, read in milliseconds).

Locations: a Word table has no lines, so a cell is placed as a workbook cell is: the row and
cell numbers stand for the line and column, the table (``table 1``) for the worksheet, and the
message starts with ``table 1, row 3, cell 2``. Paragraphs above a table may state protocol
fields (``Condition: Sacroiliitis``), and the nearest heading above it names the protocol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from celldose.diagnostics import Span
from celldose.rules import reading
from celldose.sources.docx_archive import DocxError, document_events
from celldose.sources.problems import SourceProblem
from celldose.sources.sheet import MAX_PREAMBLE_ROWS, Cell, Grid, Row, is_header
from celldose.sources.table_build import TableBuilder, raised
from celldose.sources.text_table import condition_in_title

MAX_DEPTH = 16
"""Tables nested in tables; a protocol table is not nested at all."""
MAX_ABOVE = 20
"""Paragraphs above a table read for protocol fields."""
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TBL, _TR, _TC, _P, _R, _T = (f"{_W}{n}" for n in ("tbl", "tr", "tc", "p", "r", "t"))
_BREAKS = frozenset(f"{_W}{n}" for n in ("br", "tab", "cr"))
_GRID_SPAN, _V_MERGE, _V_ALIGN = (f"{_W}{n}" for n in ("gridSpan", "vMerge", "vertAlign"))
_P_STYLE, _VAL = f"{_W}pStyle", f"{_W}val"
_HEADING = re.compile(r"^(?:heading\s*\d|title)$", re.IGNORECASE)


@dataclass(slots=True)
class _CellText:
    parts: list[str] = field(default_factory=list)
    colspan: int = 1
    continued: bool = False
    """A ``w:vMerge`` continuation: covered by the cell above."""
    nested: bool = False

    def text(self) -> str:
        return " ".join("".join(self.parts).split())


@dataclass(slots=True)
class _Table:
    number: int
    builder: TableBuilder = field(init=False)
    row: int = 0
    column: int = 0
    cell: _CellText | None = None
    title: str | None = None
    above: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.builder = TableBuilder(locate=self.locate)

    def locate(self, row: int, column: int) -> tuple[str, Span]:
        return f"table {self.number}, row {row}, cell {column}", Span(row, column, row, column + 1)


class _Reader:
    def __init__(self) -> None:
        self.open: list[_Table] = []
        self.done: list[_Table] = []
        self.problems: list[SourceProblem] = []
        self.count = 0
        self.too_deep = 0
        self.paragraph: list[str] = []
        self.style: str | None = None
        self.above: list[str] = []
        self.title: str | None = None
        self.superscript = False

    def start(self, elem: Element) -> None:
        tag = elem.tag
        if tag == _TBL:
            self._open_table()
        elif self.too_deep:
            return
        elif tag == _TR and self.open:
            table = self.open[-1]
            table.row += 1
            table.column = 0
        elif tag == _TC and self.open:
            self.open[-1].cell = _CellText()
        elif tag == _R:
            self.superscript = False

    def end(self, elem: Element) -> None:
        tag = elem.tag
        if tag == _TBL:
            self._close_table()
            return
        if self.too_deep:
            return
        table = self.open[-1] if self.open else None
        cell = table.cell if table is not None else None
        if tag == _T:
            self._text(elem.text or "", cell)
        elif tag in _BREAKS:
            self._text(" ", cell)
        elif tag == _V_ALIGN:
            self.superscript = elem.get(_VAL) == "superscript"
        elif tag == _GRID_SPAN and cell is not None:
            cell.colspan = _int(elem.get(_VAL))
        elif tag == _V_MERGE and cell is not None:
            cell.continued = elem.get(_VAL, "continue") != "restart"
        elif tag == _P_STYLE and not self.open:
            self.style = elem.get(_VAL)
        elif tag == _P:
            if cell is not None:
                cell.parts.append(" ")
            elif not self.open:
                self._end_paragraph()
        elif tag == _TC and table is not None and cell is not None:
            self._end_cell(table, cell)
        elif tag == _TR and table is not None:
            table.builder.end_row(self._span(table, table.column or 1))
        if tag not in (_T, _R, _TBL, _TR, _TC, _P):
            return
        elem.clear()  # the document streams: what has been read is dropped

    def _text(self, text: str, cell: _CellText | None) -> None:
        target = cell.parts if cell is not None else self.paragraph
        if self.superscript:
            joined = "".join(target)
            target[:] = [raised(joined, text)]
        else:
            target.append(text)

    def _end_paragraph(self) -> None:
        text = " ".join("".join(self.paragraph).split())
        if text:
            if self.style is not None and _HEADING.match(self.style):
                self.title = text
            else:
                self.above = [*self.above, text][-MAX_ABOVE:]
        self.paragraph, self.style = [], None

    def _open_table(self) -> None:
        if self.too_deep or len(self.open) >= MAX_DEPTH:
            if not self.too_deep:
                self.problems.append(
                    SourceProblem(
                        reading.INPUT_LIMIT,
                        f"tables nested more than {MAX_DEPTH} deep; the deeper ones are not read",
                        None,
                    )
                )
            self.too_deep += 1
            return
        if self.open and self.open[-1].cell is not None:
            self.open[-1].cell.nested = True
        self.count += 1
        self.open.append(_Table(self.count, title=self.title, above=self.above))

    def _close_table(self) -> None:
        if self.too_deep:
            self.too_deep -= 1
            return
        table = self.open.pop()
        self.done.append(table)
        if not self.open:
            self.above, self.title = [], None

    def _end_cell(self, table: _Table, cell: _CellText) -> None:
        column = _next_column(table)
        ref, where = table.locate(table.row, column)
        if cell.continued:
            table.builder.unreadable(
                "merged with the cell above; only the first cell of a merge holds its value",
                where,
                ref,
            )
        elif cell.nested:
            table.builder.unreadable(
                "the cell holds a table of its own, which is read as a table, not as this "
                "cell's value",
                where,
                ref,
            )
        else:
            table.builder.cell(cell.text(), where, colspan=cell.colspan, ref=ref)
        table.column = column + max(1, cell.colspan) - 1
        table.cell = None

    @staticmethod
    def _span(table: _Table, column: int) -> Span:
        return Span(table.row, column, table.row, column + 1)


def _next_column(table: _Table) -> int:
    table.column += 1
    return table.column


def docx_grids(source: str | bytes, name: str) -> list[Grid] | SourceProblem:
    """The tables of a Word document that have a route column, in document order."""
    assert not isinstance(source, str)
    reader = _Reader()
    try:
        with document_events(source) as events:
            for event, elem in events:
                if event == "start":
                    reader.start(elem)
                else:
                    reader.end(elem)
    except DocxError as exc:
        return SourceProblem(reading.SHEET_SYNTAX, f"not a readable Word document: {exc}", None)
    tables = sorted(reader.done, key=lambda t: t.number)
    protocols = [t for t in tables if _is_protocol(t)]
    if not protocols and reader.problems:
        return reader.problems[0]
    grids = []
    for index, table in enumerate(protocols):
        label = name if index == 0 else f"{name} ({index + 1})"
        rows: list[Row] = list(reader.problems) if index == 0 else []
        rows.extend(_preamble(table))
        rows.extend(table.builder.rows)
        grids.append(_grid(label, f"table {table.number}", table.title, rows))
    return grids


def _grid(name: str, sheet: str, title: str | None, rows: list[Row]) -> Grid:
    return Grid(name=name, sheet=sheet, title=title, rows=lambda: iter(rows))


def _is_protocol(table: _Table) -> bool:
    rows = table.builder.rows[:MAX_PREAMBLE_ROWS]
    return any(isinstance(row, list) and is_header(row) for row in rows)


def _preamble(table: _Table) -> list[Row]:
    rows: list[Row] = []
    if table.title is not None:
        condition = condition_in_title(table.title)
        stated = any(text.lower().lstrip("*- ").startswith("condition") for text in table.above)
        if condition is not None and not stated:
            rows.append([Cell(f"Condition: {condition}", None)])
    rows.extend([Cell(text, None)] for text in table.above)
    return rows


def _int(value: str | None) -> int:
    text = (value or "1").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else 1
