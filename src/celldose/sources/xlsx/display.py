"""What a number format makes a spreadsheet show, when that is not the number stored.

This is not an Excel format engine. It covers, honestly, the ways a format can make a number
read differently from the value in the file, and says nothing (returns ``None``) about the rest:

* literal text in place of the number: ``"50,000,000"``, ``"N/A"``, ``\\5\\0`` (a section
  without a digit placeholder shows only its text);
* digits in the literal text beside the number: ``0" (of 50,000,000)"``;
* scaling: a comma after the last digit placeholder divides by 1,000 (``0,,"M"`` shows
  100,000,000 as ``100M``), and ``%`` multiplies by 100;
* rounding: fewer decimal places than the value has (``0`` shows 2.5 as ``3``; ``0.0E+00``
  shows 123,456,789 as ``1.2E+08``);
* the section a value falls in: ``0;"none"`` shows a negative number as ``none``.

Not covered (no finding): ``General``, which switches to scientific notation past 11 digits;
sections with conditions (``[>1000]``); fractions (``# ?/?``); and dates, which the reader
reports as dates already.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["shown_instead"]


@dataclass(slots=True)
class _Section:
    """One ``;``-separated section of a format, taken apart (built by :func:`_parse`, then
    shared through the cache of :func:`_sections` and never changed)."""

    before: list[str] = field(default_factory=list)
    """Literal text before the first digit placeholder."""
    after: list[str] = field(default_factory=list)
    """Literal text after it."""
    placeholders: int = 0
    decimals: int = 0
    grouping: bool = False
    scaling: int = 0
    """Commas after the last digit placeholder: each divides by 1,000."""
    percent: int = 0
    exponent: int | None = None
    """Digits of the exponent in scientific notation (``E+00`` -> 2), or None."""
    general: bool = False
    unsupported: bool = False


def shown_instead(stored: str, code: str) -> str | None:
    """What a spreadsheet shows for the number ``stored`` under the format ``code``, when a
    person would read another number (or no number) there; ``None`` when it shows the stored
    number, or when the format is beyond what this module covers."""
    if stored.isdigit() and stored.isascii() and stored.strip("0") and _whole(code):
        return None  # the common case, a count under #,##0: decided without arithmetic
    sections = _sections(code)
    if not sections:
        return None
    try:
        value = Decimal(stored)
    except InvalidOperation:
        return None
    index = 0
    if value < 0 and len(sections) >= 2:
        index = 1
    elif value == 0 and len(sections) >= 3:
        index = 2
    section = sections[index]
    if section.unsupported or section.general:
        return None
    sign = "-" if value < 0 and index == 0 else ""
    literal = "".join(section.before) + "".join(section.after)
    if section.placeholders == 0:
        return f"{sign}{literal}" if literal.strip() else None
    shown, differs = _number(abs(value), section)
    text = f"{sign}{''.join(section.before)}{shown}{''.join(section.after)}"
    if differs or any(char.isdigit() for char in literal):
        return text
    return None


@functools.lru_cache(maxsize=256)
def _sections(code: str) -> tuple[_Section, ...]:
    """The format's sections, taken apart once: a column repeats the same few formats. Empty
    when the format is beyond what is covered (conditions, more than four sections)."""
    sections = _split(code)
    if not sections or len(sections) > 4:
        return ()
    return tuple(_parse(section) for section in sections)


@functools.lru_cache(maxsize=256)
def _whole(code: str) -> bool:
    """Whether the format shows every positive whole number as itself."""
    sections = _sections(code)
    if not sections:
        return False
    section = sections[0]
    return (
        section.placeholders > 0
        and not (section.general or section.unsupported or section.percent or section.scaling)
        and section.exponent is None
        and not any(char.isdigit() for char in "".join(section.before + section.after))
    )


def _split(code: str) -> list[str]:
    """The format's sections, split at ``;`` outside quotes, escapes and brackets."""
    sections: list[str] = []
    start = index = 0
    while index < len(code):
        char = code[index]
        if char == '"':
            close = code.find('"', index + 1)
            index = len(code) if close < 0 else close + 1
            continue
        if char == "[":
            close = code.find("]", index + 1)
            if close >= 0 and code[index + 1 : index + 2] in ("<", ">", "="):
                return []  # a condition: which section applies is not covered
            index = len(code) if close < 0 else close + 1
            continue
        if char in "\\_*":
            index += 2
            continue
        if char == ";":
            sections.append(code[start:index])
            start = index + 1
        index += 1
    sections.append(code[start:])
    return sections


def _parse(text: str) -> _Section:
    section = _Section()
    index, end = 0, len(text)
    in_decimals = False
    pending_commas = 0

    def literal(piece: str) -> None:
        (section.after if section.placeholders else section.before).append(piece)

    while index < end:
        char = text[index]
        if text[index : index + 7].lower() == "general":
            section.general = True
            index += 7
        elif char == '"':
            close = text.find('"', index + 1)
            close = end if close < 0 else close
            literal(text[index + 1 : close])
            index = close + 1
        elif char == "\\":
            literal(text[index + 1 : index + 2])
            index += 2
        elif char == "_":
            literal(" ")
            index += 2
        elif char == "*":
            index += 2
        elif char == "[":
            close = text.find("]", index + 1)
            index = end if close < 0 else close + 1
        elif char in "0#?":
            if section.exponent is not None:
                section.exponent += 1
            else:
                if pending_commas and not in_decimals:
                    section.grouping = True
                pending_commas = 0
                section.placeholders += 1
                if in_decimals:
                    section.decimals += 1
            index += 1
        elif char == "." and section.exponent is None and not in_decimals:
            in_decimals = True
            if not section.placeholders:
                section.placeholders = 1  # ".00" shows a leading digit only when needed
                section.before.append("")
            index += 1
        elif char == "," and section.placeholders and section.exponent is None:
            pending_commas += 1
            index += 1
        elif char in "eE" and text[index + 1 : index + 2] in ("+", "-") and section.placeholders:
            section.scaling += pending_commas
            pending_commas = 0
            section.exponent = 0
            index += 2
        elif char == "/" and section.placeholders:
            section.unsupported = True  # a fraction
            index += 1
        elif char == "@":
            index += 1
        else:
            if char == "%":
                section.percent += 1
            if pending_commas:
                section.scaling += pending_commas
                pending_commas = 0
            literal(char)
            index += 1
    section.scaling += pending_commas
    return section


def _number(value: Decimal, section: _Section) -> tuple[str, bool]:
    """The digits shown for ``value`` (not negative), and whether they read as another number.

    Scaling and percent always do (100,000,000 under ``0,,"M"`` shows ``100M``); otherwise the
    shown digits differ when they round the value.
    """
    scaled = value * Decimal(100) ** section.percent / Decimal(1000) ** section.scaling
    rescaled = bool(section.percent or section.scaling) and value != 0
    if section.exponent is not None:
        shown = f"{scaled:.{section.decimals}E}"
        mantissa, _, power = shown.partition("E")
        sign = "-" if power.startswith("-") else "+"
        digits = power.lstrip("+-").zfill(max(section.exponent, 1))
        return f"{mantissa}E{sign}{digits}", rescaled or Decimal(shown) != scaled
    rounded = scaled.quantize(Decimal(1).scaleb(-section.decimals), rounding=ROUND_HALF_UP)
    grouped = "," if section.grouping else ""
    return f"{rounded:{grouped}.{section.decimals}f}", rescaled or rounded != scaled
