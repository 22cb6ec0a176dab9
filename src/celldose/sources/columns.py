"""A sheet's header cells to protocol fields: ``Time (Days)`` is days, ``Dose (million cells)``
is a dose whose bare numbers count millions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from celldose.units.parse import AmountSyntaxError, parse_amount
from celldose.vocabulary import normal_name

_ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "route": ("route", "route of administration", "administration route", "route of admin"),
    "dose": (
        "dose",
        "cell dose",
        "dose per injection",
        "cells per injection",
        "dose per side",
        "number of cells",
        "cells per dose",
        "cell number",
    ),
    "days": (
        "days",
        "time",
        "number of days",
        "no of days",
        "duration",
        "time days",
        "number of treatments",
        "treatments",
        "number of doses",
        "doses",
        "number of administrations",
        "injections",
        "number of injections",
    ),
    "total": ("total", "total cells", "total dose", "cells total", "total cell count"),
    "per_side": ("per side", "per_side"),
    "laterality": ("laterality", "side", "sides"),
    "product": ("product", "cell product"),
    "volume": ("volume", "volume per injection", "injection volume"),
    "concentration": ("concentration", "cell concentration", "cells per ml"),
    "schedule": ("schedule", "dosing schedule", "frequency"),
    "sites": (
        "sites",
        "number of sites",
        "injection sites",
        "sites per session",
        "injections per session",
    ),
    "vials": ("vials", "number of vials", "vials per session"),
    "discs": ("discs", "number of discs", "discs treated"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
}
_PROTOCOL_FIELDS: dict[str, tuple[str, ...]] = {
    "protocol": ("protocol", "protocol name", "name", "title"),
    "condition": ("condition", "indication", "diagnosis"),
    "product": ("product", "cell product"),
    "total_cells": ("total cells", "total_cells", "protocol total", "total cells per protocol"),
    "patient_weight": ("patient weight", "patient_weight", "weight", "body weight"),
}
NUMBER_FIELDS = frozenset({"dose", "total", "volume", "concentration"})
"""Columns of amounts, whose decimal convention is read from their numbers."""
_UNIT_FIELDS = NUMBER_FIELDS
"""Columns whose header may give a unit (``Dose (million cells)``, ``Volume (mL)``) that
applies to their bare numbers."""
REQUIRED = ("route", "dose", "days", "total")
"""Columns every sheet must have; the first one names the header row."""

_PARENTHESIS = re.compile(r"(?P<name>[^()]*+)\((?P<inner>[^()]*+)\)\s*+$")
"""``Dose (million cells)``; the name keeps its trailing spaces (a lazy name before ``\\s*`` took
cubic time on a run of spaces), so it is stripped after the match."""
_DAY_WORDS = frozenset({"day", "days", "d"})


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {
        normal_name(alias.replace("_", " ")): field
        for field, names in table.items()
        for alias in names
    }


_ROW_INDEX = _index(_ROW_FIELDS)
_PROTOCOL_INDEX = _index(_PROTOCOL_FIELDS)


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    unit: str | None = None
    """The unit the header gives to bare numbers, e.g. ``million cells``."""


def recognize(header: str) -> Column | str:
    """The column a header names, or a reason it names none."""
    text = _normal(header)
    if text in _ROW_INDEX:
        return Column(_ROW_INDEX[text])
    match = _PARENTHESIS.match(text)
    if match is None:
        return "not a known column"
    name, inner = match.group("name").rstrip(), match.group("inner").strip()
    field = _ROW_INDEX.get(name)
    if field is None:
        return "not a known column"
    if field == "days":
        return Column("days") if inner in _DAY_WORDS else f"days are counted in days, not {inner!r}"
    if field not in _UNIT_FIELDS:
        return Column(field)
    try:
        parse_amount(f"1 {inner}")
    except AmountSyntaxError as exc:
        return f"the unit {inner!r} is not understood: {exc.reason}"
    return Column(field, inner)


def protocol_field(label: str) -> str | None:
    """The protocol field a label above the table names (``Condition:``), if any."""
    return _PROTOCOL_INDEX.get(_normal(label).rstrip(":").strip())


def known_columns() -> str:
    return ", ".join(names[0].title() for names in _ROW_FIELDS.values())


def known_protocol_fields() -> str:
    return ", ".join(names[0] for names in _PROTOCOL_FIELDS.values())


def _normal(text: str) -> str:
    return normal_name(text.replace("_", " ").replace(".", " ").strip("*: \t"))
