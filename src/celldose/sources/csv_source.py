"""CSV text to a :class:`Grid`, with each cell's line and column.

The ``csv`` module reads the records (``strict=True``: an unterminated quote is an error, not a
field that swallows the next rows). Its sniffer is not used (it picks ``e`` as the delimiter of
a one-column file): the delimiter is the one of ``,``, ``;`` and tab that makes a header row
celldose recognises. A semicolon is how spreadsheets in decimal-comma locales write CSV, so it
also hints that ``50,5`` is fifty and a half.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator

from celldose.diagnostics import Span
from celldose.rules import reading
from celldose.sources.columns import recognize
from celldose.sources.problems import SourceProblem
from celldose.sources.sheet import MAX_PREAMBLE_ROWS, Cell, Grid, Row

MAX_COLUMNS = 64
"""Cells read per row; a protocol sheet has a handful of columns."""
_DELIMITERS = (",", ";", "\t")


def csv_grid(text: str, name: str) -> Grid:
    delimiter = _delimiter(text)
    return Grid(
        name=name,
        rows=lambda: _rows(text, delimiter),
        decimal_comma=delimiter == ";",
        delimiter=delimiter,
    )


def _delimiter(text: str) -> str:
    """The delimiter under which the most header cells are recognised (a comma on a tie)."""
    best, score = ",", 0
    head = text[: 64 * 1024]
    for delimiter in _DELIMITERS:
        found = 0
        try:
            reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, strict=True)
            for number, record in enumerate(reader):
                if number >= MAX_PREAMBLE_ROWS:
                    break
                found = max(
                    found, sum(1 for field in record if not isinstance(recognize(field), str))
                )
        except csv.Error:
            pass
        if found > score:
            best, score = delimiter, found
    return best


def _rows(text: str, delimiter: str) -> Iterator[Row]:
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield SourceProblem(
                reading.SHEET_SYNTAX,
                f"the CSV cannot be read from here: {_reason(exc)}",
                Span(line, 1, line, 2),
                "close the quote, or quote a field that holds the delimiter or a line break",
            )
            return
        raw = "".join(consumed)
        consumed.clear()
        if len(record) > MAX_COLUMNS:
            yield SourceProblem(
                reading.INPUT_LIMIT,
                f"a row of {len(record):,} cells; only the first {MAX_COLUMNS} are read",
                Span(line, 1, line, 2),
            )
            record = record[:MAX_COLUMNS]
        yield _cells(record, raw, line, delimiter)
        line += _line_count(raw)


def _cells(record: list[str], raw: str, line: int, delimiter: str) -> list[Cell]:
    if '"' not in raw:  # the common case: fields follow one another on one line
        cells, column = [], 1
        for field in record:
            end = column + max(1, len(field))
            cells.append(Cell(unmark(field), Span(line, column, line, end)))
            column += len(field) + 1
        return cells
    spans = _QuotedSpans(raw, line, delimiter)
    return [Cell(unmark(field), functools.partial(spans.get, i)) for i, field in enumerate(record)]


class _QuotedSpans:
    """The fields' spans of a record with quotes, scanned once and only if one is asked for."""

    __slots__ = ("_delimiter", "_line", "_raw", "_spans")

    def __init__(self, raw: str, line: int, delimiter: str) -> None:
        self._raw, self._line, self._delimiter = raw, line, delimiter
        self._spans: list[Span] | None = None

    def get(self, index: int) -> Span:
        if self._spans is None:
            self._spans = [
                Span(*start, *end)
                for start, end in _field_starts(self._raw, self._line, self._delimiter)
            ]
        if index < len(self._spans):
            return self._spans[index]
        return Span(self._line, 1, self._line, 2)


def _field_starts(
    raw: str, line: int, delimiter: str
) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """Where each field of a record starts and ends, scanning quotes as the csv module does."""
    column, quoted, start = 1, False, (line, 1)
    index, field_start = 0, 0
    while index < len(raw):
        char = raw[index]
        if quoted:
            if char == '"':
                if raw[index + 1 : index + 2] == '"':
                    index += 1
                    column += 1
                else:
                    quoted = False
        elif char == '"' and index == field_start:  # a quote elsewhere is a plain character
            quoted = True
        elif char == delimiter:
            yield start, (line, column)
            start = (line, column + 1)
            field_start = index + 1
        elif char in "\r\n" and not quoted:
            break
        if char == "\n" or (char == "\r" and raw[index + 1 : index + 2] != "\n"):
            line, column = line + 1, 0
        column += 1
        index += 1
    yield start, (line, max(column, start[1] + 1))


MARKED_STARTS = "=+-@\t\r'"
"""First characters that get the apostrophe text mark in CSV: what a spreadsheet would run as a
formula (formula injection), and the apostrophe itself, so that marking can be undone exactly."""


def mark(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula; :func:`unmark` reverses it."""
    return "'" + value if value[:1] and value[0] in MARKED_STARTS else value


def unmark(field: str) -> str:
    """Remove the apostrophe that keeps a spreadsheet from running a cell as a formula: only
    before a character of :data:`MARKED_STARTS`, where :func:`mark` puts one."""
    if field.startswith("'") and field[1:2] and field[1] in MARKED_STARTS:
        return field[1:]
    return field


def _line_count(raw: str) -> int:
    return max(1, raw.count("\n") + raw.count("\r") - raw.count("\r\n"))


def _reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell longer than {csv.field_size_limit():,} characters"
    if "unexpected end of data" in text or "EOF" in text:
        return "a quote is opened and never closed"
    return text
