"""Saved web pages (``.html``, ``.htm``) to :class:`Grid` objects: each ``<table>`` with a
route column is a protocol, located by the line and column of the page's source.

Why the standard library's ``html.parser``, not lxml or selectolax? It reports the line and
column of every tag, which a diagnostic needs (lxml gives an element's line only). It needs no
wheel (lxml and selectolax ship binary wheels per Python version and platform, and libxml2 has
had its share of advisories), builds no tree (10,000 nested tags cost nothing but the tags),
never fetches anything (no DTD, no external entity: HTML's named character references are a
fixed table) and runs no script (the text of ``<script>``, ``<style>`` and ``<template>`` is
skipped). It is slower: measured on this shared 2-core machine, 2 MB of table markup (25,000
rows) takes 2.1 s in the bare parser and 5.8 s with this reader, where lxml's ``iterparse``
takes 0.26 s; but checking those 25,000 rows takes about as long again, and a protocol page of
a few kilobytes parses in milliseconds with either. The page is bounded by the 10 MiB limit
every file has.

What copying a page loses, the reader keeps: ``<br>`` inside a cell is a space, entities are
decoded (``&nbsp;``, ``&times;``), and a superscript after 10 is a power of ten
(``5 &times; 10<sup>7</sup>`` reads as 5 times ``10^7``). ``colspan`` and ``rowspan`` keep each
value in its column (:mod:`celldose.sources.table_build`). The nearest heading above a table
(or its ``<caption>``) names the protocol; paragraphs above it may state protocol fields
(``Condition: Sacroiliitis``), as lines above a sheet's table do. Tables nest at most
:data:`MAX_DEPTH` deep; a deeper one is reported and not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from celldose.diagnostics import Span
from celldose.rules import reading
from celldose.sources.lines import LineIndex
from celldose.sources.problems import SourceProblem
from celldose.sources.sheet import MAX_PREAMBLE_ROWS, Cell, Grid, Row, is_header
from celldose.sources.table_build import TableBuilder, raised
from celldose.sources.text_table import condition_in_title

MAX_DEPTH = 16
"""Tables nested in tables; a protocol table is not nested at all."""
MAX_ABOVE = 20
"""Paragraphs above a table read for protocol fields."""
_SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "title"})
_BLOCKS = frozenset(
    {"p", "div", "li", "dd", "dt", "section", "article", "header", "footer", "blockquote", "pre"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass(slots=True)
class _Text:
    """Text being collected (a cell, a paragraph, a heading) and where it starts and ends."""

    parts: list[str] = field(default_factory=list)
    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None
    sup: int | None = None
    """Where a ``<sup>`` started in ``parts``' joined text."""

    def add(self, data: str, at: tuple[int, int]) -> None:
        if self.start is None and data.strip():
            self.start = at
        self.parts.append(data)

    def text(self) -> str:
        joined = self.parts[0] if len(self.parts) == 1 else "".join(self.parts)
        return " ".join(joined.split())  # every run of white space (and &nbsp;) is one space

    def open_sup(self) -> None:
        self.sup = len("".join(self.parts))

    def close_sup(self) -> None:
        if self.sup is None:
            return
        joined = "".join(self.parts)
        self.parts = [raised(joined[: self.sup], joined[self.sup :])]
        self.sup = None


@dataclass(slots=True)
class _Table:
    builder: TableBuilder = field(default_factory=TableBuilder)
    cell: _Text | None = None
    spans: tuple[int, int] = (1, 1)
    nested: bool = False
    """The open cell holds a table of its own."""
    caption: _Text | None = None
    title: str | None = None
    above: list[Cell] = field(default_factory=list)
    in_row: bool = False


