"""Fixes of a CSV or Markdown sheet: one cell's text is rewritten, every other byte stays.

The sheet is read by its own source (:mod:`celldose.sources.csv_source`,
:mod:`celldose.sources.markdown_source` and :mod:`celldose.sources.sheet`), whose cells know
where they are; a fix rewrites the characters of one cell:

* **CD303** (safe): an empty total cell gets dose x days, in the number style of the column's
  other totals (its thousands mark, a trailing ``cells``, the header's unit), or digits alone.
  A sheet without a total column is left alone: a fix never adds a column (nor a cell to a
  row shorter than the header).
* **CD301** (unsafe): a wrong total becomes dose x days, in its own style.
* **normalize-counts** (safe, opted into): a dose or total cell, or ``Total cells`` above the
  table, written in another spelling is respelled; in a decimal-comma column the grouped
  spelling groups with a point (``50.000.000``). A column whose header gives a unit
  (``Dose (million cells)``) is not respelled: its bare numbers count that unit.

In CSV a value is quoted when it holds the delimiter (``"100,000,000"`` in a comma-delimited
file), and a quoted cell stays quoted; in Markdown the cell's padding is kept (the pipes stay
aligned when there is room). Left alone: a cell with the spreadsheet apostrophe mark, a quoted
cell over several lines, and any sheet with a reading problem (CD0xx). Before anything is
written, the edited text is read again: it must read as the same sheet but for the edited
values, which must read as the amounts they were meant to be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import pint

from celldose.diagnostics import Diagnostic, Pointer
from celldose.fixes.edits import (
    NORMALIZE,
    Edit,
    Planned,
    Unplaced,
    apply,
    expected_cells,
    fixable,
    has_break,
    reading_problem,
    without_overlaps,
)
from celldose.fixes.spelling import (
    Style,
    cells,
    normalized,
    read,
    same,
    spell,
    style_of,
    thousands_mark,
)
from celldose.formats import Format
from celldose.rules import FixSafety, Rule
from celldose.rules.total_mismatch import RULE as TOTAL_MISMATCH
from celldose.rules.total_not_stated import RULE as TOTAL_NOT_STATED
from celldose.sources.columns import Column
from celldose.sources.csv_source import MARKED_STARTS
from celldose.sources.lines import LineIndex
from celldose.sources.problems import SourceProblem
from celldose.sources.sheet import Cell, Grid, Sheet, SheetRow, read_sheet
from celldose.units.format import unit_name
from celldose.units.parse import Amount, AmountSyntaxError, parse_amount
from celldose.units.separators import Convention
from celldose.validation import validate_row

if TYPE_CHECKING:
    from celldose.config import CountSpelling
    from celldose.model import Administration

Place = tuple[int, Pointer]
"""A value of a sheet file: its table (from 0) and its pointer in that table's protocol."""


@dataclass(slots=True)
class _Table:
    """A table of the file as its source reads it, with every row kept."""

    sheet: Sheet
    rows: list[SheetRow]

    @classmethod
    def read(cls, grid: Grid) -> _Table:
        sheet = read_sheet(grid)
        rows = list(sheet.rows())  # reading the rows adds the cells' problems to the sheet
        return cls(sheet, rows)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.sheet.columns.values() if c.field == name), None)

    def comma(self, name: str) -> bool:
        """Whether the column's numbers are read with a decimal comma."""
        return self.sheet.conventions.get(name) is Convention.COMMA


def plan_sheet(
    text: str,
    form: Format,
    name: str,
    diagnostics: Iterable[Diagnostic],
    spelling: CountSpelling | None = None,
) -> Planned:
    """The edits that fix ``diagnostics`` of a CSV or Markdown ``text`` (and respell its counts
    when ``spelling`` is set), safe and unsafe, in order; ``name`` is the file's stem."""
    tables = _tables(text, form, name)
    found = fixable(diagnostics)
    problems = [p for table in tables for p in table.sheet.problems]
    blocked = reading_problem(problems)
    if blocked:
        return Planned(skipped=blocked if found else [])
    writer = _Writer(text, tables[0].sheet.grid.delimiter if tables else None)
    targets: dict[Edit, Place] = {}
    wanted: dict[Place, Amount] = {}
    skipped: list[str] = []
    unplaced: list[Unplaced] = []
    places = _places(found)
    for number, table in enumerate(tables):
        for place, edit, amount in _fixes(writer, number, table, places, spelling, unplaced):
            targets[edit], wanted[place] = place, amount
        if "total" in table.sheet.missing:
            skipped.extend(_no_total_column(table))
    if spelling is not None:
        for number, table in enumerate(tables):
            for place, edit, amount in _respell(writer, number, table, spelling):
                if place not in wanted:
                    targets[edit], wanted[place] = place, amount
    edits = without_overlaps(targets)

    def reads_back(chosen: Sequence[Edit]) -> bool:
        expect = {targets[e]: wanted[targets[e]] for e in chosen}
        return _reads_back(tables, _tables(apply(text, chosen), form, name), expect)

    return Planned(edits, skipped, reads_back, unplaced)


