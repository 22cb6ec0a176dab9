"""Which digits a number may be written in.

Python reads every Unicode decimal digit as its value: Bengali one and four, which look like
14, read as 14, and a 1 with a Bengali four (it looks like an 8) as 18. A number that reads
differently from what a person sees must not pass in silence, so celldose reads ASCII digits,
and full-width digits (U+FF10 to U+FF19, as East Asian input methods type them) as before; one
kind per number. Digits of any other script, and a number that mixes ASCII and full-width
digits, are refused with their code points named.
"""

from __future__ import annotations

import unicodedata

FULL_WIDTH = range(0xFF10, 0xFF1A)
"""FULLWIDTH DIGIT ZERO to FULLWIDTH DIGIT NINE."""
SHOWN = 3
"""Distinct digits a message names."""


def digit_problem(text: str) -> str | None:
    """Why the digits of ``text`` are not read, or None when they are ASCII or full-width."""
    if text.isascii():
        return None
    foreign: list[str] = []
    kinds: set[str] = set()
    for char in text:
        if not char.isdecimal():
            continue
        if char.isascii():
            kinds.add("ASCII")
        elif ord(char) in FULL_WIDTH:
            kinds.add("full-width")
        elif char not in foreign:
            foreign.append(char)
    if foreign:
        plain = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
        return (
            f"{_named(foreign)} {'is a digit' if len(foreign) == 1 else 'are digits'} of "
            f"another script; celldose reads ASCII digits 0-9 (or full-width \uff10-\uff19) "
            f"(write {plain}, if that is what is meant)"
        )
    if len(kinds) > 1:
        wide = [c for c in dict.fromkeys(text) if ord(c) in FULL_WIDTH]
        return (
            f"mixes ASCII digits with full-width {_named(wide)}; write the number in one kind "
            "of digits"
        )
    return None


def _named(chars: list[str]) -> str:
    named = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'DIGIT')}" for c in chars[:SHOWN])
    return named + (" and more" if len(chars) > SHOWN else "")
