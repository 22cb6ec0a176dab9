"""CD501: a protocol's total_cells differs from the sum over its rows."""

from collections.abc import Callable, Iterator
from fractions import Fraction

from celldose.diagnostics import Severity
from celldose.doses import cells_text
from celldose.model import ProtocolFields
from celldose.rules.base import Finding, Rule
from celldose.totals import CellSum
from celldose.units.format import unit_name


def _reading(exact: int | Fraction, low: int | Fraction, high: int | Fraction) -> str:
    if low == high:
        return cells_text(exact)
    return (
        f"{cells_text(exact)} ({cells_text(low)} to {cells_text(high)} for a weight written to "
        "this precision)"
    )


def check(protocol: ProtocolFields, sum_rows: Callable[[], CellSum]) -> Iterator[Finding]:
    written = protocol.total_cells
    if written is None or unit_name(written) != "cell":
        return
    cells = sum_rows()
    if not cells.complete:
        return
    if cells.accepts(written.magnitude):
        return
    one, both = _reading(cells.low, cells.low_min, cells.low_max), ""
    if cells.low == cells.high:
        computed = f"the rows' dose x days x sides = {one}"
    else:
        both = _reading(cells.high, cells.high_min, cells.high_max)
        computed = (
            f"the rows' dose x days x sides = {one} with one side, or {both} with both sides, "
            "of each per-side row without a laterality or on a route without sides"
        )
    yield Finding(
        RULE,
        f"total_cells {written.magnitude:,} cells != {computed}",
        ("total_cells",),
        "correct total_cells, or a row's dose, days or laterality",
    )


RULE = Rule(
    code="CD501",
    name="protocol-total-mismatch",
    severity=Severity.ERROR,
    summary="The protocol's total_cells differs from the sum of dose x days x sides over its rows.",
    explanation=(
        "total_cells is the number of cells the whole protocol delivers: the sum over rows that "
        "deliver cells of dose x days x sides, where a per-side row treats one side (left, "
        "right) or two (bilateral). A per-side row without a laterality may treat one side or "
        "both, so either reading is accepted and the message shows both. A per-kg dose counts "
        "with the protocol's patient_weight: exactly when dose x weight is a whole number of "
        "cells, otherwise (a weight in pounds) within the span the weight's written precision "
        "allows, the same span the row check (CD301) accepts; without a weight (none is ever "
        "assumed), or with a missing dose, the sum is unknown "
        "and total_cells is not checked."
    ),
    fix="Correct total_cells, or a row's dose, days or laterality.",
    bad=(
        "protocol: Knees\ntotal_cells: 50 million\nadministrations:\n"
        "  - route: intra-articular/per side\n    laterality: bilateral\n"
        "    dose: 50 million\n    days: 1\n    total: 50 million\n"
    ),
    good=(
        "protocol: Knees\ntotal_cells: 100 million\nadministrations:\n"
        "  - route: intra-articular/per side\n    laterality: bilateral\n"
        "    dose: 50 million\n    days: 1\n    total: 50 million\n"
    ),
    check_protocol=check,
)
