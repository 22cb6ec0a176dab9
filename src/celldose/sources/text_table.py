"""Pasted text to :class:`Grid` objects: the protocol tables found in a page of prose.

Text copied from a web page, a PDF or a word processor holds its table in one of four shapes,
each told by its header line (a line naming a route column and at least one more column
celldose knows):

* **pipes**: ``Route | Dose | Days | Total``, a Markdown-like table inside prose;
* **tabs**: a browser copies an HTML table as tab-separated cells;
* **aligned**: cells separated by two or more spaces (text copied from a PDF); a row with a
  missing cell is placed by where its cells stand under the header, never shifted;
* **run together**: the separators were lost (:mod:`celldose.sources.run_together`).

A table ends at a line that is not a row of its shape (prose, references), or at a blank line
(one blank line is skipped inside a table of tabs, pipes or run-together rows, whose rows
cannot be mistaken for prose). The nearest heading-like line above a table (short, on its own
between blank lines, no sentence punctuation) names the protocol; a title of the form
``Sacroiliitis and Stem Cells`` also gives the condition. Lines above a table of the form
``Condition: Sacroiliitis`` state protocol fields, as in every sheet.

Recovery is never silent: each run-together row gets a CD015 info saying how it was read, and
a row that cannot be read (CD016 ambiguous, CD017 not splittable or not alignable) is reported
and left out rather than read wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from celldose.diagnostics import quote
from celldose.rules import reading
from celldose.sources.columns import REQUIRED, Column, protocol_field, recognize
from celldose.sources.csv_source import MAX_COLUMNS
from celldose.sources.lines import LineIndex, split_lines
from celldose.sources.markdown_source import _SEPARATOR, _table_cells
from celldose.sources.problems import SourceProblem
from celldose.sources.run_together import (
    MAX_RUN,
    Outcome,
    Reading,
    Split,
    header_columns,
    split_row,
)
from celldose.sources.sheet import Cell, Grid, Row

MAX_LINE = 4096
"""A line longer than this is prose: it is never split into cells (a 5 MB line costs one
length check)."""
MAX_ABOVE = 20
"""Lines above a table read for protocol fields (``Condition: ...``) and its title."""
_GAP = re.compile(r"\t|\s{2,}")
_TITLE_WORDS = 8
_TITLE_CHARS = 60
_CONDITION = re.compile(
    r"^(?:(?P<before>.+?)\s+(?:and|&)\s+(?:stem\s+cells?(?:\s+therapy)?|mscs?)"
    r"|(?:stem\s+cells?(?:\s+therapy)?|mscs?)\s+(?:for|and)\s+(?P<after>.+?))$",
    re.IGNORECASE,
)
_FIELD_LINE = re.compile(r"^\s*[-*]?\s*\**(?P<label>[^:*|]{1,60}?)\**\s*:")


class Shape(Enum):
    PIPES = "pipes"
    TABS = "tabs"
    ALIGNED = "aligned"
    RUN_TOGETHER = "run together"


@dataclass(frozen=True, slots=True)
class _Table:
    shape: Shape
    header: int
    """The header's line number, from 0."""
    end: int
    """The line after the table's last row."""
    above: tuple[int, ...]
    """The non-empty lines above the header read for protocol fields."""
    title: int | None


class _Page:
    """The lines of a text and where each starts."""

    def __init__(self, text: str) -> None:
        self.lines = [line.rstrip("\r\n") for line in split_lines(text)]
        self.offsets = [0]
        for line in split_lines(text):
            self.offsets.append(self.offsets[-1] + len(line))
        self.index = LineIndex(text)

    def cell(self, number: int, start: int, end: int, text: str | None = None) -> Cell:
        """A cell of line ``number`` from character ``start`` to ``end`` of that line."""
        offset = self.offsets[number]
        value = self.lines[number][start:end].strip() if text is None else text
        return Cell(value, self.index.span(offset + start, offset + max(end, start + 1)))

    def blank(self, number: int) -> bool:
        return number >= len(self.lines) or not self.lines[number].strip()


def text_grids(text: str, name: str) -> list[Grid]:
    """The protocol tables of a page of pasted text, each as a grid."""
    page = _Page(text)
    grids: list[Grid] = []
    number, after = 0, 0
    while number < len(page.lines):
        shape = _header_shape(page.lines[number])
        if shape is None:
            number += 1
            continue
        end = _table_end(page, number, shape)
        above = tuple(n for n in range(max(after, number - MAX_ABOVE), number) if not page.blank(n))
        table = _Table(shape, number, end, above, _title(page, after, number))
        label = name if not grids else f"{name} ({len(grids) + 1})"
        grids.append(_grid(page, table, label))
        number = after = end
    return grids


