"""Inline suppressions: ``celldose: ignore[CD301] reason`` where a finding is reported.

* YAML: a comment on the diagnostic's line, ``total: 75,000,000  # celldose: ignore[CD301]
  typed from the clinic's sheet``;
* sheets (CSV, Markdown, XLSX): a ``Notes`` cell of the row, ``celldose: ignore[CD301] ...``.

Several codes are separated by commas (``ignore[CD301,CD302]``). A suppression applies to the
codes it names, exactly (no prefixes), on its line or row only. A suppression that suppresses
nothing (no such finding there, or a code that is no rule) is itself reported, as CD009, so
that suppressions do not outlive the findings they were written for.

This is a step after checking each file, and the parsers know nothing of it:
:func:`filter_file` takes a file's findings and the text they were found in (the checking
worker has it already), and parses the text again only when it holds a suppression.
:func:`apply` does the same for a whole report, reading each file again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from celldose.diagnostics import Diagnostic, Report, Span
from celldose.rules import BY_CODE
from celldose.rules.reading import UNUSED_SUPPRESSION
from celldose.sources.lines import LineIndex
from celldose.sources.problems import SourceProblem
from celldose.sources.text import MAX_BYTES, decode, read_text
from celldose.sources.yaml_source import LOADER

if TYPE_CHECKING:
    from celldose.sources.sheet import Grid

_MARK = re.compile(
    r"celldose:[ \t]*+ignore\[(?P<codes>[^\[\]\r\n]*+)\](?P<reason>[^\r\n]*+)", re.IGNORECASE
)
_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*" + _MARK.pattern, re.IGNORECASE | re.MULTILINE)
_QUOTED_OR_BLOCK = frozenset({"'", '"', "|", ">"})
_SHEET_SUFFIXES = frozenset({".csv", ".md", ".markdown"})


@dataclass(slots=True)
class Suppression:
    """One ``celldose: ignore[...]``: the codes it names, and where it applies."""

    codes: tuple[str, ...]
    written: str
    """The codes as written between the brackets, for messages."""
    span: Span
    """Where the suppression is written (the comment, or the Notes cell)."""
    lines: frozenset[int]
    """The lines whose findings it suppresses: the comment's line, or the row's lines."""
    sheet: str | None = None
    ref: str | None = None
    """The Notes cell's reference in a workbook (``Sheet1!F3``)."""
    where: str = "line"
    """What it applies to, for messages: a YAML ``line``, or a sheet's ``row``."""
    used: set[str] = field(default_factory=set)

    @property
    def idle(self) -> list[str]:
        """The codes it names that suppressed nothing (all of none: ``ignore[]``)."""
        return [c for c in self.codes if c not in self.used] or ([] if self.codes else [""])

    def covers(self, diagnostic: Diagnostic) -> bool:
        return (
            diagnostic.code in self.codes
            and diagnostic.sheet == self.sheet
            and diagnostic.line in self.lines
        )


def apply(report: Report, stdin: tuple[str, bytes] | None = None) -> Report:
    """Drop the findings that a suppression covers, and report each unused one as CD009.

    Files are read again from their paths; ``stdin`` gives the name and bytes of standard
    input, which cannot be read twice.
    """
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in report.paths}
    for diagnostic in report.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    kept: list[Diagnostic] = []
    for path, found in by_path.items():
        raw = stdin[1] if stdin is not None and path == stdin[0] else None
        kept.extend(_filter(path, found, find(path, raw)))
    return Report.of(kept, report.paths)


def filter_file(
    path: str,
    diagnostics: list[Diagnostic],
    text: str | None = None,
    grids: list[Grid] | None = None,
) -> list[Diagnostic]:
    """One file's findings without those its suppressions cover, plus a CD009 for each unused
    suppression. The caller gives what it has read already: the file's decoded text (YAML,
    CSV, Markdown) and, for a sheet, its tables; otherwise the file is read from ``path``."""
    if grids is not None and (text is None or _MARK.search(text)):
        found = _sheet_suppressions(grids)  # a workbook has no text to search first
    elif text is not None:
        found = find_in_text(path, text)
    else:
        found = find(path)
    return _filter(path, diagnostics, found) if found else diagnostics


def _filter(
    path: str, diagnostics: list[Diagnostic], suppressions: list[Suppression]
) -> list[Diagnostic]:
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        covering = [s for s in suppressions if s.covers(diagnostic)]
        for suppression in covering:
            suppression.used.add(diagnostic.code)
        if not covering:
            kept.append(diagnostic)
    kept.extend(_unused(path, s) for s in suppressions if s.idle)
    return kept


