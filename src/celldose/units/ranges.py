"""Ranges, lists and a mean with its spread: what a dose cell may hold besides one amount.

Papers write a range of doses with the scale once, after the high end: ``1-2 x 10^6
cells/kg`` is 1,000,000 to 2,000,000 cells/kg; ``0.6-1.8 x 10^8 cells``, ``5-6 x 10^7``. An end
that states its own scale keeps it: ``7 x 10^5 to 1.2 x 10^6``. The ends are separated by an en
dash, an em dash, a hyphen or ``to``; a hyphen right after ``e`` or ``^`` is an exponent's sign
and a leading ``-5`` is a negative number (an error), never a range.

Several doses in one cell (``2, 5, 10 x 10^6/kg``, ``6 or 18 M``, ``125 M IT, 48 M IM``) are
study arms, not one row's dose; ``100 ± 20 M`` is a study's mean and spread. Both are refused
with what was found. A thousands comma has no space after it: ``50,000,000`` is one number,
``5,000, 10,000`` and ``1, 100`` are two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pint

from celldose.units.parse import Amount, AmountSyntaxError, cell_unit, parse_amount

# Each pattern starts where a run of spaces starts and its quantifiers are possessive, so that
# it runs in linear time on any text (tests/regex_budget_probe.py); callers also bound the text.
_SEPARATOR = re.compile(r"(?<=[\w⁰¹²³⁴⁵⁶⁷⁸⁹])(?<![eE])\s*+(?:[\u2013\u2014]|-|\bto\b)\s*+(?=\d)")
_PLAIN = re.compile(r"\d++(?:[.,'\u2019\u00a0\u202f\u2009 ]\d++)*+")
_LIST = re.compile(r"(?<!\s)(?:\s*+,\s++|\s++or\s++|\s*+,?+\s++and\s++|\s*+;\s*+)")
_STARTS_A_NUMBER = re.compile(r"[1-9]|0\.\d")
_RANGE_MARKS = ("-", "\u2013", "\u2014", "to")
"""What :data:`_SEPARATOR` needs to find in a text: without one, the text is no range."""
_SPREAD = re.compile(r"±|\+\s*+/\s*+-|\+-")
_NUMBER_NAMES = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


@dataclass(frozen=True, slots=True)
class AmountRange:
    """Two exactly read ends, in one unit, low below high."""

    low: Amount
    high: Amount


@dataclass(frozen=True, slots=True)
class QuantityRange:
    """A validated range of counts: ``low`` and ``high`` are whole counts in one unit."""

    low: pint.Quantity[Any]
    high: pint.Quantity[Any]
    text: str
    """As written: a converted sheet writes it back unchanged."""

    def __mul__(self, factor: int) -> QuantityRange:
        return QuantityRange(self.low * factor, self.high * factor, self.text)

    def __str__(self) -> str:
        return self.text


class SeveralAmounts(ValueError):
    """Several doses in one cell; ``reason`` names them."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_range(text: str) -> AmountRange | None:
    """The range ``text`` writes, or None when it is no range. Raises AmountSyntaxError."""
    if not any(mark in text for mark in _RANGE_MARKS):
        return None  # no separator a range could have: nearly every count, without a regex
    if _SPREAD.search(text) or len(_SEPARATOR.findall(text)) != 1:
        return None
    match = _SEPARATOR.search(text)
    assert match is not None
    low_text, high_text = text[: match.start()].strip(), text[match.end() :].strip()
    if not low_text or not low_text[0].isdigit():
        return None
    high = parse_amount(high_text)
    if _PLAIN.fullmatch(low_text):  # "1-2 x 10^6 cells/kg": the low end takes the high's scale
        scale = _scale(high_text)
        low = Amount(parse_amount(low_text).value * scale.value, scale.unit)
    else:
        low = parse_amount(low_text)
        if low.unit == cell_unit() and _names_no_unit(low_text):
            low = Amount(low.value, high.unit)
    if low.unit != high.unit:
        raise AmountSyntaxError(text, "the ends of the range are in different units")
    if low.value >= high.value:
        raise AmountSyntaxError(text, "a range's low end must be below its high end")
    return AmountRange(low, high)


def _scale(high_text: str) -> Amount:
    """What multiplies the high end's leading number: ``2 x 10^6 cells/kg`` -> 10^6 cells/kg."""
    mantissa = _PLAIN.match(high_text)
    rest = high_text[mantissa.end() :] if mantissa else high_text
    return parse_amount("1" + rest)


def _names_no_unit(text: str) -> bool:
    try:
        parse_amount(f"{text} cells")
    except AmountSyntaxError:
        return False
    return True


def several_doses(text: str) -> str | None:
    """Why ``text`` is several doses (``three doses in one cell (2, 5 and 10 ...)``), or None."""
    parts = [p.strip() for p in _LIST.split(text.strip())]
    # Each part starts as a number does; "50, 000" is no list but a misspaced number.
    if len(parts) < 2 or not all(_STARTS_A_NUMBER.match(p) for p in parts):
        return None
    count = _NUMBER_NAMES.get(len(parts), str(len(parts)))
    listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    return (
        f"holds {count} doses ({listed}): a protocol row has one dose; write one row per "
        "dose, or one protocol per study arm"
    )


def mean_and_spread(text: str) -> str | None:
    """Why ``100 ± 20 M`` is not a dose, or None."""
    if not _SPREAD.search(text):
        return None
    return (
        f"{text.strip()!r} is a mean and its spread, a study's report of the doses given, not a "
        "protocol's dose: write the dose one administration gives"
    )
