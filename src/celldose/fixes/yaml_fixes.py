"""Fixes of a YAML protocol, placed by the source map of its values and keys.

* **CD303** (safe): ``total: <dose x days>`` on a new line after the row's last key line,
  indented like the row's keys, with the line's own line ending. Only for a dose in cells (not
  per kg) and a row in block style.
* **CD301** (unsafe): the written total's characters (inside its quotes) become dose x days.
* **normalize-counts** (safe, opted into): a dose, total or ``total_cells`` written in another
  spelling (``5e7``, ``50 million``) is respelled in place; in a flow collection (``{...}``) a
  count with commas is quoted, as a plain comma would end the value there.

A text with a reading problem (any CD0xx) gets no edit: its data would not be all there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import pint

from celldose.diagnostics import Diagnostic, Pointer
from celldose.fixes.edits import (
    NORMALIZE,
    ODD_BREAKS,
    Edit,
    Planned,
    Unplaced,
    apply,
    expected_cells,
    fix_of,
    fixable,
    has_break,
    reading_problem,
    without_overlaps,
)
from celldose.fixes.spelling import cells, count_in, normalized, read, same
from celldose.model import Administration
from celldose.rules.total_mismatch import RULE as TOTAL_MISMATCH
from celldose.rules.total_not_stated import RULE as TOTAL_NOT_STATED
from celldose.sources.sourcemap import SourceMap
from celldose.sources.yaml_source import load_yaml
from celldose.units.format import unit_name
from celldose.units.parse import Amount
from celldose.validation import validate

if TYPE_CHECKING:
    from celldose.config import CountSpelling

Target = tuple[Pointer, Amount]
"""Where an edit's value is in the data, and the amount it must read back as."""
_COUNT_KEYS = ("dose", "total")
_FLOW = "the row is written in flow style ({...}); fixes edit block-style rows only"
_BY_HAND = "no place was found where the total can be written safely; write it by hand"


def plan_yaml(
    text: str, diagnostics: Iterable[Diagnostic], spelling: CountSpelling | None = None
) -> Planned:
    """The edits that fix ``diagnostics`` of the YAML ``text`` (and respell its counts when
    ``spelling`` is set), safe and unsafe, in order."""
    found = fixable(diagnostics)
    loaded = load_yaml(text)
    if loaded.problems or not isinstance(loaded.data, Mapping):
        return Planned(skipped=reading_problem(loaded.problems) if found else [])
    data = loaded.data
    targets: dict[Edit, Target] = {}
    unplaced: list[Unplaced] = []
    for edit, target in _fixes(text, loaded.source_map, data, found, spelling, unplaced):
        targets[edit] = target
    if spelling is not None:
        fixed = {pointer for pointer, _ in targets.values()}
        for edit, target in _respell(text, loaded.source_map, data, spelling, fixed):
            targets[edit] = target
    edits = without_overlaps(targets)

    def reads_back(chosen: Sequence[Edit]) -> bool:
        return _reads_back(text, data, {targets[e][0]: targets[e][1] for e in chosen}, chosen)

    return Planned(edits, [], reads_back, unplaced)


def _fixes(
    text: str,
    source_map: SourceMap,
    data: Mapping[str, object],
    found: Iterable[Diagnostic],
    spelling: CountSpelling | None,
    unplaced: list[Unplaced],
) -> Iterator[tuple[Edit, Target]]:
    """CD303 and CD301 on the rows that validate: the total needs the row's dose and days.
    A fix that has no safe place in the text is added to ``unplaced``, with the reason."""
    rows = dict(validate(data).rows)
    data_rows = data.get("administrations")
    if not isinstance(data_rows, list):
        return
    for diagnostic in found:
        index = diagnostic.pointer[1]
        assert isinstance(index, int)
        row_data = data_rows[index] if 0 <= index < len(data_rows) else None
        if index not in rows or not isinstance(row_data, dict):
            continue
        row = rows[index]
        if diagnostic.code == TOTAL_NOT_STATED.code:
            edit = _insert_total(text, source_map, index, row_data, row, spelling)
        else:
            edit = _replace_total(text, source_map, index, row_data, row, spelling)
        if isinstance(edit, str):
            unplaced.append(Unplaced(diagnostic.code, diagnostic.line, edit))
        elif edit is not None:
            yield edit[0], (("administrations", index, "total"), cells(edit[1]))