def find(path: str, raw: bytes | None = None) -> list[Suppression]:
    """The suppressions written in a file (``raw``: its bytes, when not read from ``path``)."""
    if Path(path).suffix.lower() == ".xlsx":
        return _workbook(path, raw)
    text = _text(path, raw)
    return [] if text is None else find_in_text(path, text)


def find_in_text(path: str, text: str) -> list[Suppression]:
    """The suppressions in the decoded text of a YAML, CSV or Markdown file (by ``path``'s
    suffix); a workbook is not text: use :func:`find`."""
    if not _MARK.search(text):
        return []
    suffix = Path(path).suffix.lower()
    if suffix in _SHEET_SUFFIXES:
        if suffix == ".csv":
            from celldose.sources.csv_source import csv_grid

            return _sheet_suppressions([csv_grid(text, Path(path).stem)])
        from celldose.sources.markdown_source import markdown_grids

        return _sheet_suppressions(markdown_grids(text, Path(path).stem))
    return _yaml_suppressions(text)


def _text(path: str, raw: bytes | None) -> str | None:
    if raw is not None:
        text = decode(raw) if len(raw) <= MAX_BYTES else None
    else:
        text = read_text(Path(path))
    return text if isinstance(text, str) else None


def _yaml_suppressions(text: str) -> list[Suppression]:
    candidates = list(_COMMENT.finditer(text))
    if not candidates:
        return []
    inside = _scalar_ranges(text, candidates[-1].start())
    lines = LineIndex(text)
    found = []
    for match in candidates:
        if any(start <= match.start() < end for start, end in inside):
            continue  # a quoted or block scalar's text, not a comment
        span = lines.span(match.start(), match.end("codes") + 1)
        codes, written = _codes(match.group("codes"))
        found.append(Suppression(codes, written, span, frozenset({span.line})))
    return found


def _scalar_ranges(text: str, until: int) -> list[tuple[int, int]]:
    """Character ranges of the quoted and block scalars that start before ``until``.

    A ``#`` there is text, not a comment. The parser stops at the first syntax error: what
    follows it is read as comments.
    """
    ranges: list[tuple[int, int]] = []
    loader = LOADER(text)
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            start, end = event.start_mark, event.end_mark
            if start is None or end is None or start.index > until:
                break
            if isinstance(event, yaml.ScalarEvent) and event.style in _QUOTED_OR_BLOCK:
                ranges.append((start.index, end.index))
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return ranges


def _workbook(path: str, raw: bytes | None) -> list[Suppression]:
    from celldose.sources.xlsx_source import xlsx_grids

    grids = xlsx_grids(raw if raw is not None else Path(path), Path(path).stem)
    return [] if isinstance(grids, SourceProblem) else _sheet_suppressions(grids)


def _sheet_suppressions(grids: list[Grid]) -> list[Suppression]:
    from celldose.sources.sheet import read_sheet

    found: list[Suppression] = []
    for grid in grids:
        sheet = read_sheet(grid)
        if sheet.header is None or all(c.field != "notes" for c in sheet.columns.values()):
            continue
        for row in sheet.rows():
            note = row.cells.get("notes")
            match = _MARK.search(note.text) if note is not None else None
            if note is None or match is None or note.span is None:
                continue
            lines = {c.span.line for c in (*row.cells.values(), row.first) if c.span is not None}
            codes, written = _codes(match.group("codes"))
            found.append(
                Suppression(
                    codes, written, note.span, frozenset(lines), grid.sheet, note.ref, "row"
                )
            )
    return found


def _codes(written: str) -> tuple[tuple[str, ...], str]:
    codes = tuple(dict.fromkeys(c.strip().upper() for c in written.split(",") if c.strip()))
    written = written.strip()
    return codes, written if len(written) <= 60 else written[:59] + "…"


def _unused(path: str, suppression: Suppression) -> Diagnostic:
    idle = [c for c in suppression.idle if c]
    unknown = [c for c in idle if c not in BY_CODE]
    unused = [c for c in idle if c in BY_CODE]
    parts = []
    if unused:
        parts.append(f"no {', '.join(unused)} finding is reported on this {suppression.where}")
    if unknown:
        verb = "is not a rule code" if len(unknown) == 1 else "are no rule codes"
        parts.append(f"{', '.join(repr(c) for c in unknown)} {verb}")
    if not suppression.codes:
        parts.append("it names no rule code")
    written = f"celldose: ignore[{suppression.written}]"
    subject = written if len(idle) == len(suppression.codes) else f"{', '.join(idle)} in {written}"
    message = f"{subject} suppresses nothing: " + "; ".join(parts)
    if suppression.ref:
        message = f"{suppression.ref}: {message}"
    return UNUSED_SUPPRESSION.diagnostic(path, message, suppression.span, sheet=suppression.sheet)
