"""Markdown pipe tables to :class:`Grid` objects, one per table that has a route column.

A page may hold prose, headings and several tables. Each table whose header names a route is a
protocol, named by the nearest heading above it. Lines above a table of the form
``Condition: Sacroiliitis`` (bold or as a list item) may state protocol fields; other prose is
left alone. A ``\\|`` inside a cell is a literal pipe. What an HTML comment (``<!-- ... -->``)
holds is not shown, so it is not read: a table inside one is no protocol (an unclosed comment
runs to the end of the page, as in CommonMark).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from celldose.rules import reading
from celldose.sources.csv_source import MAX_COLUMNS
from celldose.sources.lines import LineIndex
from celldose.sources.lines import split_lines as _split
from celldose.sources.problems import SourceProblem
from celldose.sources.sheet import Cell, Grid, Row, is_header

# Possessive runs (*+) and a heading cut in Python: a line of 60,000 spaces took 25 s when two
# patterns in a row could share its spaces (issue 17).
_SEPARATOR = re.compile(r"\s*+\|?\s*+:?-++:?\s*+(?:\|\s*+:?-++:?\s*+)*+\|?\s*+$")
_HEADING = re.compile(r"\s{0,3}#{1,6}(?=\s)")
"""The start of an ATX heading; :func:`_heading` reads its title."""
_PIPE = re.compile(r"(?<!\\)\|")
_FENCE = re.compile(r"^\s{0,3}(?P<mark>`{3,}|~{3,})")


def markdown_grids(text: str, name: str) -> list[Grid]:
    """The tables of ``text`` that have a route column, each with the lines above it."""
    lines = _uncommented(_split(text))
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    index = LineIndex(text)
    grids: list[Grid] = []
    start, title = 0, None
    number = 0
    fence: str | None = None
    while number < len(lines) - 1:
        opener = _FENCE.match(lines[number])
        if opener or fence is not None:  # an example inside ``` ... ``` is not a protocol
            mark = opener.group("mark") if opener else ""
            if fence is None:
                fence = mark[0] * len(mark)
            elif mark.startswith(fence):
                fence = None
            number += 1
            continue
        heading = _heading(lines[number])
        if heading is not None:
            title = heading
        header = _table_cells(lines[number], offsets[number], index)
        if (
            header is not None
            and _SEPARATOR.match(lines[number + 1])
            and "-" in lines[number + 1]
            and is_header(header)
        ):
            end = number + 2
            while end < len(lines) and _table_cells(lines[end], offsets[end], index) is not None:
                end += 1
            grids.append(
                _grid(lines, offsets, index, start, number, end, name, title, len(grids) + 1)
            )
            start, number, title = end, end, None
            continue
        number += 1
    return grids


def _grid(
    lines: list[str],
    offsets: list[int],
    index: LineIndex,
    start: int,
    header: int,
    end: int,
    name: str,
    title: str | None,
    ordinal: int,
) -> Grid:
    def rows() -> Iterator[Row]:
        for number in range(start, header):  # the lines above: a label and a value, or prose
            line = lines[number].rstrip("\r\n")
            if line.strip():
                yield [Cell(line.strip(), index.span(offsets[number], offsets[number] + len(line)))]
        for number in range(header, end):
            if number == header + 1:
                continue  # the |---|---| line
            cells = _table_cells(lines[number], offsets[number], index)
            if cells is not None and len(cells) > MAX_COLUMNS:
                yield SourceProblem(
                    reading.INPUT_LIMIT,
                    f"a table row of more than {MAX_COLUMNS} cells; only the first "
                    f"{MAX_COLUMNS} are read",
                    cells[0].span,
                )
                cells = cells[:MAX_COLUMNS]
            if cells is not None:
                yield cells

    label = name if ordinal == 1 else f"{name} ({ordinal})"
    return Grid(name=label, rows=rows, title=title)


def _table_cells(line: str, offset: int, index: LineIndex) -> list[Cell] | None:
    """The cells of a table line, or None when the line is not a table row."""
    body = line.rstrip("\r\n")
    if "|" not in body or not body.strip():
        return None
    bounds = list(itertools.islice((m.start() for m in _PIPE.finditer(body)), MAX_COLUMNS + 2))
    if not bounds:
        return None
    cut = len(bounds) > MAX_COLUMNS + 1
    edges = [-1, *bounds] if cut else [-1, *bounds, len(body)]
    cells: list[Cell] = []
    for left, right in itertools.pairwise(edges):
        raw = body[left + 1 : right]
        if left == -1 and not raw.strip():
            continue  # before a leading pipe
        if right == len(body) and not raw.strip() and left != -1:
            continue  # after a trailing pipe
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        begin = offset + left + 1 + lead
        cells.append(
            Cell(stripped.replace("\\|", "|"), index.span(begin, begin + max(1, len(stripped))))
        )
    return cells[: MAX_COLUMNS + 1] if cut else cells


def _uncommented(lines: list[str]) -> list[str]:
    """The lines with what HTML comments hold blanked out (spaces keep every offset), except
    inside a fenced code block, where ``<!--`` is text."""
    out: list[str] = []
    fence: str | None = None
    inside = False
    for line in lines:
        if not inside:
            opener = _FENCE.match(line)
            if fence is not None or opener:
                mark = opener.group("mark") if opener else ""
                if fence is None:
                    fence = mark[0] * len(mark)
                elif mark.startswith(fence):
                    fence = None
                out.append(line)
                continue
        kept: list[str] = []
        at = 0
        while at < len(line):
            if inside:
                close = line.find("-->", at)
                stop = len(line) if close < 0 else close + 3
                kept.append(_blank(line[at:stop]))
                inside = close < 0
            else:
                start = line.find("<!--", at)
                stop = len(line) if start < 0 else start
                kept.append(line[at:stop])
                inside = start >= 0
            at = stop
        out.append("".join(kept))
    return out


def _blank(part: str) -> str:
    """Spaces for each character, and the line break kept."""
    body = part.rstrip("\r\n")
    return " " * len(body) + part[len(body) :]


def _heading(line: str) -> str | None:
    """The title of an ATX heading line, or None. A closing run of ``#`` counts only after a
    space (``# C#`` is "C#")."""
    start = _HEADING.match(line)
    if start is None:
        return None
    title = line[start.end() :].strip()
    unclosed = title.rstrip("#")
    if unclosed and unclosed != title and unclosed[-1].isspace():
        title = unclosed.rstrip()
    return title or None
