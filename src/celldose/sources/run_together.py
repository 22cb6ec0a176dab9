"""Rows whose columns ran together when a web page was copied as text.

A browser that copies a table as plain text may drop the separators between cells::

    Route of AdministrationDoseTime (Days)Total Cells
    Intra-articular/per side50,000,000150,000,000

The header is read back by the column names celldose knows (:mod:`celldose.sources.columns`):
the route column first, then the dose, days and total columns in any order. Each row is the
route's text followed by its numbers run together. The numbers are split by the two things a
copy keeps: thousands grouping (``50,000,000 | 15 | 0,000,000`` is not valid grouping), and
arithmetic (a total is dose x days, per side on a per-side row). A split is never a silent
guess: :func:`split_row` says which readings fit, and the text reader reports how each row was
read, or why it was not.

Every split of the run is tried, so the run is bounded: :data:`MAX_RUN` characters, at most
``C(47, 2) = 1,081`` splits into three numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from celldose.sources.columns import Column, recognize

MAX_RUN = 48
"""Characters of run-together numbers split in one row (digits, marks and N/A). A real row's
run is about 20 (``50,000,000150,000,000``); a longer one is refused, not searched."""
MAX_HEADER = 160
"""A run-together header is a handful of column names; a longer line is prose."""
MAX_ROW = 1000
"""A run-together row is a route and a few numbers; a longer line ends the table."""
NUMBERS = frozenset({"dose", "days", "total"})
"""The columns a run-together row may hold after its route: the three the arithmetic links."""

_NOT_STATED = ("N/A", "n/a", "NA", "\u2014", "\u2013", "-")
"""What a copied cell says for "no value" (an adjunct's total)."""
_TAIL = re.compile(r"\d[\d,.]*(?:(?:N/A|n/a|NA|[\u2014\u2013-])[\d,.]*)*\s*")
"""The numbers at the end of a run-together row: it starts with a digit."""
_COUNT = re.compile(r"(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)(?:\.\d+)?")
"""A dose or total: validly grouped by thousands, or not grouped at all; no leading zero."""
_DAYS = re.compile(r"[1-9]\d{0,3}")
"""Days: a whole number of at most four digits."""
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of a line: its text and where it starts and ends (offsets in the line)."""

    text: str
    start: int
    end: int


class Outcome(Enum):
    READ = "read"
    """Exactly one reading fits: it is read."""
    AMBIGUOUS = "ambiguous"
    """Several readings fit: none is read."""
    INCONSISTENT = "inconsistent"
    """Readings with valid grouping exist, none with total = dose x days: the closest is read,
    and the total rule reports its mismatch."""
    UNSPLITTABLE = "unsplittable"
    """No split has valid grouping."""
    TOO_LONG = "too long"
    """The run is longer than :data:`MAX_RUN`."""


@dataclass(frozen=True, slots=True)
class Reading:
    """The numbers of a row, one piece per column after the route, in header order."""

    pieces: tuple[Piece, ...]
    fields: tuple[str, ...]

    def value(self, name: str) -> str:
        return self.pieces[self.fields.index(name)].text

    def described(self) -> str:
        """``dose 50,000,000 | days 1 | total 50,000,000``"""
        return " | ".join(f"{f} {p.text}" for f, p in zip(self.fields, self.pieces, strict=True))


@dataclass(frozen=True, slots=True)
class Split:
    """What the numbers of a run-together row can be."""

    route: Piece
    run: Piece
    fields: tuple[str, ...]
    """The columns the run holds, in header order."""
    outcome: Outcome
    chosen: Reading | None = None
    """The reading read (READ, INCONSISTENT)."""
    others: tuple[Reading, ...] = ()
    """The other readings: the candidates (AMBIGUOUS), or the ones not chosen (INCONSISTENT)."""


def header_columns(line: str) -> list[tuple[Piece, Column]] | None:
    """The columns of a header whose names ran together, or None when the line is not one.

    A column name starts where a capital letter follows a lower-case letter or a closing
    parenthesis (``AdministrationDose``, ``(Days)Total``); the split must use up the line.
    """
    body = line.rstrip()
    if not body or len(body) > MAX_HEADER or body[:5].lower() != "route":
        return None
    cuts = [
        k
        for k in range(1, len(body))
        if body[k].isupper() and (body[k - 1].islower() or body[k - 1] == ")")
    ]
    cuts.append(len(body))
    found = _names(body, 0, cuts, set())
    if found is None:
        return None
    fields = [column.field for _, column in found]
    if fields[0] != "route" or set(fields[1:]) != NUMBERS or len(fields) != 1 + len(NUMBERS):
        return None
    return found


def _names(
    body: str, start: int, cuts: list[int], failed: set[int]
) -> list[tuple[Piece, Column]] | None:
    """Column names from ``start`` to the end of ``body``, longest name first."""
    if start == len(body):
        return []
    if start in failed:
        return None
    for end in reversed(cuts):
        if end <= start:
            break
        text = body[start:end]
        column = recognize(text)
        if isinstance(column, Column):
            rest = _names(body, end, cuts, failed)
            if rest is not None:
                return [(Piece(text.strip(), start, start + len(text.rstrip())), column), *rest]
    failed.add(start)
    return None


def split_row(line: str, fields: tuple[str, ...]) -> Split | None:
    """The readings of a run-together row (its route, then ``fields`` run together), or None
    when the line is not such a row (no route text, no numbers at its end)."""
    body = line.rstrip()
    if len(body) > MAX_ROW:
        return None
    begin = next(
        (
            m.start()
            for m in re.finditer(r"\d", body)
            if _TAIL.fullmatch(body, m.start()) and _LETTER.search(body, 0, m.start())
        ),
        None,
    )
    if begin is None:
        return None
    route_text = body[:begin].rstrip()
    lead = len(route_text) - len(route_text.lstrip())
    route = Piece(route_text.strip(), lead, len(route_text))
    run = Piece(body[begin:], begin, len(body))
    if len(run.text) > MAX_RUN:
        return Split(route, run, fields, Outcome.TOO_LONG)
    readings = [Reading(p, fields) for p in _splits(run, fields)]
    if not readings:
        return Split(route, run, fields, Outcome.UNSPLITTABLE)
    checked = [r for r in readings if _consistent(r) is True]
    unchecked = [r for r in readings if _consistent(r) is None]
    fitting = checked or unchecked
    if len(fitting) == 1:
        return Split(route, run, fields, Outcome.READ, fitting[0])
    if fitting:
        return Split(route, run, fields, Outcome.AMBIGUOUS, None, tuple(fitting))
    ranked = sorted(readings, key=_implausibility)
    return Split(route, run, fields, Outcome.INCONSISTENT, ranked[0], tuple(ranked[1:]))


def _splits(run: Piece, fields: tuple[str, ...]) -> list[tuple[Piece, ...]]:
    """Every way to cut the run into one valid value per field."""
    text = run.text
    found: list[tuple[Piece, ...]] = []

    def walk(start: int, index: int, pieces: tuple[Piece, ...]) -> None:
        if index == len(fields):
            if start == len(text):
                found.append(pieces)
            return
        for end in range(start + 1, len(text) + 1):
            value = text[start:end]
            if _valid(fields[index], value):
                piece = Piece(value, run.start + start, run.start + end)
                walk(end, index + 1, (*pieces, piece))

    walk(0, 0, ())
    return found


def _valid(name: str, text: str) -> bool:
    if text in _NOT_STATED:
        return True
    pattern = _DAYS if name == "days" else _COUNT
    return pattern.fullmatch(text) is not None


def _number(text: str) -> Decimal | None:
    return None if text in _NOT_STATED else Decimal(text.replace(",", ""))


def _consistent(reading: Reading) -> bool | None:
    """total = dose x days (exactly); None when a value is not stated (nothing to check)."""
    dose, days, total = (_number(reading.value(name)) for name in ("dose", "days", "total"))
    if dose is None or days is None or total is None:
        return None
    return dose * days == total


def _implausibility(reading: Reading) -> tuple[int, int, Decimal, str]:
    """Sort key, most plausible first: numbers grouped alike, days a plausible count, then
    the smallest ratio between the total and dose x days."""
    values = {name: reading.value(name) for name in ("dose", "days", "total")}
    grouped = any("," in values[name] for name in ("dose", "total"))
    unlike = sum(
        1
        for name in ("dose", "total")
        if grouped and "," not in values[name] and len(values[name].split(".")[0]) > 3
    )
    dose, days, total = (_number(values[name]) for name in ("dose", "days", "total"))
    assert dose is not None and days is not None and total is not None
    expected = dose * days
    low, high = sorted((expected, total))
    ratio = high / low if low else Decimal("Infinity")
    return (unlike, int(days > 366), ratio, reading.described())
