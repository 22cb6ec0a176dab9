"""Sites, vials or discs per session: how many times one administration gives its dose.

Alofisel is published as 4 vials of 30 million cells, 120 million cells in one session; a
clinic writes 24 intramuscular injections, or a dose per disc. A row states that count as
``sites: 4`` (or ``vials: 4``, ``discs: 2``), or in its dose, ``30 million cells x 4
injections``. The total is dose x sites x administrations x sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic_core import PydanticCustomError

from celldose.diagnostics import quote
from celldose.model.errors import ErrorType
from celldose.units.parse import MAX_TEXT

SITE_FIELDS = ("sites", "vials", "discs")
MAX_SITES = 10_000
_IN_DOSE = re.compile(
    r"(?P<dose>.*?\S)\s*+[xX\u00d7]\s*+(?P<n>[1-9]\d{0,3}+)\s*+"
    r"(?P<what>injections?+|sites?+|vials?+|discs?+|injection sites?+)\s*+"
)


def to_sites(value: object) -> int:
    """A positive whole number of sites, vials or discs (``4``)."""
    if isinstance(value, bool):
        raise _error(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*[1-9]\d{0,4}\s*", value):
        number = int(value)
    else:
        raise _error(value)
    if not 1 <= number <= MAX_SITES:
        raise _error(value)
    return number


def _error(value: object) -> PydanticCustomError:
    return PydanticCustomError(
        ErrorType.INVALID_SITES,
        "{text} is not a positive whole number of sites, vials or discs",
        {"text": quote(value)},
    )


def sites_from_dose(data: object) -> object:
    """``dose: 30 million cells x 4 injections`` becomes dose 30 million cells, sites 4."""
    if not isinstance(data, Mapping):
        return data
    dose = data.get("dose")
    short = isinstance(dose, str) and len(dose) <= MAX_TEXT
    match = _IN_DOSE.fullmatch(dose) if short and isinstance(dose, str) else None
    if match is None:
        return data
    count = int(match.group("n"))
    stated = {key: data[key] for key in SITE_FIELDS if data.get(key) is not None}
    if any(_as_int(value) != count for value in stated.values()):
        key, value = next(iter(stated.items()))
        raise PydanticCustomError(
            ErrorType.INVALID_SITES,
            "the dose says {count} {what} but {key} is {value}",
            {"count": count, "what": match.group("what"), "key": key, "value": quote(value)},
        )
    changed = dict(data)
    changed["dose"] = match.group("dose")
    if not stated:
        changed["sites"] = count
    return changed


def _as_int(value: object) -> int | None:
    try:
        return to_sites(value)
    except PydanticCustomError:
        return None