def _tables(text: str, form: Format, name: str) -> list[_Table]:
    """The file's tables as ``celldose check`` reads them (the same stem names them)."""
    assert form.read_tables is not None
    grids = form.read_tables(text, name)
    return [] if isinstance(grids, SourceProblem) else [_Table.read(grid) for grid in grids]


_SHORT_ROW = "the row has fewer cells than its header, and no Total cell; write the total by hand"
_NOT_IN_PLACE = "the Total cell cannot be edited in place (its quoting or escapes); edit it by hand"


def _places(found: Iterable[Diagnostic]) -> dict[tuple[int, int, int], list[str]]:
    """The fixable findings by (line, column, row index): a Markdown page's tables repeat row
    indexes, so a finding is matched to its cell by where it was reported."""
    places: dict[tuple[int, int, int], list[str]] = {}
    for diagnostic in found:
        index = diagnostic.pointer[1]
        if diagnostic.span is not None and isinstance(index, int):
            key = (diagnostic.span.line, diagnostic.span.column, index)
            places.setdefault(key, []).append(diagnostic.code)
    return places


def _fixes(
    writer: _Writer,
    number: int,
    table: _Table,
    places: dict[tuple[int, int, int], list[str]],
    spelling: CountSpelling | None,
    unplaced: list[Unplaced],
) -> Iterator[tuple[Place, Edit, Amount]]:
    """CD303 and CD301 on a table's total cells, matched to the findings by place. A fix
    that has no cell it can be written into is added to ``unplaced``, with the reason."""
    column = table.column("total")
    if column is None:
        return
    sample = next((r.cells["total"].text for r in table.rows if _written(r, "total")), "")
    for row in table.rows:
        cell = row.cells.get("total")
        # A row shorter than its header has no total cell: its finding is at its first cell.
        at = cell.span if cell is not None else row.first.span
        codes = places.get((at.line, at.column, row.index), []) if at is not None else []
        if not codes or at is None:
            continue
        administration = validate_row(row.index, row.data)[0]
        expected = expected_cells(administration) if administration is not None else None
        if expected is None:
            continue
        if cell is None:
            if TOTAL_NOT_STATED.code in codes:
                unplaced.append(Unplaced(TOTAL_NOT_STATED.code, at.line, _SHORT_ROW))
            continue
        if TOTAL_NOT_STATED.code in codes and not cell.text.strip():
            rule, style = TOTAL_NOT_STATED, _style(table, column, sample, spelling)
            edit = writer.fill(cell, _spelled(expected, style), rule)
        elif TOTAL_MISMATCH.code in codes and _wrong(administration, expected):
            rule, style = TOTAL_MISMATCH, _style(table, column, cell.text, spelling)
            edit = writer.replace(cell, _spelled(expected, style), rule)
        else:
            continue
        if edit is None:
            unplaced.append(Unplaced(rule.code, at.line, _NOT_IN_PLACE))
        else:
            yield (number, ("administrations", row.index, "total")), edit, cells(expected)


def _written(row: SheetRow, name: str) -> bool:
    """The row's cell of column ``name`` holds a number to copy the style of."""
    cell = row.cells.get(name)
    return cell is not None and any(c.isdigit() for c in cell.text)


def _wrong(administration: Administration | None, expected: int) -> bool:
    """A total in cells that differs from dose x days (not per kg, not N/A)."""
    total = administration.total if administration is not None else None
    return (
        isinstance(total, pint.Quantity)
        and unit_name(total) == "cell"
        and total.magnitude != expected
    )


def _style(table: _Table, column: Column, sample: str, spelling: CountSpelling | None) -> Style:
    """The opted-in spelling, or the style of ``sample`` (a total of the column), in the
    scale the column's header gives its bare numbers."""
    comma = table.comma(column.field)
    scale = _scale(column)
    if spelling is not None and scale == 1:
        return Style(thousands_mark(spelling, comma=comma))
    return style_of(sample, comma=comma, scale=scale)


def _scale(column: Column) -> Fraction:
    """Cells per bare number of the column: 10**6 under ``Total (million cells)``; 0 when the
    header's unit is not a count of cells."""
    if not column.unit:
        return Fraction(1)
    try:
        amount = parse_amount(f"1 {column.unit}")
    except AmountSyntaxError:
        return Fraction(0)
    return amount.value if unit_name(amount.unit) == "cell" else Fraction(0)


