"""A table of cells (CSV, XLSX or Markdown) to protocol fields and rows, one row at a time.

A sheet is read like this:

* rows above the header may state protocol fields, as ``Label | value`` or ``Label: value``
  (``Condition``, ``Product``, ``Total cells``); other text there (a title) is left alone;
* the header is the first row with a route column; its cells name the columns
  (:mod:`celldose.sources.columns`), and a unit in a count column's header applies to that
  column's bare numbers;
* every later non-empty row is an administration.

Rows stream: a sheet of 100,000 rows is never held in memory. The reader runs twice, because a
column's number convention (decimal point or comma, :mod:`celldose.units.separators`) depends on
all of its numbers: the first pass reads only the header and the count columns' marks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from celldose.diagnostics import Pointer, Span, quote
from celldose.rules import reading, structure
from celldose.sources.columns import (
    NUMBER_FIELDS,
    REQUIRED,
    Column,
    known_columns,
    known_protocol_fields,
    protocol_field,
    recognize,
)
from celldose.sources.problems import SourceProblem
from celldose.units.parse import AmountSyntaxError, parse_amount
from celldose.units.separators import Convention, ambiguous, evidence, readings, to_point

MAX_PREAMBLE_ROWS = 50
"""Rows searched for the header; a sheet whose table starts lower is not a protocol sheet."""
# Possessive runs (``*+``): a run of spaces is read once, never re-split between two patterns
# that both match spaces (quadratic time on a long run, issue 17).
_BARE_NUMBER = re.compile(r"\s*+[+\-\u2212]?\d[\d.,'\u2019\u00a0\u202f\u2009 ]*+\s*+$")
_LABEL = re.compile(r"\s*+[-*]?\s*+\**+(?P<label>[^:*|]{1,60}+)\**+\s*+:")
"""``**Condition:**`` up to its colon; the value after it is cut in Python (a lazy value before
``\\s*$`` rescans trailing spaces at every step)."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell as a reader found it."""

    text: str
    """The value as written; empty for an empty cell."""
    where: Span | Callable[[], Span] | None
    """Where the cell is, or how to find out: most cells are never reported, so a reader may
    leave the work of locating them (scanning a quoted CSV line) until a diagnostic needs it."""
    ref: str | None = None
    """The cell's reference in a workbook (``Sheet1!D3``), for messages."""
    formula: str | None = None
    """The formula whose saved value ``text`` is (a workbook cell)."""
    problem: str | None = None
    """Why the cell holds no usable value (a formula without a saved value, a merged cell)."""
    typed: bool = False
    """The value was stored as a number (a workbook), so no locale decides its marks."""
    hidden_row: bool = False
    """The cell is on a row a spreadsheet program hides (a workbook's ``<row hidden="1">``)."""
    shown: str | None = None
    """What a spreadsheet shows instead of ``text``, when its number format shows another
    number (or none); see :mod:`celldose.sources.xlsx.display`."""
    number_format: str | None = None
    """The number format that shows :attr:`shown`."""

    @property
    def span(self) -> Span | None:
        return self.where() if callable(self.where) else self.where


Row = list[Cell] | SourceProblem
"""A row of cells, or a problem the reader met there (the read goes on unless it cannot)."""


@dataclass(frozen=True, slots=True)
class Grid:
    """A table as a reader found it, before its header is understood."""

    name: str
    """The protocol's name when the sheet states none: the file's stem or the worksheet's name."""
    rows: Callable[[], Iterator[Row]]
    """Reads the rows from the start; called twice."""
    sheet: str | None = None
    """The worksheet's name, in a workbook."""
    decimal_comma: bool = False
    """The file hints at a decimal comma (a semicolon-delimited CSV)."""
    delimiter: str | None = None
    """The delimiter the CSV reader chose (``,``, ``;`` or tab); None in other formats."""
    title: str | None = None
    """A heading above the table (Markdown) that names the protocol."""
    hidden_sheet: str | None = None
    """``"hidden"`` or ``"very hidden"`` when a workbook hides the worksheet's tab."""


@dataclass(slots=True)
class SheetRow:
    index: int
    data: dict[str, str]
    cells: dict[str, Cell]
    first: Cell