def _header_shape(line: str) -> Shape | None:
    if not line.strip() or len(line) > MAX_LINE:
        return None
    if "|" in line and _names_protocol(c.strip() for c in line.strip().strip("|").split("|")):
        return Shape.PIPES
    if "\t" in line and _names_protocol(line.split("\t")):
        return Shape.TABS
    if _GAP.search(line.strip()) and _names_protocol(_GAP.split(line.strip())):
        return Shape.ALIGNED
    if header_columns(line) is not None:
        return Shape.RUN_TOGETHER
    return None


def _names_protocol(texts: Iterator[str] | list[str]) -> bool:
    """A route column and at least one more of the columns every protocol has: prose that
    happens to start with "Route" is not a header."""
    fields = {c.field for t in texts if t.strip() and isinstance(c := recognize(t), Column)}
    return "route" in fields and len(fields & set(REQUIRED)) >= 2


def _table_end(page: _Page, header: int, shape: Shape) -> int:
    fields = _run_fields(page.lines[header]) if shape is Shape.RUN_TOGETHER else ()
    number = header + 1
    while number < len(page.lines):
        if _is_row(page.lines[number], shape, fields):
            number += 1
        elif (
            shape is not Shape.ALIGNED
            and page.blank(number)
            and number + 1 < len(page.lines)
            and _is_row(page.lines[number + 1], shape, fields)
        ):
            number += 2
        else:
            break
    return number


def _is_row(line: str, shape: Shape, fields: tuple[str, ...]) -> bool:
    if not line.strip() or len(line) > MAX_LINE:
        return False
    if shape is Shape.PIPES:
        return "|" in line
    if shape is Shape.TABS:
        return "\t" in line
    if shape is Shape.ALIGNED:
        return len(_GAP.split(line.strip())) >= 2
    return split_row(line, fields) is not None


def _run_fields(header: str) -> tuple[str, ...]:
    columns = header_columns(header)
    assert columns is not None
    return tuple(column.field for _, column in columns[1:])


def _title(page: _Page, start: int, header: int) -> int | None:
    """The nearest heading-like line above the header: on its own between blank lines, short,
    without sentence punctuation or a ``Label:``."""
    for number in range(header - 1, max(start, header - 200) - 1, -1):
        text = page.lines[number].strip().lstrip("#").strip()
        if (
            text
            and (number == 0 or page.blank(number - 1))
            and page.blank(number + 1)
            and len(text) <= _TITLE_CHARS
            and len(text.split()) <= _TITLE_WORDS
            and text[-1] not in '.,;:!?\u201d"'
            and text[0] not in "\u201c\"'("
            and ":" not in text
        ):
            return number
    return None


def _grid(page: _Page, table: _Table, name: str) -> Grid:
    title = page.lines[table.title].strip().lstrip("#").strip() if table.title is not None else None

    def rows() -> Iterator[Row]:
        yield from _condition(page, table)
        for number in table.above:
            yield [page.cell(number, 0, len(page.lines[number]))]
        yield from _table_rows(page, table)

    return Grid(name=name, rows=rows, title=title)


def _condition(page: _Page, table: _Table) -> Iterator[Row]:
    """``Condition: X`` from a title ``X and Stem Cells``, unless a line above states one."""
    if table.title is None:
        return
    for number in table.above:
        label = _FIELD_LINE.match(page.lines[number])
        if label and protocol_field(label.group("label")) == "condition":
            return
    line = page.lines[table.title]
    condition = condition_in_title(line.strip().lstrip("#").strip())
    if condition is not None:
        start = line.index(condition)
        yield [page.cell(table.title, start, start + len(condition), f"Condition: {condition}")]


def condition_in_title(title: str) -> str | None:
    """The condition a title names plainly: ``Sacroiliitis and Stem Cells``, ``Stem Cell
    Therapy for Knee Osteoarthritis``; None for any other title."""
    match = _CONDITION.match(title.strip())
    if match is None:
        return None
    return (match.group("before") or match.group("after")).strip() or None


def _table_rows(page: _Page, table: _Table) -> Iterator[Row]:
    if table.shape is Shape.PIPES:
        yield from _pipe_rows(page, table)
    elif table.shape is Shape.TABS:
        for number in range(table.header, table.end):
            if not page.blank(number):
                yield _split_at(page, number, "\t")
    elif table.shape is Shape.ALIGNED:
        yield from _aligned_rows(page, table)
    else:
        yield from _run_rows(page, table)


def _pipe_rows(page: _Page, table: _Table) -> Iterator[Row]:
    for number in range(table.header, table.end):
        line = page.lines[number]
        if page.blank(number) or (_SEPARATOR.match(line) and "-" in line):
            continue
        cells = _table_cells(line, page.offsets[number], page.index)
        if cells is not None:
            yield cells[:MAX_COLUMNS]


def _split_at(page: _Page, number: int, separator: str) -> list[Cell]:
    line = page.lines[number]
    cells, start = [], 0
    for part in line.split(separator)[:MAX_COLUMNS]:
        lead = len(part) - len(part.lstrip())
        cells.append(page.cell(number, start + lead, start + len(part.rstrip())))
        start += len(part) + len(separator)
    return cells


