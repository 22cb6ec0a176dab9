"""Inline suppressions: ``celldose: ignore[CD301] reason`` where a finding is reported.

* YAML: a comment on the diagnostic's line, ``total: 75,000,000  # celldose: ignore[CD301]
  typed from the clinic's sheet``;
* sheets (CSV, Markdown, XLSX): a ``Notes`` cell of the row, ``celldose: ignore[CD301] ...``.

Several codes are separated by commas (``ignore[CD301,CD302]``). A suppression applies to the
codes it names, exactly (no prefixes), on its line or row only. A suppression that suppresses
nothing (no such finding there, or a code that is no rule) is itself reported, as CD009, so
that suppressions do not outlive the findings they were written for.

This is a step after checking each file, and the parsers know nothing of it:
:func:`filter_document` takes a file's findings and the document they were found in (the
checking worker has it already), and parses the text again only when it holds a suppression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import yaml

from celldose.diagnostics import Diagnostic, Span
from celldose.formats import Shape
from celldose.rules import BY_CODE
from celldose.rules.reading import UNUSED_SUPPRESSION
from celldose.sources.lines import LineIndex
from celldose.sources.yaml_source import LOADER

if TYPE_CHECKING:
    from celldose.sources.document import Content, Document
    from celldose.sources.sheet import Grid

_MARK = re.compile(
    r"celldose:[ \t]*+ignore\[(?P<codes>[^\[\]\r\n]*+)\](?P<reason>[^\r\n]*+)", re.IGNORECASE
)
_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*" + _MARK.pattern, re.IGNORECASE | re.MULTILINE)
_QUOTED_OR_BLOCK = frozenset({"'", '"', "|", ">"})


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


def filter_document(
    document: Document, content: Content, diagnostics: list[Diagnostic]
) -> list[Diagnostic]:
    """A document's findings without those its suppressions cover, plus a CD009 for each
    unused suppression. ``content`` is what the check read of it: nothing is read again, and
    the text is parsed again only when it holds a suppression."""
    text = document.text
    if text is not None and not _MARK.search(text):
        return diagnostics
    if document.format.shape is Shape.TABLES:
        found = _sheet_suppressions(content.tables)
    elif text is not None:
        found = _yaml_suppressions(text)
    else:
        return diagnostics
    return _filter(document.path, diagnostics, found) if found else diagnostics


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


def _sheet_suppressions(grids: Iterable[Grid]) -> list[Suppression]:
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
