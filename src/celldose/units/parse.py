"""A strict grammar for amounts as protocol sheets write them.

Raw user text is never handed to pint's expression parser: it hangs on ``10**10**10``, reads
``50.000.000`` and ``50 000 000`` as 0, drops commas (``5,0`` becomes 50), reads ``5 M`` as
molar and an empty string as 1. This module recognises the number itself, exactly (as a
:class:`fractions.Fraction`), and gives pint nothing but a short unit word such as ``cells/kg``.

Grammar (whitespace between the parts is optional)::

    amount     := [sign] number [size] [unit]
    number     := mantissa [exponent] [times-ten]  |  ten-power  |  times-ten   "× 10^6/kg"
    mantissa   := digits ["." digits]
                | grouped ["." digits]            grouping with "," "'" "’" or a space
                | grouped-by-dots                  "50.000.000": two or more dots
    exponent   := ("e" | "E") [sign] digits        5e7, 2.5e7, 5.0e+7
    times-ten  := ("x" | "X" | "×" | "*" | "·") ten-power
    ten-power  := "10" ("^" | "**") [sign] digits  |  "10" superscript-digits   10^7, 10⁷
    size       := thousand | k | K | million | M | MM | Mio | mn | billion | bn
    unit       := [words] ["/" words | "per" words]   cells, cells/kg, /kg, MSCs/kg, mL
    words      := one to four words: "viable cells", "kg body weight"

A unit is read by :func:`unit_words`: ``MSC``, ``MSCs`` and ``viable cells`` are cells;
``TNC`` and ``nucleated cells`` are nucleated cells, another count; ``/kg``, ``/ kg BW``,
``per kilogram`` are per kilogram; ``/infusion``, ``per dose``, ``per patient`` are dropped
(a dose is per administration). A bare ``/kg`` after a number counts cells per kilogram.

Decisions a user may trip over, each one refused rather than guessed:

* A comma is only ever a thousands separator; the decimal mark is a point. ``5,0`` is an error.
* A lone point followed by exactly three digits (``50.000``) is ambiguous (50 or 50,000) and an
  error (``0.001`` and ``86837.751`` are not: a first thousands group has one to three digits
  and does not start with 0); two or more point-groups
  (``50.000.000``) can only be grouping and are read as such.
* Groups after the first have exactly three digits; the first has one to three.
* A leading zero (``010``) is an error: YAML 1.1 reads it as octal 8.
* Digits are ASCII, or full-width (``５０``), one kind per number; a digit of another script
  (``১৪``, Bengali, looks like 14 and ``1৪`` like 18) is an error that names its code point
  (see :mod:`celldose.units.digits`).
* Exponents beyond ±30 and texts longer than 120 characters are errors, found in
  microseconds (``1e400`` never becomes infinity; ``10**10**10`` is never evaluated).

:func:`parse_amount` raises :class:`AmountSyntaxError` and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

from celldose.units.digits import digit_problem
from celldose.units.registry import registry

if TYPE_CHECKING:
    from pint.facets.plain import PlainUnit

MAX_TEXT = 120
MAX_EXPONENT = 30
MAX_DIGITS = 30

_MINUS = "-\u2212"  # ASCII hyphen-minus and the typographic minus sign
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_GROUP_SEPARATORS = ",'\u2019 \u00a0\u202f\u2009"  # comma, apostrophes, spaces (incl. no-break)

# Texts are at most MAX_TEXT long; the runs are possessive (*+) all the same, so that no run of
# spaces is ever re-split between two patterns (tests/test_regex_budget.py).
_SIGN = re.compile(r"\s*+([+\-\u2212])?\s*+")
_TEN_POWER = re.compile(
    r"10(?:\s*(?:\^|\*\*)\s*(?P<pow>[+\-\u2212]?\d{1,6})|(?P<sup>[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,6}))"
)
# Digit runs joined by single separator characters; validated by _read_mantissa.
_MANTISSA = re.compile(r"\d+(?:[.,'\u2019\u00a0\u202f\u2009 ]\d+)*")
_EXPONENT = re.compile(r"[eE](?P<exp>[+\-\u2212]?\d{1,6})(?![A-Za-z])")
_TIMES = re.compile(r"\s*+[xX×*·]\s*+(?=10)")
# Size words in any case; single letters only as written (lowercase m would be milli).
_SIZE = re.compile(
    r"\s*+(?P<size>(?i:thousands?|millions?|billions?|mio|mn|bn)|k|K|MM|M)(?![A-Za-z])"
)
_SIZES: dict[str, int] = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "mio": 10**6,
    "mn": 10**6,
    "m": 10**6,  # from "M" and "MM"
    "mm": 10**6,
    "billion": 10**9,
    "bn": 10**9,
}
_MARK = re.compile(r"[.,'\u2019\u00a0\u202f\u2009 ]")


class AmountSyntaxError(ValueError):
    """The text is not an amount in celldose's grammar. ``reason`` says why, for a person."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(reason)
        self.text = text
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Amount:
    """An exactly read number with its unit (cells when the text named none)."""

    value: Fraction
    unit: PlainUnit

    @property
    def is_integer(self) -> bool:
        return self.value.denominator == 1


