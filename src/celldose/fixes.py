"""Automatic fixes for YAML protocols: plan edits from a report's diagnostics, apply them.

Two fixes exist, both on a row's ``total``:

* **safe** (CD303, a row that delivers cells has no ``total`` key): insert
  ``total: <dose x days>`` after the row's last key line, indented like the row's keys, with
  the line's own line ending. Only for a dose in cells (not per kg) and a row in block style.
* **unsafe** (CD301, a total that differs from dose x days): replace the written total with
  dose x days. Unsafe because the dose or the days may be the wrong number; applied only when
  asked for (``--unsafe-fixes``).

An edit is ``(start, end, replacement)`` in character offsets of the decoded text; edits never
overlap and are applied from the end, so nothing outside them changes: comments, key order,
quoting, indentation and line endings stay byte for byte. Whatever is not plainly safe to edit
is left alone: a file with a reading problem (any CD0xx), a row in flow style (``{...}``), a
row whose last value spans lines, a file in UTF-16 or UTF-32, and sheets (CSV, XLSX, Markdown).
"""

from __future__ import annotations

import codecs
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pint

from celldose.diagnostics import Diagnostic, Report
from celldose.model import Administration
from celldose.sources.sourcemap import SourceMap
from celldose.sources.text import decode
from celldose.sources.yaml_source import load_yaml
from celldose.units.format import unit_name
from celldose.validation import validate

FIXABLE = frozenset({"CD301", "CD303"})
"""The codes with an automatic fix: CD303 (safe), CD301 (unsafe)."""
_SUFFIXES = frozenset({".yaml", ".yml"})
_ODD_BREAKS = frozenset("\r\x85\u2028\u2029")
"""Line breaks other than LF and CRLF (YAML 1.1 knows them all): no edit is placed by them."""


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    """Replace the characters ``start:end`` of the text with ``replacement``."""

    start: int
    end: int
    replacement: str
    code: str = ""
    unsafe: bool = False


@dataclass(frozen=True, slots=True)
class FileFix:
    """A file's bytes before and after its edits, and the edits applied."""

    path: str
    before: str
    after: str
    content: bytes
    """``after`` encoded as the file was (the same BOM)."""
    edits: tuple[Edit, ...]
    skipped_unsafe: int = 0
    """Unsafe fixes that were available but not asked for."""


def plan(text: str, diagnostics: Iterable[Diagnostic]) -> list[Edit]:
    """The edits that fix ``diagnostics`` of the YAML ``text``, safe and unsafe, in order.

    Nothing is planned for a text with a reading problem (its data would not be all there).
    """
    loaded = load_yaml(text)
    if loaded.problems or not isinstance(loaded.data, Mapping):
        return []
    rows = dict(validate(loaded.data).rows)
    data_rows = loaded.data.get("administrations")
    if not isinstance(data_rows, list):
        return []
    edits: list[Edit] = []
    for diagnostic in diagnostics:
        pointer = diagnostic.pointer
        if diagnostic.code not in FIXABLE or len(pointer) != 3 or pointer[0] != "administrations":
            continue
        index = pointer[1]
        if pointer[2] != "total" or not isinstance(index, int) or index not in rows:
            continue
        data = data_rows[index] if 0 <= index < len(data_rows) else None
        if not isinstance(data, dict):
            continue
        row, source_map = rows[index], loaded.source_map
        if diagnostic.code == "CD303":
            edit = _insert_total(text, source_map, index, data, row)
        else:
            edit = _replace_total(text, source_map, index, row)
        if edit is not None:
            edits.append(edit)
    return _without_overlaps(edits)