def _spelled(count: int, style: Style) -> str:
    """``count`` in ``style``; a count the style's scale cannot write (2,500,000 under
    ``Total (million cells)``) names its unit, which the header's does not override."""
    if style.scale:
        written = spell(count, style)
        if written is not None:
            return written
    return spell(count, Style(style.thousands, " cells")) or f"{count} cells"


def _respell(
    writer: _Writer, number: int, table: _Table, spelling: CountSpelling
) -> Iterator[tuple[Place, Edit, Amount]]:
    """normalize-counts: the dose and total cells (in columns without a header unit), and the
    protocol's total cells above the table, respelled where they stand."""
    for name in ("dose", "total"):
        column = table.column(name)
        if column is None or column.unit:
            continue
        comma, reader = table.comma(name), _column_reader(table.sheet, name)
        for row in table.rows:
            cell, data = row.cells.get(name), row.data.get(name)
            if cell is None or data is None:
                continue  # an empty cell, or one with a problem (reported)
            amount = read(data)
            text = normalized(amount, cell.text, spelling, comma=comma, reader=reader)
            edit = writer.replace(cell, text, None) if text and amount else None
            if edit is not None and amount is not None:
                yield (number, ("administrations", row.index, name)), edit, amount
    yield from _respell_field(writer, number, table, spelling)


def _respell_field(
    writer: _Writer, number: int, table: _Table, spelling: CountSpelling
) -> Iterator[tuple[Place, Edit, Amount]]:
    """``Total cells | 5e7`` above the table: its value cell, read as the sheet reads it."""
    sheet = table.sheet
    cell, data = sheet.field_cells.get("total_cells"), sheet.fields.get("total_cells")
    comma = sheet.fields_comma

    def reader(text: str) -> Amount | None:
        return read(sheet.field_number(text))

    if cell is None or data is None or reader(cell.text) is None:
        return  # absent, or written in the label's cell (``Total cells: 5e7``)
    amount = read(data)
    text = normalized(amount, cell.text, spelling, comma=comma, reader=reader)
    edit = writer.replace(cell, text, None) if text else None
    if edit is not None and amount is not None:
        yield (number, ("total_cells",)), edit, amount


def _column_reader(sheet: Sheet, name: str) -> Callable[[str], Amount | None]:
    """How the sheet reads a number of column ``name`` (:meth:`Sheet.number`); a text it
    refuses reads as None."""

    def reading(text: str) -> Amount | None:
        number = sheet.number(name, text)
        return read(number) if number is not None else None

    return reading


def _no_total_column(table: _Table) -> list[str]:
    """Why rows that deliver cells get no total: the sheet has no column for it."""
    count = 0
    for row in table.rows:
        administration = validate_row(row.index, row.data)[0]
        if administration is not None and expected_cells(administration) is not None:
            count += 1
    if not count:
        return []
    rows = f"{count} row{'s' if count != 1 else ''}"
    return [f"no Total column for the totals of {rows}; a fix does not add a column"]


class _Writer:
    """Rewrites one cell's characters in CSV or Markdown text, or says it cannot."""

    def __init__(self, text: str, delimiter: str | None) -> None:
        """``delimiter``: the one the CSV reader chose; None for Markdown."""
        self._text = text
        self._delimiter = delimiter
        self._lines = LineIndex(text)

    def fill(self, cell: Cell, value: str, rule: Rule) -> Edit | None:
        """An empty cell gets ``value``, a fix of ``rule``."""
        code, unsafe = rule.code, rule.fix_safety is FixSafety.UNSAFE
        if self._delimiter is not None:
            return self._csv_edit(cell, value, code, self._delimiter, unsafe=unsafe)
        return self._markdown_fill(cell, value, code, unsafe=unsafe)

    def replace(self, cell: Cell, value: str, fixes: Rule | None) -> Edit | None:
        """A written cell's value becomes ``value``: a fix of a rule, or (None) a respelling."""
        code = fixes.code if fixes is not None else NORMALIZE
        unsafe = fixes is not None and fixes.fix_safety is FixSafety.UNSAFE
        if self._delimiter is not None:
            return self._csv_edit(cell, value, code, self._delimiter, unsafe=unsafe)
        return self._markdown_replace(cell, value, code, unsafe=unsafe)

    def _csv_edit(
        self, cell: Cell, value: str, code: str, delimiter: str, *, unsafe: bool
    ) -> Edit | None:
        start = self._lines.start(cell.span)
        field = _csv_field(self._text, start, cell.text, delimiter) if start is not None else None
        if start is None or field is None:
            return None
        end, quoted = field
        if quoted or _needs_quotes(value, delimiter):
            value = '"' + value.replace('"', '""') + '"'
        return Edit(start, end, value, code, unsafe)

    def _markdown_fill(self, cell: Cell, value: str, code: str, *, unsafe: bool) -> Edit | None:
        """Between the pipes of an empty cell: `` value `` padded to the cell's old width."""
        text = self._text
        right = self._lines.start(cell.span)
        if cell.text or right is None or text[right : right + 1] != "|":
            return None
        left = right - 1
        while left >= 0 and text[left] in " \t":
            left -= 1
        if left < 0 or text[left] != "|" or text[left - 1 : left] == "\\":
            return None
        width = right - left - 1
        padded = f" {value} ".ljust(width)
        return Edit(left + 1, right, padded, code, unsafe)

    def _markdown_replace(self, cell: Cell, value: str, code: str, *, unsafe: bool) -> Edit | None:
        """The cell's text, keeping its padding: spaces after it shrink or grow so that the
        closing pipe stays where it was, while at least one is left."""
        text, span = self._text, cell.span
        start = self._lines.start(span)
        if span is None or start is None or span.end_line != span.line:
            return None
        end = self._lines.offset(span.end_line, span.end_column)
        if end is None or text[start:end].replace("\\|", "|") != cell.text or "|" in cell.text:
            return None
        right = end
        while right < len(text) and text[right] == " ":
            right += 1
        if text[right : right + 1] != "|":
            return Edit(start, end, value, code, unsafe)  # no closing pipe: spaces stay
        trail = right - end
        keep = max(min(trail, 1), trail - (len(value) - (end - start)))
        return Edit(start, right, value + " " * keep, code, unsafe)