@dataclass(slots=True)
class Sheet:
    """What was understood of a grid: its protocol fields and, lazily, its rows."""

    grid: Grid
    fields: dict[str, str] = field(default_factory=dict)
    field_cells: dict[str, Cell] = field(default_factory=dict)
    problems: list[SourceProblem] = field(default_factory=list)
    """Problems above and in the header, and problems of cells, as rows are read."""
    missing: frozenset[str] = frozenset()
    """Required columns the header lacks; findings about them would repeat that."""
    header: Cell | None = None
    header_position: int = 0
    """The header's position among the grid's rows, from 1."""
    columns: dict[int, Column] = field(default_factory=dict)
    conventions: dict[str, Convention | None] = field(default_factory=dict)
    declared: Convention | None = None
    """The decimal mark the sheet states above its table; then no column is inferred."""
    unreported: list[Pointer] = field(default_factory=list)
    """Values left unread for a reason already reported (a merged range's other cells)."""
    mixed: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Count columns with numbers in both conventions: an example of each."""

    def rows(self) -> Iterator[SheetRow]:
        """The administrations, one at a time; cell problems are added to ``problems``."""
        if self.header is None:
            return
        index = 0
        unnamed_reported: set[int] = set()
        for row in _after_header(self.grid, self.header_position):
            if _empty(row):
                continue
            sheet_row = self._row(index, row, unnamed_reported)
            if sheet_row is not None:
                yield sheet_row
                index += 1

    def _row(self, index: int, row: list[Cell], unnamed: set[int]) -> SheetRow | None:
        data: dict[str, str] = {}
        cells: dict[str, Cell] = {}
        said: set[str] = set()
        for position, cell in enumerate(row):
            column = self.columns.get(position)
            if column is None:
                if (cell.text or cell.problem) and not unnamed:  # once: the first such column
                    unnamed.add(position)
                    self.problems.append(
                        SourceProblem(
                            structure.UNKNOWN_KEY,
                            f"{_where(cell)}a value in a column without a header; it is not read"
                            f"{_hidden(self.grid, cell)}",
                            cell.span,
                            "name the column in the header row, or move the value",
                        )
                    )
                continue
            if column.field in cells:
                continue  # a duplicate column is reported at the header
            cells[column.field] = cell
            pointer: Pointer = ("administrations", index, column.field)
            if cell.problem is not None:
                if cell.problem not in said:  # a merged range is reported once per row
                    said.add(cell.problem)
                    self.problems.append(
                        SourceProblem(
                            reading.UNREADABLE_CELL,
                            _where(cell) + cell.problem + _hidden(self.grid, cell),
                            cell.span,
                            None,
                            pointer,
                        )
                    )
                else:
                    self.unreported.append(pointer)
                continue
            if not cell.text.strip():
                continue
            if cell.shown is not None:
                self.problems.append(_displayed(self.grid, cell))
            value = self._value(column, cell, pointer)
            if value is not None:
                data[column.field] = value
        first = next((c for c in row if c.text or c.problem), row[0])
        if first.hidden_row:
            self.problems.append(
                _hidden_row(
                    first,
                    "celldose reads it as an administration: it is checked, and "
                    "its cells count toward the protocol's totals",
                )
            )
        return SheetRow(index, data, cells, first)

    def _value(self, column: Column, cell: Cell, pointer: Pointer) -> str | None:
        text = cell.text
        if column.field not in NUMBER_FIELDS or cell.typed:
            return _with_unit(text, column)
        number = self.number(column.field, text)
        if number is None:
            self.problems.append(self._refused(column, cell, pointer))
            return None
        return _with_unit(number, column)

    def number(self, name: str, text: str) -> str | None:
        """A number of count column ``name`` as this sheet reads it: with a decimal point, by
        the sheet's stated mark or the column's convention; None for a number the sheet
        refuses (:meth:`rows` reports why). The one reader of a sheet's numbers: the fixes
        read a respelled number back with it."""
        own = evidence(text)
        # A stated decimal point reads numbers exactly as YAML does (its grammar refuses 2,5
        # itself); a stated decimal comma makes 2.5 and 50,000,000 contradictions.
        if self.declared is Convention.COMMA and own is Convention.POINT:
            return None
        if ambiguous(text) and name in self.mixed:
            return None
        if self.declared is Convention.POINT:
            return text  # read as YAML reads it: 2,5 stays an error
        if own is Convention.COMMA or (
            own is None and self.conventions.get(name) is Convention.COMMA
        ):
            return to_point(text)
        return text

    def _refused(self, column: Column, cell: Cell, pointer: Pointer) -> SourceProblem:
        """Why :meth:`number` refused a cell's number."""
        text = cell.text
        if self.declared is Convention.COMMA:
            return SourceProblem(
                structure.INVALID_CELL_COUNT,
                f"{_where(cell)}{column.field} {quote(text)} is written with a "
                f"decimal point, but the sheet states its decimal mark is a comma"
                f"{_hidden(self.grid, cell)}",
                cell.span,
                "write the number with the sheet's decimal mark, or correct the Decimal mark row",
                pointer,
            )
        point, comma = self.mixed[column.field]
        as_point, as_grouped = readings(text)
        first, second = (as_point, as_grouped) if "." in text else (as_grouped, as_point)
        return SourceProblem(
            structure.INVALID_CELL_COUNT,
            f"{_where(cell)}{column.field} {quote(text)} is ambiguous: {first} or "
            f"{second}. This column writes numbers both with a decimal point "
            f"({quote(point)}) and with a decimal comma ({quote(comma)})"
            f"{_hidden(self.grid, cell)}",
            cell.span,
            "write the number without thousands marks: <digits only>",
            pointer,
        )

    @property
    def fields_comma(self) -> bool:
        """Numbers above the table read with a decimal comma: the sheet states it, or states no
        mark and the file hints at one (a semicolon-delimited CSV)."""
        return self.declared is Convention.COMMA or (
            self.declared is None and self.grid.decimal_comma
        )

    def field_number(self, text: str) -> str:
        """A number above the table (``Total cells``, ``Patient weight``) as this sheet reads
        it, with a decimal point."""
        own = evidence(text)
        if own is Convention.COMMA or (own is None and self.fields_comma):
            return to_point(text)
        return text


