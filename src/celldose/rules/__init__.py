"""Every rule celldose knows, listed explicitly.

Codes are stable and never reused. CD0xx: reading the file; CD1xx: the protocol's shape;
CD2xx: field values; CD3xx: consistency of a row; CD4xx: comparison with published studies;
CD5xx: consistency of a whole protocol.
"""

from types import MappingProxyType

from celldose.rules import (
    adjunct_cell_total,
    adjunct_dose_not_counted,
    ambiguous_route,
    dose_not_stated,
    dose_outside_studied_range,
    implausible_count,
    implausible_weight,
    laterality_without_per_side,
    protocol_total_mismatch,
    reading,
    sides_without_sides,
    structure,
    total_mismatch,
    total_not_stated,
    unit_mismatch,
    unknown_route,
    volume_mismatch,
)
from celldose.rules.base import Finding, FixSafety, RowContext, Rule

CONSISTENCY: tuple[Rule, ...] = (
    total_mismatch.RULE,
    unit_mismatch.RULE,
    total_not_stated.RULE,
    dose_not_stated.RULE,
    adjunct_cell_total.RULE,
    adjunct_dose_not_counted.RULE,
    unknown_route.RULE,
    ambiguous_route.RULE,
    laterality_without_per_side.RULE,
    sides_without_sides.RULE,
    volume_mismatch.RULE,
    dose_outside_studied_range.RULE,
    protocol_total_mismatch.RULE,
    implausible_count.RULE,
    implausible_weight.RULE,
)

ALL: tuple[Rule, ...] = tuple(
    sorted((*reading.RULES, *structure.RULES, *CONSISTENCY), key=lambda r: r.code)
)
BY_CODE: MappingProxyType[str, Rule] = MappingProxyType({r.code: r for r in ALL})
BY_NAME: MappingProxyType[str, Rule] = MappingProxyType({r.name: r for r in ALL})
ROW_CHECKS = tuple(r for r in CONSISTENCY if r.check_row is not None)
PROTOCOL_CHECKS = tuple(r for r in CONSISTENCY if r.check_protocol is not None)

__all__ = [
    "ALL",
    "BY_CODE",
    "BY_NAME",
    "PROTOCOL_CHECKS",
    "ROW_CHECKS",
    "Finding",
    "FixSafety",
    "RowContext",
    "Rule",
]
