"""Automatic fixes: plan edits from a report's diagnostics, check them, apply them.

Two fixes exist, both on a row's total, for YAML, CSV and Markdown files:

* **safe** (CD303, a row that delivers cells has no total): write dose x days (YAML: a new
  ``total:`` line; a sheet: its empty total cell);
* **unsafe** (CD301, a total that differs from dose x days): replace the written total with
  dose x days. Unsafe because the dose or the days may be the wrong number; applied only when
  asked for (``--unsafe-fixes``).

With ``normalize-counts`` in the configuration, a third, safe edit respells cell counts
written in other spellings (``5e7``, ``50 million``) in the spelling opted into
(:mod:`celldose.fixes.spelling`).

An edit is ``(start, end, replacement)`` in character offsets of the decoded text; edits never
overlap and are applied from the end, so nothing outside them changes: comments, key order,
quoting, delimiters, other cells, padding and line endings stay byte for byte, and a UTF-8
file keeps its BOM or its absence. Before a file is written its edited text is read again and
must read back as planned. Never edited: workbooks (XLSX: fixes apply to YAML, CSV and
Markdown; workbooks are not rewritten), files in UTF-16 or UTF-32, and any file with a
reading problem (CD0xx).
"""

from __future__ import annotations

import codecs
import difflib
import errno
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from celldose.diagnostics import Diagnostic, Report
from celldose.fixes.edits import (
    NORMALIZE,
    Edit,
    Unplaced,
    apply,
    fix_safety,
    fixable,
    not_read,
    reading_problem,
)
from celldose.formats import Format, Shape, for_path
from celldose.rules import FixSafety
from celldose.sources.lines import LineIndex
from celldose.sources.text import MAX_BYTES, decode, too_large

if TYPE_CHECKING:
    from celldose.config import CountSpelling

__all__ = [
    "NORMALIZE",
    "WORKBOOKS_NOT_REWRITTEN",
    "Edit",
    "FileFix",
    "apply",
    "fix_bytes",
    "fix_report",
    "unified_diff",
    "write",
]

WORKBOOKS_NOT_REWRITTEN = "fixes apply to YAML, CSV and Markdown; workbooks are not rewritten"
Spellings = Callable[[str], "CountSpelling | None"]
"""A file's ``normalize-counts`` setting, by the path the report names it with."""


@dataclass(frozen=True, slots=True)
class FileFix:
    """A file's text before and after its edits, and the edits applied."""

    path: str
    before: str
    after: str
    content: bytes
    """``after`` encoded as the file was (the same BOM)."""
    edits: tuple[Edit, ...]
    skipped_unsafe: int = 0
    """Unsafe fixes that were available but not asked for."""
    skipped: tuple[str, ...] = ()
    """Why fixes of this file were left out (a workbook, a reading problem, no total column,
    a finding whose fix has no place it can be written safely)."""

    @property
    def fixed(self) -> int:
        """Findings fixed (respelled counts are not findings)."""
        return sum(1 for e in self.edits if e.code != NORMALIZE)

    @property
    def normalized(self) -> int:
        """Counts respelled by ``normalize-counts``."""
        return sum(1 for e in self.edits if e.code == NORMALIZE)


def fix_bytes(
    raw: bytes,
    diagnostics: Iterable[Diagnostic],
    path: str,
    *,
    unsafe: bool,
    normalize: CountSpelling | None = None,
) -> FileFix | None:
    """The fixed bytes of a file, in its own encoding and BOM; None when it has no fix and
    nothing to say. ``path``'s suffix says the format (``.csv``, ``.md``; YAML otherwise).

    UTF-8 (with or without a BOM) only: a UTF-16 or UTF-32 file, bytes that are not text, a
    workbook and a file with a reading problem are never fixed.
    """
    diagnostics = list(diagnostics)
    form = for_path(path)
    refusal = _refusal(raw, diagnostics, form)
    if refusal is not None:
        return _skipped(path, refusal) if fixable(diagnostics) else None
    bom = b""
    while raw.startswith(codecs.BOM_UTF8, len(bom)):  # every BOM decode() left out, kept
        bom += codecs.BOM_UTF8
    text = decode(raw)
    if not isinstance(text, str):
        return None
    assert form.plan_fixes is not None  # _refusal refuses the formats never rewritten
    planned = form.plan_fixes(text, form, Path(path).stem, diagnostics, normalize)
    chosen = [e for e in planned.edits if unsafe or not e.unsafe]
    skipped = list(planned.skipped)
    if chosen and not planned.reads_back(chosen):
        kept = [e for e in chosen if e.code != NORMALIZE]
        if kept and planned.reads_back(kept):
            skipped.append("counts not respelled: the file would not read back the same")
        else:
            skipped.append("left as it was: the fixed file would not read back as planned")
            kept = []
        chosen = kept
    after = apply(text, chosen)
    skipped.extend(_unplaced(planned.unplaced, text, after, chosen, unsafe=unsafe))
    if not planned.edits and not skipped:
        return None
    content = bom + after.encode("utf-8")
    left = 0 if unsafe else sum(1 for e in planned.edits if e.unsafe)
    return FileFix(path, text, after, content, tuple(chosen), left, tuple(skipped))