def parse_amount(text: str) -> Amount:
    """Read ``text`` such as ``50,000,000``, ``5e7``, ``50 million cells`` or ``5 x 10^7``."""
    if len(text) > MAX_TEXT:
        raise AmountSyntaxError(text[:40] + "…", f"longer than {MAX_TEXT} characters")
    return _parse_cached(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Amount:
    """Sheets repeat a few spellings thousands of times; an Amount is immutable, so share it."""
    stripped = text.strip()
    if not stripped:
        raise AmountSyntaxError(text, "empty: expected a number such as 50,000,000")
    if stripped.isdigit() and stripped.isascii():  # the common spelling, on a fast path
        return Amount(Fraction(_plain_integer(stripped, text)), cell_unit())
    problem = digit_problem(stripped)
    if problem is not None:
        raise AmountSyntaxError(text, problem)
    return _parse(stripped, text)


def _parse(s: str, text: str) -> Amount:
    pos = 0
    sign_match = _SIGN.match(s, pos)
    negative = bool(sign_match and sign_match.group(1) and sign_match.group(1) in _MINUS)
    pos = sign_match.end() if sign_match else 0

    value: Fraction
    bare_times = _TIMES.match(s, pos)  # "x 10^6/kg": a power of ten with its 1 left out
    if bare_times:
        pos = bare_times.end()
    ten = _TEN_POWER.match(s, pos)
    mantissa_match = _MANTISSA.match(s, pos)
    if ten and (mantissa_match is None or mantissa_match.end() <= ten.end()):
        value = _power_of_ten(ten, text)
        pos = ten.end()
    elif mantissa_match and not bare_times:
        pos = mantissa_match.end()
        value = _read_mantissa(
            mantissa_match.group(), text, exponent_follows=s[pos : pos + 1] in ("e", "E")
        )
        exp = _EXPONENT.match(s, pos)
        if exp:
            value *= _ten_to(exp.group("exp"), text)
            pos = exp.end()
        times = _TIMES.match(s, pos)
        if times:
            ten = _TEN_POWER.match(s, times.end())
            if ten is None:
                raise AmountSyntaxError(text, _no_power_of_ten(s[times.end() :]))
            value *= _power_of_ten(ten, text)
            pos = ten.end()
    elif bare_times:
        raise AmountSyntaxError(text, "expected a power of ten such as 10^6 after the 'x'")
    else:
        raise AmountSyntaxError(text, "not a number: expected digits such as 50,000,000")

    size = _SIZE.match(s, pos)
    if size:
        value *= _SIZES[size.group("size").lower().removesuffix("s")]
        pos = size.end()

    rest = s[pos:].strip()
    unit = _unit(rest, text) if rest else cell_unit()
    return Amount(-value if negative else value, unit)


def _no_power_of_ten(after: str) -> str:
    """Why what follows an 'x' is no power of ten; ``107`` is 10^7 with a lost superscript."""
    lost = re.match(r"10([1-9]\d?)(?!\d)", after)
    if lost:
        return (
            f"'{lost.group()}' after the 'x' is no power of ten; did copying lose a superscript "
            f"(10^{lost.group(1)})? write 10^{lost.group(1)}"
        )
    return "expected a power of ten such as 10^6 after the 'x'"


def _plain_integer(digits: str, text: str) -> int:
    if len(digits) > MAX_DIGITS:
        raise AmountSyntaxError(text, f"more than {MAX_DIGITS} digits")
    if len(digits) > 1 and digits[0] == "0":
        raise AmountSyntaxError(
            text, f"leading zero (YAML 1.1 reads it as octal); write {digits.lstrip('0') or '0'}"
        )
    return int(digits)


def _read_mantissa(m: str, text: str, *, exponent_follows: bool) -> Fraction:
    """Validate digit groups and separators; return the exact value."""
    runs = _MARK.split(m)
    seps = [c for c in m if not c.isdigit()]
    if not seps:
        return Fraction(_plain_integer(m, text))
    if sum(len(r) for r in runs) > MAX_DIGITS:
        raise AmountSyntaxError(text, f"more than {MAX_DIGITS} digits")

    decimals = ""
    if seps.count(".") == 1 and seps[-1] == ".":  # a single, final point is the decimal mark
        # "50.000" could be 50 or 50,000. "0.001" and "86837.751" cannot be grouping: a first
        # thousands group has one to three digits and does not start with 0.
        grouping_possible = 1 <= len(runs[0]) <= 3 and not runs[0].startswith("0")
        if len(seps) == 1 and len(runs[1]) == 3 and grouping_possible and not exponent_follows:
            as_decimal = Fraction(int(runs[0] + runs[1]), 1000)
            as_grouped = int(runs[0] + runs[1])
            raise AmountSyntaxError(
                text,
                f"ambiguous: {_show(as_decimal)} with a decimal point or {as_grouped:,} with a "
                f"thousands point; write {_show(as_decimal)} or {as_grouped:,}",
            )
        decimals = runs.pop()
        seps.pop()

    if seps:
        if len(set(seps)) > 1:
            raise AmountSyntaxError(text, "mixed separators: use one thousands separator")
        if seps[0] == "," and len(seps) == 1 and len(runs[1]) != 3:
            raise AmountSyntaxError(
                text,
                f"a comma is only a thousands separator; for a decimal write {runs[0]}.{runs[1]}",
            )
        if not 1 <= len(runs[0]) <= 3 or any(len(r) != 3 for r in runs[1:]):
            raise AmountSyntaxError(
                text, "bad digit grouping: each group after the first has three digits"
            )
    whole = _plain_integer("".join(runs), text) if len(runs) == 1 else int("".join(runs))
    if len(runs) > 1 and runs[0].startswith("0"):
        raise AmountSyntaxError(text, "leading zero in the first digit group")
    return Fraction(whole) + (Fraction(int(decimals), 10 ** len(decimals)) if decimals else 0)


def _show(value: Fraction) -> str:
    """Exactly, in decimal: the value had a finite decimal spelling to begin with."""
    if value.denominator == 1:
        return str(value.numerator)
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


def _power_of_ten(match: re.Match[str], text: str) -> Fraction:
    exp = match.group("pow")
    if exp is None:
        exp = match.group("sup").translate(_SUPERSCRIPTS)
    return _ten_to(exp, text)


def _ten_to(exp_text: str, text: str) -> Fraction:
    exp = int(exp_text.replace("\u2212", "-"))
    if abs(exp) > MAX_EXPONENT:
        raise AmountSyntaxError(text, f"exponent {exp} is out of range (at most ±{MAX_EXPONENT})")
    return Fraction(10) ** exp


def _unit(rest: str, text: str) -> PlainUnit:
    spelled = _UNIT_PHRASE.fullmatch(rest)
    if spelled is None:
        raise AmountSyntaxError(text, f"unexpected {rest!r} after the number")
    return _lookup_unit(unit_words(spelled.group("what") or "", spelled.group("per")))


def unit_words(what: str, per: str | None) -> str:
    """The unit pint is given for ``what`` per ``per``, as sheets and papers spell them.

    ``MSCs/kg``, ``cells/ kg BW``, ``cells per kilogram`` and a bare ``/kg`` after a count are
    all cells per kilogram; ``cells/infusion``, ``per dose`` and ``per patient`` are cells per
    administration, which is what a dose is: the ``per`` is dropped. ``TNC`` and ``nucleated
    cells`` are another kind of count (a bone-marrow concentrate's), never made into cells.
    """
    name = " ".join(what.split())
    name = _COUNT_WORDS.get(name.lower(), name) if name else "cell"
    if per is None:
        return name
    per = per.replace("\u00b2", "^2")
    per_text = " ".join(per.split()).lower()
    if per_text in _PER_ADMINISTRATION:
        return name
    return f"{name}/{_PER_MASS.get(per_text, ' '.join(per.split()))}"


# What is counted: the same cells under the names papers give them, and the other count.
_COUNT_WORDS = {
    **dict.fromkeys(("cell", "cells", "msc", "mscs", "viable cell", "viable cells"), "cell"),
    **dict.fromkeys(
        (
            "tnc",
            "tncs",
            "nucleated cell",
            "nucleated cells",
            "total nucleated cell",
            "total nucleated cells",
        ),
        "nucleated_cell",
    ),
}
# Per kilogram of body weight, however it is qualified.
_PER_MASS = dict.fromkeys(
    (
        "kg",
        "kilogram",
        "kilograms",
        "kg bw",
        "kg body weight",
        "kg of body weight",
        "kilogram body weight",
        "kilogram of body weight",
    ),
    "kg",
)
# A dose is what one administration gives: "per infusion" says nothing more.
_PER_ADMINISTRATION = frozenset(
    {
        "infusion",
        "injection",
        "dose",
        "administration",
        "person",
        "patient",
        "treatment",
        # Per site, vial or disc: the row's sites, vials or discs count them (model/sites.py).
        "site",
        "injection site",
        "vial",
        "disc",
    }
)
_WORD = r"(?!per\b)[A-Za-zµμ]++(?:²|\^2)?+"  # cm², an area: refused as a cell dose
_WORDS = rf"{_WORD}(?:\s++{_WORD}){{0,3}}+"
_UNIT_PHRASE = re.compile(rf"(?P<what>{_WORDS})?+\s*+(?:(?:/|\bper\b)\s*+(?P<per>{_WORDS}))?+")


@lru_cache(maxsize=256)
def _lookup_unit(name: str) -> PlainUnit:
    from pint.errors import PintError

    try:
        unit: PlainUnit = registry().parse_units(name)
    except (PintError, ValueError, KeyError, AttributeError):
        raise AmountSyntaxError(name, f"unknown unit {name!r}") from None
    return unit


def cell_unit() -> PlainUnit:
    """The unit ``cell``, the unit of a number written without one."""
    return _lookup_unit("cell")
