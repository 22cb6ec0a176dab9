"""How a fix spells a count: as its column or value already does, or as the user opted into.

``normalize-counts`` (a configuration key) names one spelling for every cell count:
``"grouped"`` (``50,000,000``) or ``"plain"`` (``50000000``). A bare number counts cells, so
the unit ``cells`` is dropped; any other unit is kept in its usual label
(``1,000,000 cells/kg``). A respelling is only ever offered when it reads back, through
:func:`celldose.units.parse.parse_amount`, as exactly the same amount in exactly the same unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from celldose.units.format import unit_name
from celldose.units.parse import Amount, AmountSyntaxError, parse_amount

if TYPE_CHECKING:
    from celldose.config import CountSpelling

_COUNT_UNITS = {
    "cell": "",
    "cell / kilogram": "cells/kg",
    "cell / gram": "cells/g",
    "cell / pound": "cells/lb",
}
"""The units of a cell count, and how the normalized spelling writes them (cells: nothing)."""
_GROUPED = re.compile(
    r"\s*+(?P<number>\d{1,3}(?P<mark>[,.'\u2019 \u00a0\u202f\u2009])\d{3}(?:(?P=mark)\d{3})*"
    r"|\d+)(?![\d.,])(?P<rest>.*)$",
    re.S,
)
"""A whole number, grouped by one mark or not grouped, and what follows it."""


@dataclass(frozen=True, slots=True)
class Style:
    """How a column or a written value spells a count: ``100,000,000 cells`` is
    ``Style(",", " cells")``; under a header ``Total (million cells)``, ``100`` is
    ``Style(scale=10**6)``."""

    thousands: str = ""
    """The thousands mark, or nothing for digits alone."""
    suffix: str = ""
    """What follows the number as written (`` cells``), kept."""
    scale: Fraction = Fraction(1)
    """Cells per unit of the number: the header's unit (bare numbers count millions)."""


def group(count: int, thousands: str) -> str:
    """``count`` with ``thousands`` between groups of three digits (none: digits alone)."""
    return f"{count:,}".replace(",", thousands) if thousands else str(count)


def spell(count: int, style: Style) -> str | None:
    """``count`` cells in ``style``; None when its scale does not divide it (75 in millions
    is fine, 2,500,000 is not a whole number of millions)."""
    value = Fraction(count) / style.scale
    if value.denominator != 1 or value <= 0:
        return None
    return group(value.numerator, style.thousands) + style.suffix


def style_of(written: str, *, comma: bool, scale: Fraction = Fraction(1)) -> Style:
    """The style of a written count: its thousands mark (a comma in a decimal-comma column is
    a decimal mark, not grouping) and a trailing ``cells``. Anything else (``5e7``,
    ``50 million``) has no style to copy: digits alone, in the column's ``scale``."""
    match = _GROUPED.match(written)
    if match is None:
        return Style(scale=scale)
    mark = match.group("mark") or ""
    if (mark == "," and comma) or (mark == "." and not comma):
        mark = ""  # a decimal mark in this column, or an ambiguous one
    rest = match.group("rest")
    if not rest.strip():
        return Style(mark, "", scale)
    if rest.strip().lower() in ("cells", "cell"):
        return Style(mark, rest.rstrip(), Fraction(1))  # a value with its own unit
    return Style(scale=scale)


def thousands_mark(spelling: CountSpelling, *, comma: bool) -> str:
    """The mark of the opted-in spelling: a comma, or a point where a comma is the decimal
    mark (a decimal-comma sheet groups ``50.000.000``); nothing for ``plain``."""
    if spelling == "plain":
        return ""
    return "." if comma else ","


def count_in(spelling: CountSpelling, count: int) -> str:
    """A count of cells in the opted-in spelling: ``100,000,000`` or ``100000000``."""
    return group(count, thousands_mark(spelling, comma=False))


def normalized(
    amount: Amount | None,
    written: str,
    spelling: CountSpelling,
    *,
    comma: bool = False,
    reader: Callable[[str], Amount | None] | None = None,
) -> str | None:
    """``written`` (which reads as ``amount``) in the opted-in spelling, or None: not a
    positive whole cell count, already so spelled, or a respelling that would not read back as
    the same amount and unit.

    ``comma``: group with a point (a decimal-comma column); ``reader``: how the value's place
    reads a text (a sheet column's decimal convention), :func:`read` by default (YAML).
    """
    if amount is None or not amount.is_integer or amount.value <= 0:
        return None
    label = _COUNT_UNITS.get(unit_name(amount.unit))
    if label is None:
        return None
    number = group(amount.value.numerator, thousands_mark(spelling, comma=comma))
    text = f"{number} {label}" if label else number
    if text == written.strip() or not same((reader or read)(text), amount):
        return None
    return text


def read(text: str) -> Amount | None:
    """The amount ``text`` spells, as YAML values are read; None when it spells none."""
    try:
        return parse_amount(text)
    except AmountSyntaxError:
        return None


def same(found: Amount | None, wanted: Amount) -> bool:
    """The same exact value in the same unit."""
    return (
        found is not None
        and found.value == wanted.value
        and unit_name(found.unit) == unit_name(wanted.unit)
    )


def cells(count: int) -> Amount:
    """``count`` cells, as :func:`parse_amount` would read it."""
    return parse_amount(str(count))