def _unplaced(
    unplaced: Iterable[Unplaced], before: str, after: str, chosen: Sequence[Edit], *, unsafe: bool
) -> Iterator[str]:
    """A summary line for each fix that had no place, at its line in the fixed text (the one
    the check after --fix reports on). An unsafe fix not asked for is not explained."""
    lines_before, lines_after = LineIndex(before), LineIndex(after)
    for left in unplaced:
        if fix_safety(left.code) is FixSafety.UNSAFE and not unsafe:
            continue
        where = ""
        offset = lines_before.offset(left.line, 1) if left.line is not None else None
        if offset is not None:
            moved = sum(len(e.replacement) - (e.end - e.start) for e in chosen if e.end <= offset)
            where = f" on line {lines_after.locate(offset + moved)[0]}"
        yield f"{left.code}{where} not fixed: {left.reason}"


def fix_report(
    report: Report, *, unsafe: bool, normalize: Spellings | None = None
) -> list[FileFix]:
    """Plan the fixes of every file of a report, from the bytes its check read (nothing is
    read from disk again).

    ``normalize`` gives each file's ``normalize-counts`` setting: a file with one is planned
    even without a fixable finding.
    """
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in report.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    fixes: list[FileFix] = []
    for result in report.files:
        document = result.document
        found = by_path.get(document.path, [])
        spelling = normalize(document.path) if normalize is not None else None
        if not _worth_reading(found, document.format, spelling):
            continue
        if document.raw is None and document.format.editable:
            continue  # it could not be read; the check said so
        raw = document.raw or b""
        fixed = fix_bytes(raw, found, document.path, unsafe=unsafe, normalize=spelling)
        if fixed is not None:
            fixes.append(fixed)
    return fixes


def write(fix: FileFix) -> str | None:
    """Write a fix over its file, atomically and keeping its mode; why it cannot, or None.

    A symlink is written through (it stays a link, to the fixed file). A file that is read-only,
    or that the user may not write, is left alone: renaming a new file over it would succeed in
    a writable folder (and for root, always), so the file's own permissions are asked first.
    """
    from celldose.convert.atomic import write_atomic

    target = Path(fix.path)  # a symlink is followed by write_atomic, which refuses a planted one
    try:
        if not target.stat().st_mode & 0o222:
            return "the file is read-only"
        if not os.access(target, os.W_OK):
            return os.strerror(errno.EACCES)
        write_atomic(target, fix.content, force=True)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def unified_diff(label: str, before: str, after: str) -> str:
    """A unified diff with ``a/LABEL`` and ``b/LABEL`` headers, as ``git diff`` writes it."""
    lines = difflib.unified_diff(
        _lines(before),
        _lines(after),
        fromfile=f"a/{label}",
        tofile=f"b/{label}",
    )
    out: list[str] = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """The lines of a text, each with its LF; as in git, a lone CR, a form feed or U+2028 is
    text (``str.splitlines`` would end a line there, and the diff would not apply)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _refusal(raw: bytes, diagnostics: Sequence[Diagnostic], form: Format) -> str | None:
    """Why a file is never edited, whatever its findings: a workbook; a reading problem the
    check reported, or one it would have (over the size limit, though --select left CD004 out
    of the report); a file in UTF-16 or UTF-32."""
    if not form.editable:
        if form.name == "xlsx":
            return WORKBOOKS_NOT_REWRITTEN
        return f"fixes apply to YAML, CSV and Markdown; {form.label} files are not rewritten"
    blocked = not_read(d.code for d in diagnostics)
    if not blocked and len(raw) > MAX_BYTES:
        blocked = reading_problem([too_large()])
    if blocked:
        return blocked[0]
    # UTF-32's little-endian BOM starts like UTF-16's
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        return "UTF-16 and UTF-32 files are not rewritten"
    return None


def _worth_reading(
    found: Sequence[Diagnostic], form: Format, spelling: CountSpelling | None
) -> bool:
    """A file is read again for a fixable finding, for its counts (``normalize-counts``), or,
    for a sheet, for a header without a required column (CD102 at the header): a total column
    that is missing is said in the summary, as no fix adds one."""
    if fixable(found):
        return True
    if not form.editable:
        return False
    if spelling is not None:
        return True
    return form.shape is Shape.TABLES and any(d.code == "CD102" and not d.pointer for d in found)


def _skipped(path: str, reason: str) -> FileFix:
    return FileFix(path, "", "", b"", (), 0, (reason,))