class _PageParser(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.index = LineIndex(text)
        self.tables: list[_Table] = []
        self.done: list[_Table] = []
        self.problems: list[SourceProblem] = []
        self.skipping: str | None = None
        self.too_deep = 0
        self.block: _Text | None = None
        self.heading: _Text | None = None
        self.title: str | None = None
        self.above: list[Cell] = []

    # positions ----------------------------------------------------------------------------

    def span(self, start: tuple[int, int] | None, end: tuple[int, int] | None) -> Span | None:
        if start is None:
            return None
        line, column = start
        last_line, last_column = end if end is not None else (line, column + 1)
        if (last_line, last_column) <= (line, column):
            last_line, last_column = line, column + 1
        return Span(line, column + 1, last_line, last_column + 1)

    # tags ---------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is not None:
            return
        if tag in _SKIPPED:
            self.skipping = tag
            return
        if self.too_deep:
            if tag == "table":
                self.too_deep += 1
            return
        table = self.tables[-1] if self.tables else None
        if tag == "table":
            self._open_table()
        elif tag == "caption" and table is not None:
            table.caption = _Text()
        elif tag == "tr" and table is not None:
            self._end_row(table)
            table.in_row = True
        elif tag in ("td", "th") and table is not None:
            self._end_cell(table)
            table.in_row = True
            table.cell = _Text()
            table.spans = (
                (_number(attrs, "colspan"), _number(attrs, "rowspan")) if attrs else (1, 1)
            )
        elif tag == "br":
            self._data(" ")
        elif tag == "sup":
            target = self._target()
            if target is not None:
                target.open_sup()
        elif tag in _HEADINGS and not self.tables:
            self._end_block()
            self.heading = _Text()
        elif tag in _BLOCKS and not self.tables:
            self._end_block()
            self.block = _Text()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self.skipping is None:
            self._data(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.skipping = None
            return
        if self.too_deep:
            if tag == "table":
                self.too_deep -= 1
            return
        table = self.tables[-1] if self.tables else None
        if tag == "table" and table is not None:
            self._close_table(table)
        elif tag == "caption" and table is not None and table.caption is not None:
            table.title = table.caption.text() or None
            table.caption = None
        elif tag in ("td", "th") and table is not None:
            if table.cell is not None:
                table.cell.end = self.getpos()
            self._end_cell(table)
        elif tag == "tr" and table is not None:
            self._end_row(table)
        elif tag == "sup":
            target = self._target()
            if target is not None:
                target.close_sup()
        elif tag in _HEADINGS and self.heading is not None:
            self.title = self.heading.text() or self.title
            self.heading = None
        elif tag in _BLOCKS:
            self._end_block()

    def handle_data(self, data: str) -> None:
        if self.skipping is None and not self.too_deep:
            self._data(data)

    # helpers ------------------------------------------------------------------------------

    def _data(self, data: str) -> None:
        target = self._target()
        if target is not None:
            target.add(data, self.getpos())
            target.end = _after(self.getpos(), data)

    def _target(self) -> _Text | None:
        if self.tables:
            table = self.tables[-1]
            return table.caption if table.caption is not None else table.cell
        if self.heading is not None:
            return self.heading
        if self.block is None:
            self.block = _Text()
        return self.block

    def _end_block(self) -> None:
        if self.block is not None and self.block.text():
            span = self.span(self.block.start, self.block.end)
            self.above = [*self.above, Cell(self.block.text(), span)][-MAX_ABOVE:]
        self.block = None

    def _open_table(self) -> None:
        if len(self.tables) >= MAX_DEPTH:
            line, column = self.getpos()
            self.problems.append(
                SourceProblem(
                    reading.INPUT_LIMIT,
                    f"tables nested more than {MAX_DEPTH} deep; the deeper ones are not read",
                    Span(line, column + 1, line, column + 7),
                )
            )
            self.too_deep = 1
            return
        if not self.tables:
            self._end_block()
        elif self.tables[-1].cell is not None:
            self.tables[-1].nested = True
        self.tables.append(_Table(title=self.title, above=self.above))

    def _close_table(self, table: _Table) -> None:
        self._end_row(table)
        self.tables.pop()
        self.done.append(table)
        if not self.tables:
            self.above, self.title = [], None

    def _end_cell(self, table: _Table) -> None:
        cell = table.cell
        if cell is None:
            return
        colspan, rowspan = table.spans
        if table.nested:
            table.nested = False
            table.cell = None
            table.builder.unreadable(
                "the cell holds a table of its own, which is read as a table, not as this "
                "cell's value",
                self.span(cell.start or cell.end, cell.end),
            )
            return
        table.builder.cell(
            cell.text(),
            self.span(cell.start or cell.end, cell.end),
            colspan=colspan,
            rowspan=rowspan,
        )
        table.cell = None

    def _end_row(self, table: _Table) -> None:
        self._end_cell(table)
        if table.in_row:
            line, column = self.getpos()
            table.builder.end_row(Span(line, column + 1, line, column + 2))
        table.in_row = False

    def close(self) -> None:
        super().close()
        while self.tables:  # a page cut short: its open tables end with it
            self._close_table(self.tables[-1])


def html_grids(text: str, name: str) -> list[Grid] | SourceProblem:
    """The tables of a page that have a route column, in the order they start."""
    parser = _PageParser(text)
    parser.feed(text)
    parser.close()
    ordered = sorted(parser.done, key=_first_position)
    if parser.problems and not any(_is_protocol(t) for t in ordered):
        return parser.problems[0]
    grids: list[Grid] = []
    for table in ordered:
        if not _is_protocol(table):
            continue
        rows = table.builder.rows
        label = name if not grids else f"{name} ({len(grids) + 1})"
        preamble = _preamble(table)
        problems: list[Row] = list(parser.problems) if not grids else []
        grids.append(_grid(label, table.title, [*problems, *preamble, *rows]))
    return grids


def _is_protocol(table: _Table) -> bool:
    rows = table.builder.rows[:MAX_PREAMBLE_ROWS]
    return any(isinstance(r, list) and is_header(r) for r in rows)


def _grid(name: str, title: str | None, rows: list[Row]) -> Grid:
    return Grid(name=name, rows=lambda: iter(rows), title=title)


def _preamble(table: _Table) -> list[Row]:
    rows: list[Row] = []
    if table.title is not None:
        condition = condition_in_title(table.title)
        stated = any(c.text.lower().lstrip("*- ").startswith("condition") for c in table.above)
        if condition is not None and not stated:
            rows.append([Cell(f"Condition: {condition}", None)])
    rows.extend([cell] for cell in table.above)
    return rows


def _first_position(table: _Table) -> tuple[int, int]:
    for row in table.builder.rows:
        if isinstance(row, list):
            for cell in row:
                if cell.span is not None:
                    return (cell.span.line, cell.span.column)
    return (1 << 30, 0)


def _number(attrs: list[tuple[str, str | None]], name: str) -> int:
    value = dict(attrs).get(name) or "1"
    digits = re.match(r"\s*(\d{1,6})", value)
    return int(digits.group(1)) if digits else 1


def _after(at: tuple[int, int], data: str) -> tuple[int, int]:
    """The position after ``data``, which starts at ``at`` (line, 0-based column)."""
    line, column = at
    breaks = data.count("\n")
    if breaks:
        return line + breaks, len(data) - data.rfind("\n") - 1
    return line, column + len(data)