def apply(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with the (non-overlapping) edits applied, from the end."""
    for edit in sorted(edits, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def fix_bytes(
    raw: bytes, diagnostics: Iterable[Diagnostic], path: str, *, unsafe: bool
) -> FileFix | None:
    """The fixed bytes of a YAML file, in its own encoding and BOM; None when it has no fix.

    UTF-8 (with or without a BOM) only: a UTF-16 or UTF-32 file, or bytes that are not text,
    are never fixed.
    """
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    if not bom and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # UTF-16 and UTF-32 (whose little-endian BOM starts like UTF-16's)
    if raw.startswith(codecs.BOM_UTF32_BE):
        return None
    text = decode(raw)
    if not isinstance(text, str):
        return None
    edits = plan(text, diagnostics)
    chosen = tuple(e for e in edits if unsafe or not e.unsafe)
    if not edits:
        return None
    after = apply(text, chosen)
    content = bom + after.encode("utf-8")
    return FileFix(path, text, after, content, chosen, len(edits) - len(chosen))


def fix_report(report: Report, *, unsafe: bool) -> list[FileFix]:
    """Plan the fixes of every YAML file of a report (read again from disk, as bytes)."""
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in report.diagnostics:
        if diagnostic.code in FIXABLE:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
    fixes: list[FileFix] = []
    for label in report.paths:
        found = by_path.get(label)
        if not found or Path(label).suffix.lower() not in _SUFFIXES:
            continue
        try:
            raw = Path(label).read_bytes()
        except OSError:
            continue
        fixed = fix_bytes(raw, found, label, unsafe=unsafe)
        if fixed is not None:
            fixes.append(fixed)
    return fixes


def unified_diff(label: str, before: str, after: str) -> str:
    """A unified diff with ``a/LABEL`` and ``b/LABEL`` headers, as ``git diff`` writes it."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{label}",
        tofile=f"b/{label}",
    )
    out: list[str] = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _insert_total(
    text: str, source_map: SourceMap, index: int, data: dict[str, object], row: Administration
) -> Edit | None:
    """CD303: ``total: N`` on a new line after the row's last key line (safe)."""
    if "total" in data:  # `total:` written without a value: not ours to rewrite
        return None
    expected = _expected_cells(row)
    if expected is None:
        return None
    here = ("administrations", index)
    region = source_map.values.get(here)
    if region is None or text[region[0] : region[0] + 1] == "{":
        return None  # a flow-style row: left alone
    keys = [source_map.keys.get((*here, key)) for key in data]
    if not keys or any(k is None for k in keys):
        return None
    starts = [k[0] for k in keys if k is not None]
    last_key = max(data, key=lambda key: source_map.keys[(*here, key)][0])
    value = source_map.values.get((*here, last_key))
    if value is None:
        return None
    value_start, value_end = value
    if text[value_start : value_start + 1] in ("|", ">") or _has_break(text[value_start:value_end]):
        return None  # a block or multi-line scalar, or a nested collection
    end = _line_end(text, value_end)
    if end is None:
        return None
    eol = text[end[0] : end[1]] or _file_eol(text)
    key_start = max(starts)
    column = key_start - (text.rfind("\n", 0, key_start) + 1)
    line = f"{' ' * column}total: {expected:,}"
    if end[0] == end[1]:  # the last line has no line ending: start a new one
        return Edit(end[1], end[1], eol + line, "CD303")
    return Edit(end[1], end[1], line + eol, "CD303")


def _replace_total(
    text: str, source_map: SourceMap, index: int, row: Administration
) -> Edit | None:
    """CD301: the total's characters (inside its quotes) become dose x days (unsafe)."""
    total = row.total
    if not isinstance(total, pint.Quantity) or unit_name(total.units) != "cell":
        return None
    expected = _expected_cells(row)
    if expected is None or total.magnitude == expected:
        return None
    row_region = source_map.values.get(("administrations", index))
    value = source_map.values.get(("administrations", index, "total"))
    if row_region is None or value is None or text[row_region[0] : row_region[0] + 1] == "{":
        return None
    start, end = value
    written = text[start:end]
    if not written or written[0] in "|>" or _has_break(written):
        return None
    if written[0] in "'\"":
        if len(written) < 2 or written[-1] != written[0]:
            return None
        start, end, written = start + 1, end - 1, written[1:-1]
    number = f"{expected:,}" if "," in written else str(expected)
    if written.rstrip().lower().endswith("cells"):
        number += " cells"
    return Edit(start, end, number, "CD301", unsafe=True)


def _expected_cells(row: Administration) -> int | None:
    """dose x days in whole cells, for a dose counted in cells (not per kg)."""
    expected = row.expected_total
    if expected is None or unit_name(expected.units) != "cell":
        return None
    magnitude = expected.magnitude
    if isinstance(magnitude, int) and not isinstance(magnitude, bool) and magnitude > 0:
        return magnitude
    return None


def _has_break(text: str) -> bool:
    return "\n" in text or any(c in _ODD_BREAKS for c in text)


def _line_end(text: str, position: int) -> tuple[int, int] | None:
    """Where the line holding ``position`` ends: (start, end) of its LF or CRLF, or (n, n) at
    the end of a text without a final line break; None at a lone CR, NEL or LS."""
    for i in range(position, len(text)):
        char = text[i]
        if char == "\n":
            return i, i + 1
        if char == "\r":
            return (i, i + 2) if text[i + 1 : i + 2] == "\n" else None
        if char in _ODD_BREAKS:
            return None
    return len(text), len(text)


def _file_eol(text: str) -> str:
    """The file's first line ending, CRLF or LF (LF for a one-line file)."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _without_overlaps(edits: list[Edit]) -> list[Edit]:
    kept: list[Edit] = []
    for edit in sorted(edits):
        if kept and (edit.start < kept[-1].end or edit.start == kept[-1].start):
            continue
        kept.append(edit)
    return kept