def _gaps(line: str) -> list[tuple[int, int]]:
    """The stretches of a line between gaps of two or more spaces (or tabs)."""
    stripped = line.strip()
    lead = len(line) - len(line.lstrip())
    stretches, start = [], 0
    for gap in _GAP.finditer(stripped):
        stretches.append((lead + start, lead + gap.start()))
        start = gap.end()
    stretches.append((lead + start, lead + len(stripped)))
    return stretches[:MAX_COLUMNS]


def _aligned_rows(page: _Page, table: _Table) -> Iterator[Row]:
    header = _gaps(page.lines[table.header])
    yield [page.cell(table.header, start, end) for start, end in header]
    for number in range(table.header + 1, table.end):
        if page.blank(number):
            continue
        stretches = _gaps(page.lines[number])
        if len(stretches) == len(header):
            yield [page.cell(number, start, end) for start, end in stretches]
            continue
        placed = _place(stretches, header)
        if placed is None:
            line = page.lines[number]
            yield SourceProblem(
                reading.UNSPLIT_ROW,
                f"a row of {len(stretches)} cells under a header of {len(header)}, and its "
                "cells do not stand under distinct columns; the row is not read",
                page.cell(number, 0, len(line.rstrip())).span,
                "separate the cells with tabs, or align each under its column",
            )
            continue
        row = [page.cell(number, 0, 0, "") for _ in header]
        for column, (start, end) in placed.items():
            row[column] = page.cell(number, start, end)
        yield row


def _place(
    stretches: list[tuple[int, int]], header: list[tuple[int, int]]
) -> dict[int, tuple[int, int]] | None:
    """Each cell under the header column it overlaps most (a column reaches to the next one's
    start), or None when two cells would share a column or there are more cells than columns."""
    if len(stretches) > len(header):
        return None
    bounds = [
        (start, header[i + 1][0] if i + 1 < len(header) else 1 << 30)
        for i, (start, _) in enumerate(header)
    ]
    placed: dict[int, tuple[int, int]] = {}
    for start, end in stretches:
        overlaps = [min(end, right) - max(start, left) for left, right in bounds]
        column = max(range(len(bounds)), key=lambda i: (overlaps[i], -abs(bounds[i][0] - start)))
        if column in placed:
            return None
        placed[column] = (start, end)
    return placed


def _run_rows(page: _Page, table: _Table) -> Iterator[Row]:
    header = page.lines[table.header]
    columns = header_columns(header)
    assert columns is not None
    yield [page.cell(table.header, p.start, p.end) for p, _ in columns]
    fields = tuple(column.field for _, column in columns[1:])
    for number in range(table.header + 1, table.end):
        if page.blank(number):
            continue
        split = split_row(page.lines[number], fields)
        assert split is not None
        yield from _run_row(page, number, split)


def _run_row(page: _Page, number: int, split: Split) -> Iterator[Row]:
    line = page.lines[number]
    where = page.cell(number, 0, len(line.rstrip())).span
    route = f"route {quote(split.route.text)}"
    run = quote(split.run.text)
    if split.outcome is Outcome.TOO_LONG:
        yield SourceProblem(
            reading.INPUT_LIMIT,
            f"columns ran together in a run of {len(split.run.text)} characters; at most "
            f"{MAX_RUN} are split, so the row is not read",
            where,
            "separate the cells with tabs",
        )
        return
    if split.outcome is Outcome.UNSPLITTABLE:
        yield SourceProblem(
            reading.UNSPLIT_ROW,
            f"columns ran together, and no split of {run} into {', '.join(split.fields)} "
            "has valid thousands grouping; the row is not read",
            where,
            "separate the cells with tabs",
        )
        return
    if split.outcome is Outcome.AMBIGUOUS:
        yield SourceProblem(
            reading.AMBIGUOUS_ROW,
            f"columns ran together, and {len(split.others)} readings of {run} fit: "
            f"{_listed(split.others)}; the row is not read",
            where,
            "separate the cells with tabs, or write the numbers with thousands separators",
        )
        return
    assert split.chosen is not None
    read = f"{route} | {split.chosen.described()}"
    if split.outcome is Outcome.READ:
        message = f"columns ran together; read as {read}"
    else:
        others = f"; other readings: {_listed(split.others)}" if split.others else ""
        message = (
            f"columns ran together, and no reading makes total = dose x days; read as {read} "
            f"(the closest){others}"
        )
    yield SourceProblem(reading.RECOVERED_ROW, message, where, "separate the cells with tabs")
    yield [
        page.cell(number, split.route.start, split.route.end),
        *(page.cell(number, p.start, p.end) for p in split.chosen.pieces),
    ]


def _listed(readings: tuple[Reading, ...], most: int = 5) -> str:
    described = [r.described() for r in readings[:most]]
    more = f"; and {len(readings) - most} more" if len(readings) > most else ""
    return "; ".join(described) + more
