"""Which mark is a sheet column's decimal point: ``50.000`` is 50 in Berlin and 50,000 in Boston.

YAML protocols use one convention (a point is the decimal mark, a comma groups thousands).
Sheets come from spreadsheets set to a locale, and a locale is not written in a CSV file. So
a column's convention is read from its own unambiguous numbers:

* ``2.5``, ``50,000,000`` and ``1,234.5`` can only be English-style (decimal point);
* ``2,5``, ``50.000.000`` and ``1.234,5`` can only be continental (decimal comma);
* ``50.000`` and ``50,000`` (one mark, three digits after it) could be either.

A column whose numbers show one convention reads its ambiguous numbers by it. A column that
shows both is mixed: its ambiguous numbers are errors that show both readings, never a guess.
A column with no evidence reads them as YAML does (a comma groups thousands; ``50.000`` is an
error), unless the file itself hints at a decimal comma (semicolon-delimited CSV).
"""

from __future__ import annotations

import re
from enum import StrEnum

_NUMBER = re.compile(r"\s*+[+\-\u2212]?\s*+(\d[\d.,]*\d|\d)")  # possessive: linear on spaces
"""The digits and marks an amount starts with (grouping by spaces and apostrophes is neutral)."""


class Convention(StrEnum):
    POINT = "decimal point"
    COMMA = "decimal comma"


def evidence(text: str) -> Convention | None:
    """The convention ``text`` can only have been written in, or None (no marks, or ambiguous)."""
    digits = _digits(text)
    if digits is None:
        return None
    points, commas = digits.count("."), digits.count(",")
    if points and commas:
        return Convention.POINT if digits.rfind(".") > digits.rfind(",") else Convention.COMMA
    if points + commas == 0:
        return None
    mark = "." if points else ","
    count = points or commas
    if count > 1:  # only grouping repeats: 50,000,000 / 50.000.000
        return Convention.COMMA if mark == "." else Convention.POINT
    if ambiguous(text):
        return None
    # One mark that cannot be grouping: 2.5, 0.001, 12345.678 are decimals.
    return Convention.POINT if mark == "." else Convention.COMMA


def ambiguous(text: str) -> bool:
    """True for ``50.000`` and ``50,000``: one mark, then three digits, after a first group."""
    digits = _digits(text)
    if digits is None or digits.count(".") + digits.count(",") != 1:
        return False
    head, _, tail = digits.replace(",", ".").partition(".")
    return len(tail) == 3 and 1 <= len(head) <= 3 and not head.startswith("0")


def readings(text: str) -> tuple[str, str]:
    """An ambiguous number's two readings, for a message: ``('50', '50,000')``."""
    digits = _digits(text) or ""
    head, _, tail = digits.replace(",", ".").partition(".")
    decimal = f"{head}.{tail}".rstrip("0").rstrip(".")
    return decimal, f"{int(head + tail):,}"


def to_point(text: str) -> str:
    """Rewrite a decimal-comma number for the YAML grammar: ``2,5 Mio`` -> ``2.5 Mio``.

    Only the number at the start is rewritten; grouping marks are dropped. A result with exactly
    three decimals gets a fourth zero: the grammar rightly calls ``1.234`` ambiguous, while in
    this column it can only mean 1.234.
    """
    match = _NUMBER.match(text)
    if match is None:
        return text
    number = match.group(1)
    whole, _, decimals = number.partition(",")
    whole = whole.replace(".", "")
    if decimals:
        decimals = decimals.rstrip("0") or "0"
        if len(decimals) == 3:
            decimals += "0"
        rewritten = f"{whole}.{decimals}"
    else:
        rewritten = whole
    return text[: match.start(1)] + rewritten + text[match.end(1) :]


def _digits(text: str) -> str | None:
    match = _NUMBER.match(text)
    return match.group(1) if match else None