def read_sheet(grid: Grid) -> Sheet:
    """Find the header and the protocol fields above it, and each count column's convention.

    Problems the reader meets are recorded here, in this first pass; the second pass
    (:meth:`Sheet.rows`) skips them.
    """
    sheet = Sheet(grid)
    position = 0
    first: Cell | None = None
    for row in grid.rows():
        if isinstance(row, SourceProblem):
            sheet.problems.append(row)
            continue
        position += 1
        if first is None:
            first = next((c for c in row if c.text.strip() or c.problem), None)
        if sheet.header is None:
            if position > MAX_PREAMBLE_ROWS:
                break
            if is_header(row):
                _header(sheet, row)
                sheet.header_position = position
            else:
                _preamble(sheet, row)
            continue
        _collect_marks(sheet, row)
    if sheet.header is None:
        if any(p.rule is reading.SHEET_SYNTAX for p in sheet.problems):
            return sheet  # the reader stopped: that is the problem to report
        sheet.problems.append(
            SourceProblem(
                reading.NOT_A_PROTOCOL,
                f"{_sheet_prefix(grid)}no table with a route column found in the first "
                f"{MAX_PREAMBLE_ROWS} rows",
                None,
                f"start the table with a header row naming its columns: {known_columns()}",
            )
        )
        return sheet
    if grid.hidden_sheet is not None and first is not None:
        sheet.problems.append(_hidden_sheet(grid, first))
    _decide_conventions(sheet)
    _read_field_numbers(sheet)
    if "protocol" not in sheet.fields:
        sheet.fields["protocol"] = grid.title or grid.name
    return sheet


def is_header(row: list[Cell]) -> bool:
    """A row with a route column, unless it states a protocol field (``Protocol | Route``)."""
    filled = [c.text for c in row if c.text.strip()]
    if len(filled) <= 2 and filled and protocol_field(filled[0]) is not None:
        return False
    recognized = [recognize(text) for text in filled]
    return any(isinstance(c, Column) and c.field == "route" for c in recognized)


def _header(sheet: Sheet, row: list[Cell]) -> None:
    found = [c.text.strip() for c in row if c.text.strip()]
    sheet.header = next(c for c in row if c.text.strip())
    if sheet.header.hidden_row:
        sheet.problems.append(_hidden_row(sheet.header, "celldose reads it as the table's header"))
    for position, cell in enumerate(row):
        if not cell.text.strip():
            continue
        column = recognize(cell.text)
        if isinstance(column, str):
            sheet.problems.append(
                SourceProblem(
                    structure.UNKNOWN_KEY,
                    f"{_where(cell)}unknown column {quote(cell.text.strip())}: {column}"
                    f"{_hidden(sheet.grid, cell)}",
                    cell.span,
                    f"known columns: {known_columns()}; found: {', '.join(found)}",
                )
            )
            continue
        if any(c.field == column.field for c in sheet.columns.values()):
            sheet.problems.append(
                SourceProblem(
                    reading.DUPLICATE_KEY,
                    f"{_where(cell)}a second {column.field} column "
                    f"{quote(cell.text.strip())}; only the first is read"
                    f"{_hidden(sheet.grid, cell)}",
                    cell.span,
                    "remove or rename one of the two columns",
                )
            )
            continue
        sheet.columns[position] = column
    present = {c.field for c in sheet.columns.values()}
    # A Schedule column stands in for a days column (model/schedule.py: schedule_as_days).
    missing = [
        f for f in REQUIRED if f not in present and not (f == "days" and "schedule" in present)
    ]
    sheet.missing = frozenset(missing)
    for name in missing:
        sheet.problems.append(
            SourceProblem(
                structure.MISSING_FIELD,
                f"{_where(sheet.header)}no {name} column; the header has: {', '.join(found)}"
                f"{_hidden(sheet.grid, sheet.header)}",
                sheet.header.span,
                f"add a column named {name.title()}",
            )
        )