def _insert_total(
    text: str,
    source_map: SourceMap,
    index: int,
    data: dict[str, object],
    row: Administration,
    spelling: CountSpelling | None,
) -> tuple[Edit, int] | str | None:
    """CD303: ``total: N`` on a new line after the row's last key line (safe). None when the
    row has no total to compute; the reason when it has one and no safe place for it."""
    expected = expected_cells(row)
    if expected is None:
        return None
    if "total" in data:  # `total:` written without a value: what is meant there is not ours
        return "the total is written without a value; write the value by hand"
    here = ("administrations", index)
    region = source_map.values.get(here)
    if region is None or _flow(text, region):
        return _FLOW
    keys = [source_map.keys.get((*here, key)) for key in data]
    if not keys or any(k is None for k in keys):
        return _BY_HAND
    starts = [k[0] for k in keys if k is not None]
    last_key = max(data, key=lambda key: source_map.keys[(*here, key)][0])
    value = source_map.values.get((*here, last_key))
    if value is None:
        return _BY_HAND
    value_start, value_end = value
    if text[value_start : value_start + 1] in ("|", ">") or has_break(text[value_start:value_end]):
        # a block or multi-line scalar, or a nested collection: no line to add the total after
        return "the row ends with a value over several lines; write the total by hand"
    end = _line_end(text, value_end)
    if end is None:
        return _BY_HAND
    eol = text[end[0] : end[1]] or _file_eol(text)
    key_start = max(starts)
    column = key_start - (text.rfind("\n", 0, key_start) + 1)
    line = f"{' ' * column}total: {count_in(spelling or 'grouped', expected)}"
    if end[0] == end[1]:  # the last line has no line ending: start a new one
        return fix_of(TOTAL_NOT_STATED, end[1], end[1], eol + line), expected
    return fix_of(TOTAL_NOT_STATED, end[1], end[1], line + eol), expected


def _replace_total(
    text: str,
    source_map: SourceMap,
    index: int,
    data: dict[str, object],
    row: Administration,
    spelling: CountSpelling | None,
) -> tuple[Edit, int] | str | None:
    """CD301: the total's characters (inside its quotes) become dose x days (unsafe). None
    when there is nothing to replace; the reason when the total cannot be edited in place."""
    total = row.total
    if not isinstance(total, pint.Quantity) or unit_name(total) != "cell":
        return None
    expected = expected_cells(row)
    if expected is None or total.magnitude == expected:
        return None
    row_region = source_map.values.get(("administrations", index))
    value = source_map.values.get(("administrations", index, "total"))
    if row_region is None or value is None:
        return _BY_HAND
    if _flow(text, row_region):
        return _FLOW
    inner = _inside_quotes(text, *value)
    written = data.get("total")
    if inner is None or not isinstance(written, str) or text[inner[0] : inner[1]] != written:
        return "the total is written with an escape or over several lines; replace it by hand"
    start, end = inner
    if spelling is not None:
        number = count_in(spelling, expected)
    else:
        number = f"{expected:,}" if "," in written else str(expected)
        if written.rstrip().lower().endswith("cells"):
            number += " cells"
    return fix_of(TOTAL_MISMATCH, start, end, number), expected


def _respell(
    text: str,
    source_map: SourceMap,
    data: Mapping[str, object],
    spelling: CountSpelling,
    fixed: set[Pointer],
) -> Iterator[tuple[Edit, Target]]:
    """normalize-counts: each count written in another spelling, respelled where it stands."""
    for pointer, value in _counts(data):
        region = source_map.values.get(pointer)
        if pointer in fixed or region is None:
            continue
        inner = _inside_quotes(text, *region)
        if inner is None or text[inner[0] : inner[1]] != value:
            continue  # an escape sequence, or a plain scalar folded over lines
        amount = read(value)
        respelled = normalized(amount, value, spelling)
        if respelled is None or amount is None:
            continue
        plain = inner[1] == region[1]  # no closing quote
        if plain and "," in respelled and _in_flow(text, source_map, pointer):
            respelled = f'"{respelled}"'  # in {...} or [...], a plain comma ends the value
        yield Edit(inner[0], inner[1], respelled, NORMALIZE), (pointer, amount)


