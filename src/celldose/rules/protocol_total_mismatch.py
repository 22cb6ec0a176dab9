"""CD501: a protocol's total_cells differs from the sum over its rows."""

from collections.abc import Callable, Iterator

from celldose.diagnostics import Severity
from celldose.model import ProtocolFields
from celldose.rules.base import Finding, Rule
from celldose.totals import CellSum
from celldose.units.format import unit_name


def check(protocol: ProtocolFields, sum_rows: Callable[[], CellSum]) -> Iterator[Finding]:
    written = protocol.total_cells
    if written is None or unit_name(written) != "cell":
        return
    cells = sum_rows()
    if not cells.complete:
        return
    if written.magnitude in (cells.low, cells.high):
        return
    if cells.low == cells.high:
        computed = f"the rows' dose x days x sides = {cells.low:,} cells"
    else:
        computed = (
            f"the rows' dose x days x sides = {cells.low:,} cells with one side, or "
            f"{cells.high:,} cells with both sides, of each per-side row without a laterality"
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
        "with the protocol's patient_weight when dose x weight is a whole number of cells; "
        "without a weight (none is ever assumed), or with a missing dose, the sum is unknown "
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
