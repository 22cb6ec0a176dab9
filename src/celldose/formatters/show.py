"""``celldose show``: a protocol as a table, each row's computed total beside the written one.

Every text from the file (the protocol's name, routes, the path) is escaped
(:func:`celldose.escape.shown`): a table is shown, never obeyed by the terminal.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pint

from celldose import escape
from celldose.doses import cells_text
from celldose.model import NA, Administration, Protocol
from celldose.model.schedule import Schedule
from celldose.rules.range_totals import compare, involves_range, shown
from celldose.totals import CellSum, RowCells, protocol_cells
from celldose.units.format import format_quantity, unit_name
from celldose.units.ranges import QuantityRange
from celldose.vocabulary import classify

_HEADERS = ("route", "dose", "days", "sides", "total (written)", "total (computed)", "")


def render(protocol: Protocol, path: str) -> str:
    cells = protocol_cells(protocol)
    total = cells.sum
    rows = [
        tuple(escape.shown(cell) for cell in table_row(r, protocol.patient_weight))
        for r in cells.rows
    ]
    widths = [max(len(line[i]) for line in (_HEADERS, *rows)) for i in range(len(_HEADERS))]
    lines = [f"{escape.shown(protocol.name)} ({escape.shown(path)})", ""]
    for line in (_HEADERS, *rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    lines += ["", summary(cells.rows, total.low, total.high, total.complete)]
    written = protocol.total_cells
    if written is not None:
        lines.append(
            f"total_cells written: {format_quantity(written)}  {total_verdict(written, total)}"
        )
    return "\n".join(line.rstrip() for line in lines) + "\n"


def total_verdict(written: pint.Quantity[int], total: CellSum) -> str:
    """The written total_cells against the rows' sum: ``ok``, ``MISMATCH`` or, when a row's
    cells are unknown (per kg without a weight, no dose), ``not checked``."""
    if not total.complete:
        return "not checked"
    matches = unit_name(written) == "cell" and total.accepts(written.magnitude)
    return "ok" if matches else "MISMATCH"


def table_row(cells: RowCells, weight: pint.Quantity[Any] | None = None) -> tuple[str, ...]:
    row = cells.row
    if involves_range(row):
        return _range_row(cells, weight)
    computed = "-" if not cells.delivers_cells else _computed(row, cells)
    return (
        _route(row),
        _value(row.dose),
        days_text(row),
        _sides(row),
        _value(row.total),
        computed,
        _verdict(row, cells),
    )


def _range_row(cells: RowCells, weight: pint.Quantity[Any] | None) -> tuple[str, ...]:
    """A row whose dose or total is a range: both ends computed (rules/range_totals.py)."""
    row = cells.row
    comparison = compare(row, weight) if cells.delivers_cells else None
    computed = comparison.computed if comparison is not None else None
    verdict = "no cells" if not cells.delivers_cells else "not checked"
    if comparison is not None:
        verdict = "ok" if comparison.agrees else ("MISMATCH" if computed else "see check")
    days = days_text(row)
    side = " per side" if row.per_side and computed else ""
    return (
        _route(row),
        _value(row.dose),
        days,
        _sides(row),
        _value(row.total),
        (computed or "?") + side if cells.delivers_cells else "-",
        verdict,
    )


def days_text(row: Administration) -> str:
    """``2``, ``twice a week for 4 weeks → 8 administrations``, with ``(4 vials each)``."""
    days = row.days.reading if isinstance(row.days, Schedule) else str(row.days)
    for key in ("sites", "vials", "discs"):
        count = getattr(row, key)
        if count is not None:
            return f"{days} ({count} {key if count != 1 else key.removesuffix('s')} each)"
    return days


def _route(row: Administration) -> str:
    """The route as written, and where the sheet names a site, the route and site it is read
    as: ``knee injection: intra-articular, knee joint``."""
    match = classify(row.route)
    if match.site is None or match.canonical is None:
        return row.route
    return f"{row.route}: {match.canonical}, {match.site}"


def _value(value: pint.Quantity[int] | object) -> str:
    if isinstance(value, QuantityRange):
        return shown(value)
    if isinstance(value, pint.Quantity):
        return format_quantity(value)
    return "N/A" if value is NA else "-"


def _computed(row: Administration, cells: RowCells) -> str:
    expected = row.expected_total
    side = " per side" if row.per_side else ""
    span = whole_span(cells)
    if span is not None:  # per kg x a weight written to some precision
        return f"{span[0]:,} to {span[1]:,} cells{side}"
    if cells.per_side is not None and (expected is None or unit_name(expected) != "cell"):
        return f"{cells.per_side:,} cells{side}"  # from the weight, or concentration x volume
    if expected is None:
        return "?"
    return format_quantity(expected) + side


def _sides(row: Administration) -> str:
    if not row.per_side:
        return "-"
    if row.laterality is None:
        return "1 or 2"
    return f"{row.sides} ({row.laterality.value})"


def _verdict(row: Administration, cells: RowCells) -> str:
    if not cells.delivers_cells:
        return "no cells"
    expected, total = row.expected_total, row.total
    if not isinstance(total, pint.Quantity):
        return "not checked"
    if cells.per_side is not None and unit_name(total) == "cell":
        return "ok" if total.magnitude == cells.per_side else "MISMATCH"
    span = whole_span(cells)
    if span is not None and unit_name(total) == "cell":
        return "ok" if span[0] <= total.magnitude <= span[1] else "MISMATCH"
    if expected is None or unit_name(expected) != unit_name(total):
        return "see check"  # a per-kg dose and a cell total: CD301 or CD302 says more
    return "ok" if total == expected else "MISMATCH"


def whole_span(cells: RowCells) -> tuple[int, int] | None:
    """A per-kg dose times a weight that is not a whole number of cells: the whole cell counts
    over the row's doses (one side) in the span the weight's written precision allows (154 lb
    stands for 153.5 to 154.5 lb), as the row check accepts a written total; otherwise None."""
    per = cells.cells
    if cells.per_side is not None or per is None or per.whole:
        return None
    doses = cells.row.injections  # sites x administrations (days, or the schedule's count)
    return math.ceil(per.low * doses), math.floor(per.high * doses)


def computed_total(total: CellSum) -> str:
    """The protocol's computed cells, short: ``X cells``, ``X or Y cells`` (per-side rows
    without a laterality), ``X to Y cells`` (a weight's precision), or ``unknown``."""
    if not total.complete:
        return "unknown"
    if not _exact_whole(total):
        low, high = math.ceil(total.low_min), math.floor(max(total.low_max, total.high_max))
        return f"{low:,} to {high:,} cells"
    if total.low == total.high:
        return cells_text(total.low)
    return f"{cells_text(total.low).removesuffix(' cells')} or {cells_text(total.high)}"


def precision(total: CellSum) -> str:
    """What the weight's precision allows of a protocol's cells, for its summary: empty when
    every row is exact."""
    if not total.complete or _exact_whole(total):
        return ""
    one = (math.ceil(total.low_min), math.floor(total.low_max))
    both = (math.ceil(total.high_min), math.floor(total.high_max))
    text = f"{one[0]:,} to {one[1]:,} cells"
    if one != both:
        text += f" with one side, or {both[0]:,} to {both[1]:,} cells with both sides"
    return f"; for the patient_weight's written precision: {text}"


def _exact_whole(total: CellSum) -> bool:
    """dose x weight is a whole number of cells (70 kg): the exact figures are shown alone."""
    return Fraction(total.low).denominator == 1 == Fraction(total.high).denominator


def summary(
    rows: tuple[RowCells, ...], low: int | Fraction, high: int | Fraction, complete: bool
) -> str:
    if not complete:
        return (
            "Total cells: unknown (a row's dose is per kg without a patient_weight, a range, or "
            "missing; no weight is assumed)"
        )
    per_side = sum(
        (
            r.cells.exact * r.row.injections
            for r in rows
            if r.delivers_cells and r.cells is not None
        ),
        Fraction(0),
    )
    all_sides = cells_text(low) if low == high else (
        f"{cells_text(low)} with one side, or {cells_text(high)} with both sides, of each "
        "per-side row without a laterality"
    )  # fmt: skip
    counted = cells_text(per_side).removesuffix(" cells")
    total = CellSum()
    for row in rows:
        total.add(row)
    return (
        f"Total cells: {counted} counting each per-side row once; all sides: {all_sides}"
        + precision(total)
    )