def _counts(data: Mapping[str, object]) -> Iterator[tuple[Pointer, str]]:
    """The cell counts of a protocol as written: total_cells, and each row's dose and total."""
    total_cells = data.get("total_cells")
    if isinstance(total_cells, str):
        yield ("total_cells",), total_cells
    rows = data.get("administrations")
    if not isinstance(rows, list):
        return
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        for key in _COUNT_KEYS:
            value = row.get(key)
            if isinstance(value, str):
                yield ("administrations", index, key), value


def _inside_quotes(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A one-line scalar's characters, inside its quotes and after its anchor (``&t '1'``);
    None for a block or multi-line one."""
    start = _past_anchor(text, start, end)
    written = text[start:end]
    if not written or written[0] in "|>" or has_break(written):
        return None
    if written[0] in "'\"":
        if len(written) < 2 or written[-1] != written[0]:
            return None
        return start + 1, end - 1
    return start, end


def _in_flow(text: str, source_map: SourceMap, pointer: Pointer) -> bool:
    """Whether a value sits inside a flow collection (``{...}`` or ``[...]``)."""
    for length in range(len(pointer)):
        region = source_map.values.get(pointer[:length])
        if region is not None and _flow(text, region):
            return True
    return False


def _flow(text: str, region: tuple[int, int]) -> bool:
    """Whether the node written at ``region`` is a flow collection, after any anchor."""
    start = _past_anchor(text, *region)
    return text[start : start + 1] in ("{", "[")


def _past_anchor(text: str, start: int, end: int) -> int:
    """Where a node's content starts: after its anchor (``&row``) and the blanks that follow,
    which the source map counts as part of the node."""
    if not text.startswith("&", start):
        return start
    position = start
    while position < end and not text[position].isspace():
        position += 1
    while position < end and text[position].isspace():
        position += 1
    return position


def _reads_back(
    text: str, data: object, wanted: dict[Pointer, Amount], chosen: Sequence[Edit]
) -> bool:
    """The edited text loads without a problem, to the same data but for the edited values,
    which read as the amounts they were meant to be."""
    loaded = load_yaml(apply(text, chosen))
    return not loaded.problems and _same_data(data, loaded.data, (), wanted)


def _same_data(old: object, new: object, pointer: Pointer, wanted: dict[Pointer, Amount]) -> bool:
    if pointer in wanted:
        return isinstance(new, str) and same(read(new), wanted[pointer])
    if isinstance(old, dict):
        if not isinstance(new, dict) or any(key not in new for key in old):
            return False
        if any(key not in old and (*pointer, key) not in wanted for key in new):
            return False  # only a fix adds a key (a missing total)
        return all(_same_data(old.get(k), v, (*pointer, k), wanted) for k, v in new.items())
    if isinstance(old, list):
        return (
            isinstance(new, list)
            and len(new) == len(old)
            and all(
                _same_data(o, n, (*pointer, i), wanted)
                for i, (o, n) in enumerate(zip(old, new, strict=True))
            )
        )
    return old == new


def _line_end(text: str, position: int) -> tuple[int, int] | None:
    """Where the line holding ``position`` ends: (start, end) of its LF or CRLF, or (n, n) at
    the end of a text without a final line break; None at a lone CR, NEL or LS."""
    for i in range(position, len(text)):
        char = text[i]
        if char == "\n":
            return i, i + 1
        if char == "\r":
            return (i, i + 2) if text[i + 1 : i + 2] == "\n" else None
        if char in ODD_BREAKS:
            return None
    return len(text), len(text)


def _file_eol(text: str) -> str:
    """The file's first line ending, CRLF or LF (LF for a one-line file)."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
