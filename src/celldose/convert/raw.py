"""A protocol as written: its fields and rows as the strings the source holds, before validation.

Conversion works on this, not on the validated model: a converted file must check to the same
diagnostics as its source, errors included, so a wrong total is carried over as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from celldose.diagnostics import Severity
from celldose.model import Administration, ProtocolFields
from celldose.sources.sheet import Grid, read_sheet
from celldose.sources.text import Loaded

PROTOCOL_KEYS = tuple(f.alias or name for name, f in ProtocolFields.model_fields.items())
"""The protocol's own keys as a file writes them, in the model's order."""
ROW_KEYS = tuple(f.alias or name for name, f in Administration.model_fields.items())
"""A row's keys, in the model's order: the columns a converted sheet may have."""


@dataclass(frozen=True, slots=True)
class RawProtocol:
    fields: dict[str, str] = field(default_factory=dict)
    """Protocol fields in source order (``protocol`` for the name); unknown keys are kept."""
    rows: list[dict[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.fields.get("protocol", "protocol")

    def unknown_keys(self) -> list[str]:
        """Keys that are no protocol or row field (each a CD101 finding in the source)."""
        found = [key for key in self.fields if key not in PROTOCOL_KEYS]
        found += [key for row in self.rows for key in row if key not in ROW_KEYS]
        return list(dict.fromkeys(found))

    def row_keys(self) -> list[str]:
        """Columns for a sheet: the four always, then the optional and unknown ones used."""
        used = {key for row in self.rows for key in row}
        known = [k for k in ROW_KEYS if k in ("route", "dose", "days", "total") or k in used]
        extra = sorted(used - set(ROW_KEYS))
        return known + extra


class NotConvertible(ValueError):
    """The source has a value no other format can hold as written (a nested list, say)."""


def from_yaml(loaded: Loaded) -> RawProtocol:
    data = loaded.data
    if not isinstance(data, Mapping):
        raise NotConvertible("the document is not a mapping of protocol fields")
    fields = {
        str(key): _scalar(value, str(key))
        for key, value in data.items()
        if key != "administrations" and value is not None
    }
    rows_data = data.get("administrations")
    if not isinstance(rows_data, list):
        raise NotConvertible("administrations is not a list of rows")
    rows = []
    for index, row in enumerate(rows_data, start=1):
        if not isinstance(row, Mapping):
            raise NotConvertible(f"row {index} is not a mapping of fields")
        rows.append(
            {
                str(key): _scalar(value, f"row {index} {key}")
                for key, value in row.items()
                if value is not None
            }
        )
    return RawProtocol(fields, rows)


def from_grid(grid: Grid) -> RawProtocol | list[str]:
    """The protocol of a table, or the reasons it cannot be carried over exactly."""
    sheet = read_sheet(grid)
    rows = [dict(row.data) for row in sheet.rows()]
    problems = [p for p in sheet.problems if p.rule.severity is not Severity.INFO]
    if sheet.header is None or problems:  # an info (a recovered row) says how it was read
        return [problem.message for problem in problems] or ["no table found"]
    fields = dict(sheet.fields)
    ordered = {key: fields.pop(key) for key in PROTOCOL_KEYS if key in fields}
    return RawProtocol({**ordered, **fields}, rows)


def _scalar(value: object, where: str) -> str:
    if isinstance(value, str):
        return value
    raise NotConvertible(f"{where} is not a single value; a sheet cell cannot hold it")
