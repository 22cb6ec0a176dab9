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

from celldose.sources.columns import REQUIRED, Column, protocol_field, recognize
from celldose.sources.run_together import header_columns, split_row
from celldose.sources.sheet import Grid, Row
from celldose.sources.text_rows import GAP, Page, Shape, TextTable, table_rows

MAX_LINE = 4096
"""A line longer than this is prose: it is never split into cells (a 5 MB line costs one
length check)."""
MAX_ABOVE = 20
"""Lines above a table read for protocol fields (``Condition: ...``) and its title."""
_TITLE_WORDS = 8
_TITLE_CHARS = 60
_CONDITION = re.compile(
    r"^(?:(?P<before>.+?)\s+(?:and|&)\s+(?:stem\s+cells?(?:\s+therapy)?|mscs?)"
    r"|(?:stem\s+cells?(?:\s+therapy)?|mscs?)\s+(?:for|and)\s+(?P<after>.+?))$",
    re.IGNORECASE,
)
_FIELD_LINE = re.compile(r"^\s*+[-*]?\s*+\**+(?P<label>[^:*|]{1,60}?)\**+\s*+:")


def text_grids(text: str, name: str) -> list[Grid]:
    """The protocol tables of a page of pasted text, each as a grid."""
    page = Page(text)
    grids: list[Grid] = []
    number, after = 0, 0
    while number < len(page.lines):
        shape = _header_shape(page.lines[number])
        if shape is None:
            number += 1
            continue
        end = _table_end(page, number, shape)
        above = tuple(n for n in range(max(after, number - MAX_ABOVE), number) if not page.blank(n))
        table = TextTable(shape, number, end, above, _title(page, after, number))
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
    if GAP.search(line.strip()) and _names_protocol(GAP.split(line.strip())):
        return Shape.ALIGNED
    if header_columns(line) is not None:
        return Shape.RUN_TOGETHER
    return None


def _names_protocol(texts: Iterator[str] | list[str]) -> bool:
    """A route column and at least one more of the columns every protocol has: prose that
    happens to start with "Route" is not a header."""
    fields = {c.field for t in texts if t.strip() and isinstance(c := recognize(t), Column)}
    return "route" in fields and len(fields & set(REQUIRED)) >= 2


def _table_end(page: Page, header: int, shape: Shape) -> int:
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
        return len(GAP.split(line.strip())) >= 2
    return split_row(line, fields) is not None


def _run_fields(header: str) -> tuple[str, ...]:
    columns = header_columns(header)
    assert columns is not None
    return tuple(column.field for _, column in columns[1:])


def _title(page: Page, start: int, header: int) -> int | None:
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


def _grid(page: Page, table: TextTable, name: str) -> Grid:
    title = page.lines[table.title].strip().lstrip("#").strip() if table.title is not None else None

    def rows() -> Iterator[Row]:
        yield from _condition(page, table)
        for number in table.above:
            yield [page.cell(number, 0, len(page.lines[number]))]
        yield from table_rows(page, table)

    return Grid(name=name, rows=rows, title=title)


def _condition(page: Page, table: TextTable) -> Iterator[Row]:
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
    title = title.strip()
    if len(title) > _TITLE_CHARS:  # not a title; and the pattern is applied to short text only
        return None
    match = _CONDITION.match(title)
    if match is None:
        return None
    return (match.group("before") or match.group("after")).strip() or None
