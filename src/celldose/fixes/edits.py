"""Edits as character offsets of a decoded text, and the bookkeeping every planner shares.

An edit replaces the characters ``start:end`` of the text; edits never overlap and are applied
from the end, so nothing outside them moves or changes. Planners say where values are in
line and column (a sheet's cells) or in offsets (YAML's source map); :class:`Lines` turns the
first into the second, counting line breaks as :class:`celldose.sources.lines.LineIndex` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from celldose.diagnostics import Diagnostic
from celldose.model import Administration
from celldose.rules import BY_CODE, FixSafety, Rule
from celldose.sources.problems import SourceProblem
from celldose.units.format import unit_name
from celldose.units.parse import MAX_DIGITS

NORMALIZE = "normalize-counts"
"""The code of an edit that respells a count (the ``normalize-counts`` setting): no finding."""
ODD_BREAKS = frozenset("\r\x85\u2028\u2029")
"""Line breaks other than LF and CRLF (YAML 1.1 knows them all): no edit is placed by them."""


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    """Replace the characters ``start:end`` of the text with ``replacement``."""

    start: int
    end: int
    replacement: str
    code: str = ""
    """The finding it fixes (``CD303``), or :data:`NORMALIZE` for a respelled count."""
    unsafe: bool = False


def fix_safety(code: str) -> FixSafety:
    """The fix safety of the rule with this code (none for a code no rule has)."""
    rule = BY_CODE.get(code)
    return rule.fix_safety if rule is not None else FixSafety.NONE


def fix_of(rule: Rule, start: int, end: int, replacement: str) -> Edit:
    """An edit that fixes a finding of ``rule``: unsafe when the rule's fix is."""
    return Edit(start, end, replacement, rule.code, rule.fix_safety is FixSafety.UNSAFE)


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A fixable finding whose fix has no place the planner can edit safely, and why."""

    code: str
    line: int | None
    reason: str
    """What the user sees after ``not fixed:``: why, and what to do instead."""


@dataclass(slots=True)
class Planned:
    """What a planner found for one file: edits, and why some fixes were left out."""

    edits: list[Edit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Reasons for the file's summary line (``a reading problem (CD005): ...``)."""
    reads_back: Callable[[Sequence[Edit]], bool] = lambda _edits: True
    """Whether the text with these edits reads back as planned: every edited value as the
    amount it was meant to be, and every other value as it was (checked before writing)."""
    unplaced: list[Unplaced] = field(default_factory=list)
    """Findings with a fix in the report that a planner could not write into the file."""


def apply(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with the (non-overlapping) edits applied, in one pass: a sheet of 100,000 rows
    may have as many edits, and splicing them one by one would copy the text each time."""
    pieces: list[str] = []
    position = 0
    for edit in sorted(edits):
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = max(position, edit.end)
    pieces.append(text[position:])
    return "".join(pieces)


def without_overlaps(edits: Iterable[Edit]) -> list[Edit]:
    """The edits in order, dropping any that overlaps (or shares a start with) an earlier one."""
    kept: list[Edit] = []
    for edit in sorted(edits):
        if kept and (edit.start < kept[-1].end or edit.start == kept[-1].start):
            continue
        kept.append(edit)
    return kept


def fixable(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics with an automatic fix, on a row's total."""
    return [
        d
        for d in diagnostics
        if fix_safety(d.code) is not FixSafety.NONE
        and len(d.pointer) == 3
        and d.pointer[0] == "administrations"
        and d.pointer[2] == "total"
        and isinstance(d.pointer[1], int)
    ]


def has_break(text: str) -> bool:
    """A value over several lines: not one an edit of one line can replace."""
    return "\n" in text or any(c in ODD_BREAKS for c in text)


def reading_problem(problems: Iterable[SourceProblem]) -> list[str]:
    """The reason a file with a reading problem (any CD0xx) is not edited, or nothing."""
    return not_read(p.rule.code for p in problems)


def not_read(codes: Iterable[str]) -> list[str]:
    """The reason a file with findings of these codes is not edited, or nothing: a reading
    problem (CD0xx but CD009, an unused suppression) means its data is not all there."""
    found = sorted({code for code in codes if code.startswith("CD0")} - {"CD009"})
    if not found:
        return []
    return [f"a reading problem ({', '.join(found)}); a file is edited only when all of it is read"]


def expected_cells(row: Administration) -> int | None:
    """dose x days in whole cells, for a dose counted in cells (not per kg)."""
    expected = row.expected_total
    if expected is None or unit_name(expected) != "cell":
        return None
    magnitude = expected.magnitude
    if not isinstance(magnitude, int) or isinstance(magnitude, bool) or magnitude <= 0:
        return None
    # Past the grammar's digit limit (dose 1e30 x 2 days) a total would not read back.
    return magnitude if len(str(magnitude)) <= MAX_DIGITS else None