def _preamble(sheet: Sheet, row: list[Cell]) -> None:
    filled = [c for c in row if c.text.strip()]
    if not filled:
        return
    label, value = filled[0], filled[1] if len(filled) > 1 else None
    if _declares_mark(sheet, label, value):
        return
    if value is None:  # "Condition: Sacroiliitis" in one cell, or a title
        pair = _label_value(label.text)
        if pair is None or protocol_field(pair[0]) is None:
            return
        name = protocol_field(pair[0])
        text = pair[1].strip()
    else:
        name = protocol_field(label.text)
        text = value.text.strip()
        if name is None:
            sheet.problems.append(
                SourceProblem(
                    structure.UNKNOWN_KEY,
                    f"{_where(label)}unknown protocol field {quote(label.text.strip())} above "
                    f"the table{_hidden(sheet.grid, label)}",
                    label.span,
                    f"known protocol fields: {known_protocol_fields()}",
                )
            )
            return
    assert name is not None
    if name in sheet.fields:
        sheet.problems.append(
            SourceProblem(
                reading.DUPLICATE_KEY,
                f"{_where(label)}{name} is stated twice above the table; the first is read"
                f"{_hidden(sheet.grid, label)}",
                label.span,
            )
        )
        return
    sheet.fields[name] = text
    sheet.field_cells[name] = value or label
    if label.hidden_row:
        sheet.problems.append(
            _hidden_row(label, f"celldose reads its {name} ({quote(text)}) as the protocol's")
        )
    if value is not None and value.shown is not None:
        sheet.problems.append(_displayed(sheet.grid, value))


def _label_value(text: str) -> tuple[str, str] | None:
    """``Condition: Sacroiliitis`` (bold, or as a list item) as its label and value, or None.
    The value is one line, without the bold marks around it."""
    match = _LABEL.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    value = rest.strip()
    if "\n" in value or rest.count("\n") == len(rest):  # one line, and something after ":"
        return None
    if value.strip("*"):
        value = value.lstrip("*").rstrip().rstrip("*")
    return match.group("label").rstrip(), value


_MARKS = {"point": Convention.POINT, ".": Convention.POINT, "comma": Convention.COMMA}
_MARKS[","] = Convention.COMMA


def _declares_mark(sheet: Sheet, label: Cell, value: Cell | None) -> bool:
    """``Decimal mark | point`` (or ``comma``) above the table: no column is guessed."""
    text = label.text.strip()
    if value is None:
        pair = _label_value(text)
        if pair is None:
            return False
        text, mark = pair
    else:
        mark = value.text
    if " ".join(text.lower().split()) != "decimal mark":
        return False
    declared = _MARKS.get(mark.strip().lower())
    if declared is None:
        sheet.problems.append(
            SourceProblem(
                structure.WRONG_TYPE,
                f"{_where(label)}decimal mark {quote(mark.strip())} must be point or comma"
                f"{_hidden(sheet.grid, label)}",
                (value or label).span,
            )
        )
        return True
    sheet.declared = declared
    if label.hidden_row:
        sheet.problems.append(
            _hidden_row(label, f"celldose reads the sheet's {declared.value} from it")
        )
    return True


def _collect_marks(sheet: Sheet, row: list[Cell]) -> None:
    for position, column in sheet.columns.items():
        if column.field not in NUMBER_FIELDS or position >= len(row) or row[position].typed:
            continue
        text = row[position].text
        seen = evidence(text)
        if seen is not None:
            examples = sheet.mixed.setdefault(column.field, ("", ""))
            point, comma = examples
            if seen is Convention.POINT and not point:
                sheet.mixed[column.field] = (text.strip(), comma)
            elif seen is Convention.COMMA and not comma:
                sheet.mixed[column.field] = (point, text.strip())