def _csv_field(text: str, start: int, written: str, delimiter: str) -> tuple[int, bool] | None:
    """Where the CSV field at ``start``, which the reader read as ``written`` with this
    ``delimiter``, ends, and whether it is quoted. None for a quoted field over several lines,
    a field written with the apostrophe text mark, or one the reader did not read this way."""
    before = text[start - 1 : start]
    if before not in ("", "\r", "\n", delimiter):
        return None
    quoted = text.startswith('"', start)
    if quoted:
        end = _closing_quote(text, start + 1)
        if end is None or has_break(text[start:end]):
            return None
        seen = text[start + 1 : end - 1].replace('""', '"')
    else:
        end = start + len(written)
        seen = text[start:end]
        if any(c in seen for c in ('"', "\r", "\n")):
            return None
    after = text[end : end + 1]
    if seen != written:
        return None  # the apostrophe text mark, or a cell read otherwise
    if after not in (delimiter, "\r", "\n", "") or (not quoted and delimiter in seen):
        return None
    return end, quoted


def _closing_quote(text: str, index: int) -> int | None:
    """The offset after the quote that closes a quoted field (``""`` is a quote inside it)."""
    while True:
        quote = text.find('"', index)
        if quote < 0:
            return None
        if not text.startswith('"', quote + 1):
            return quote + 1
        index = quote + 2


def _needs_quotes(value: str, delimiter: str) -> bool:
    """What the csv module would quote, and what a spreadsheet would run or trim."""
    return (
        any(c in value for c in (delimiter, '"', "\r", "\n"))
        or value[:1] in MARKED_STARTS
        or value != value.strip()
    )


def _reads_back(old: list[_Table], new: list[_Table], wanted: dict[Place, Amount]) -> bool:
    """The edited sheet reads as the same tables, fields, columns and problems, row for row;
    only the edited values differ, and each reads as the amount it was meant to be (a filled
    total is a new value of its row). A column's decimal convention may be newly evident (a
    grouped count in a column that had none), as long as every value reads the same."""
    if len(old) != len(new):
        return False
    for number, (before, after) in enumerate(zip(old, new, strict=True)):
        a, b = before.sheet, after.sheet
        if (a.columns, a.declared, a.header_position) != (
            b.columns,
            b.declared,
            b.header_position,
        ):
            return False
        if [(p.rule, p.message) for p in a.problems] != [(p.rule, p.message) for p in b.problems]:
            return False
        if not _same_values(a.fields, b.fields, number, (), wanted):
            return False
        if len(before.rows) != len(after.rows):
            return False
        for x, y in zip(before.rows, after.rows, strict=True):
            here = ("administrations", x.index)
            if x.index != y.index or not _same_values(x.data, y.data, number, here, wanted):
                return False
    return True


def _same_values(
    old: dict[str, str],
    new: dict[str, str],
    number: int,
    prefix: Pointer,
    wanted: dict[Place, Amount],
) -> bool:
    for key in old.keys() | new.keys():
        amount = wanted.get((number, (*prefix, key)))
        if amount is not None:
            value = new.get(key)
            if value is None or not same(read(value), amount):
                return False
        elif old.get(key) != new.get(key):
            return False
    return True
