"""The rows of a table in pasted text, in each shape a copy produces: cells between pipes,
between tabs, aligned by two or more spaces, or run together (:mod:`.run_together`).

:mod:`celldose.sources.text_table` finds the tables on a page; this module reads their rows
into cells with their line and column. A row that cannot be read without shifting a value is
a problem in its place (CD016, CD017), and a run-together row read by its numbers is preceded
by the CD015 info that says how.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from celldose.diagnostics import quote
from celldose.rules import reading
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
from celldose.sources.sheet import Cell, Row

GAP = re.compile(r"\t|\s{2,}")
"""What separates the cells of aligned text: a tab, or two or more spaces."""


class Shape(Enum):
    """How a table's cells are told apart on its lines."""

    PIPES = "pipes"
    TABS = "tabs"
    ALIGNED = "aligned"
    RUN_TOGETHER = "run together"


@dataclass(frozen=True, slots=True)
class TextTable:
    """Where a table stands on its page (line numbers from 0)."""

    shape: Shape
    header: int
    """The header's line number, from 0."""
    end: int
    """The line after the table's last row."""
    above: tuple[int, ...]
    """The non-empty lines above the header read for protocol fields."""
    title: int | None


class Page:
    """The lines of a text and where each starts."""

    def __init__(self, text: str) -> None:
        ended = split_lines(text)
        self.lines = [line.rstrip("\r\n") for line in ended]
        self.offsets = [0]
        for line in ended:
            self.offsets.append(self.offsets[-1] + len(line))
        self.index = LineIndex(text)

    def cell(self, number: int, start: int, end: int, text: str | None = None) -> Cell:
        """A cell of line ``number`` from character ``start`` to ``end`` of that line."""
        offset = self.offsets[number]
        value = self.lines[number][start:end].strip() if text is None else text
        return Cell(value, self.index.span(offset + start, offset + max(end, start + 1)))

    def blank(self, number: int) -> bool:
        return number >= len(self.lines) or not self.lines[number].strip()


def table_rows(page: Page, table: TextTable) -> Iterator[Row]:
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


def _pipe_rows(page: Page, table: TextTable) -> Iterator[Row]:
    for number in range(table.header, table.end):
        line = page.lines[number]
        if page.blank(number) or (_SEPARATOR.match(line) and "-" in line):
            continue
        cells = _table_cells(line, page.offsets[number], page.index)
        if cells is not None:
            yield cells[:MAX_COLUMNS]


def _split_at(page: Page, number: int, separator: str) -> list[Cell]:
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
    for gap in GAP.finditer(stripped):
        stretches.append((lead + start, lead + gap.start()))
        start = gap.end()
    stretches.append((lead + start, lead + len(stripped)))
    return stretches[:MAX_COLUMNS]


def _aligned_rows(page: Page, table: TextTable) -> Iterator[Row]:
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


def _run_rows(page: Page, table: TextTable) -> Iterator[Row]:
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


def _run_row(page: Page, number: int, split: Split) -> Iterator[Row]:
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