def _decide_conventions(sheet: Sheet) -> None:
    if sheet.declared is not None:
        sheet.mixed.clear()
        sheet.conventions = dict.fromkeys(NUMBER_FIELDS, sheet.declared)
        return
    hint = Convention.COMMA if sheet.grid.decimal_comma else None
    for name in NUMBER_FIELDS:
        point, comma = sheet.mixed.pop(name, ("", ""))
        if point and comma:
            sheet.mixed[name] = (point, comma)
            sheet.conventions[name] = None
        elif point:
            sheet.conventions[name] = Convention.POINT
        elif comma:
            sheet.conventions[name] = Convention.COMMA
        else:
            sheet.conventions[name] = hint


def _read_field_numbers(sheet: Sheet) -> None:
    """total_cells and patient_weight above the table, read by the sheet's decimal mark."""
    for name in ("total_cells", "patient_weight"):
        text = sheet.fields.get(name)
        if text is not None:
            sheet.fields[name] = sheet.field_number(text)


def _after_header(grid: Grid, header_position: int) -> Iterator[list[Cell]]:
    position = 0
    for row in grid.rows():
        if isinstance(row, SourceProblem):
            continue  # recorded by the first pass
        position += 1
        if position > header_position:
            yield row


def _with_unit(text: str, column: Column) -> str:
    """The header's unit for a value that names none: ``50`` or ``1 million`` under
    ``Dose (cells/kg)``; a value with its own unit (``50 cells``) keeps it."""
    if not column.unit:
        return text
    if _BARE_NUMBER.match(text):
        return f"{text.strip()} {column.unit}"
    combined = f"{text.strip()} {column.unit}"
    try:
        own = parse_amount(text)
        parse_amount(combined)
    except AmountSyntaxError:
        return text
    return combined if str(own.unit) == "cell" and "cell" not in text.lower() else text


def _empty(row: list[Cell]) -> bool:
    return not any(c.text.strip() or c.problem for c in row)


def _where(cell: Cell) -> str:
    """``Sheet1!D3: `` for a workbook cell, nothing elsewhere (the line and column say it)."""
    return f"{cell.ref}: " if cell.ref else ""


def _sheet_prefix(grid: Grid) -> str:
    if not grid.sheet:
        return ""
    hidden = f"the {grid.hidden_sheet} " if grid.hidden_sheet else ""
    return f"{hidden}sheet {quote(grid.sheet)}: "


def hidden_note(grid: Grid, cell: Cell | None) -> str | None:
    """Why a person looking at the spreadsheet does not see ``cell``: ``on a hidden row``,
    ``on the hidden sheet 'Doses'``; None when nothing hides it."""
    row = cell is not None and cell.hidden_row
    if grid.hidden_sheet is not None:
        where = f"the {grid.hidden_sheet} sheet {quote(grid.sheet)}"
        return f"on a hidden row of {where}" if row else f"on {where}"
    return "on a hidden row" if row else None


def _hidden(grid: Grid, cell: Cell | None) -> str:
    note = hidden_note(grid, cell)
    return f" ({note})" if note else ""


def _row_of(cell: Cell) -> str:
    span = cell.span
    return f"row {span.line}" if span is not None else "the row"


def _hidden_row(cell: Cell, read: str) -> SourceProblem:
    return SourceProblem(
        reading.HIDDEN_CONTENT,
        f"{_where(cell)}{_row_of(cell)} is hidden, so a spreadsheet does not show it, but {read}",
        cell.span,
        "unhide the row, or delete it if it is not part of the protocol",
    )


def _hidden_sheet(grid: Grid, first: Cell) -> SourceProblem:
    how = (
        "is very hidden (only a macro or the file's XML can show it)"
        if grid.hidden_sheet == "very hidden"
        else "is hidden, so a spreadsheet shows no tab for it"
    )
    return SourceProblem(
        reading.HIDDEN_CONTENT,
        f"{_where(first)}the sheet {quote(grid.sheet)} {how}, but celldose reads it as a protocol",
        first.span,
        "unhide the sheet, or delete it if it is not a protocol",
    )


def _displayed(grid: Grid, cell: Cell) -> SourceProblem:
    return SourceProblem(
        reading.DISPLAYED_VALUE_DIFFERS,
        f"{_where(cell)}the cell stores {cell.text}, but its number format "
        f"{quote(cell.number_format)} shows {quote(cell.shown)}; celldose reads the stored "
        "number"
        f"{_hidden(grid, cell)}",
        cell.span,
        "format the cell as a plain number (General, 0 or #,##0), so that it shows the number it "
        "stores",
    )
