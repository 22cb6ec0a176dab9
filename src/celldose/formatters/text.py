"""For people: ``path:line:col: CODE severity: message``, the source line with carets under the
offending value, a fix hint, then a summary line.

:func:`render` is a pure function of its arguments: the source lines come from the
report's documents (the text each file was checked from: nothing is read again), and colour
is asked for, never guessed. Without either, the output is the plain one-line form.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import TypeAlias

from celldose.diagnostics import Diagnostic, Report, Severity, Span
from celldose.escape import shown
from celldose.formatters.context import PLAIN, RenderContext

SourceText: TypeAlias = Callable[[str], str | None]
"""The text of a reported path, or None when there is none to show (a workbook, a binary)."""

MAX_EXCERPT = 120
"""Display cells of a source line shown under a diagnostic; a longer line is cut around it."""
_CONTEXT = 40  # display cells kept before the caret when a long line is cut
_TAB = 4
_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks the sources count (sources/lines.py)

_RESET = "\x1b[0m"
_COLORS = {
    Severity.ERROR: "\x1b[1;31m",  # bold red
    Severity.WARNING: "\x1b[1;33m",  # bold yellow
    Severity.INFO: "\x1b[1;36m",  # bold cyan
}
# Characters that would move the cursor, end the line or reorder the text on a terminal: a
# file is shown, never obeyed (bidirectional overrides are the "Trojan Source" trick).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def render(report: Report, context: RenderContext = PLAIN) -> str:
    """The report as text. ``context.color`` adds ANSI colours to the code, the severity and
    the carets; ``context.show_source`` shows each located diagnostic's line under it, from the
    documents the report holds; without ``context.with_summary`` the last line
    (``Checked 3 files: ...``) is left out."""
    lines: list[str] = []
    color = context.color
    texts = _texts(report) if context.show_source else None
    for d in report.diagnostics:
        what = _paint(f"{d.code} {d.severity.value}", d, color)
        lines.append(f"{_where(d)}: {what}: {shown(d.message)}")
        if texts is not None and d.span is not None:
            lines.extend(_excerpt(texts.line(d.path, d.span.line), d, color))
        if d.fix:
            lines.append(f"  fix: {shown(d.fix)}")
    if context.with_summary:
        lines.append(summary(report))
    return "".join(line + "\n" for line in lines)


def render_statistics(report: Report, context: RenderContext = PLAIN) -> str:
    """Findings per rule, most frequent first, then the summary line."""
    counts: dict[tuple[str, str], int] = {}
    for d in report.diagnostics:
        counts[(d.code, d.name)] = counts.get((d.code, d.name), 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    lines = [f"{n:6d}  {shown(code)}  {shown(name)}" for (code, name), n in ordered]
    if context.with_summary:
        lines.append(summary(report))
    return "".join(line + "\n" for line in lines)


def summary(report: Report) -> str:
    """``Checked 3 files: 1 error, 2 warnings.``; a folder that could not be listed (reported
    as CD001) is counted apart: ``Checked 1 file (1 folder could not be read): 1 error.``"""
    folders = sum(1 for result in report.files if result.document.folder)
    files = len(report.paths) - folders
    checked = f"Checked {files} file{'' if files == 1 else 's'}"
    if folders:
        checked += f" ({folders} folder{'' if folders == 1 else 's'} could not be read)"
    checked += skipped(report)
    counts = [
        _count(len(report.errors), "error"),
        _count(len(report.warnings), "warning"),
        _count(len(report.infos), "info"),
    ]
    shown = [c for c in counts if c]
    return f"{checked}: {', '.join(shown) if shown else 'no problems'}."


def skipped(report: Report) -> str:
    """`` (skipped 2 YAML files that are not protocols)``, or nothing when none was."""
    counts: dict[str, int] = {}
    for document in report.skipped:
        counts[document.format.label] = counts.get(document.format.label, 0) + 1
    if not counts:
        return ""
    kinds = [f"{n} {label} file{'' if n == 1 else 's'}" for label, n in sorted(counts.items())]
    total = sum(counts.values())
    verb = "is not a protocol" if total == 1 else "are not protocols"
    return f" (skipped {' and '.join(kinds)} that {verb})"


def _texts(report: Report) -> _LastFile:
    documents = report.documents()

    def text_of(path: str) -> str | None:
        document = documents.get(path)
        return document.text if document is not None else None

    return _LastFile(text_of)


def _where(d: Diagnostic) -> str:
    """``path:line:col``, or ``path:/pointer`` without a line: the path and the pointer's keys
    came from the input, so they are escaped (:func:`celldose.escape.shown`)."""
    if d.span is None:
        pointer = "/".join(str(p) for p in d.pointer)
        return shown(f"{d.path}:/{pointer}" if pointer else d.path)
    return f"{shown(d.path)}:{d.span.line}:{d.span.column}"


def _count(n: int, noun: str) -> str:
    if not n:
        return ""
    return f"{n} {noun}{'' if n == 1 or noun == 'info' else 's'}"


def _paint(text: str, d: Diagnostic, color: bool) -> str:
    return f"{_COLORS[d.severity]}{text}{_RESET}" if color else text


class _LastFile:
    """The lines of the file being reported. Diagnostics come sorted by path, so one file is
    read once, when its first located diagnostic is rendered, and only one is held at a time."""

    def __init__(self, source: SourceText) -> None:
        self._source = source
        self._path: str | None = None
        self._lines: list[str] = []

    def line(self, path: str, number: int) -> str | None:
        if path != self._path:
            text = self._source(path)
            self._path, self._lines = path, [] if text is None else _BREAK.split(text)
        return self._lines[number - 1] if 1 <= number <= len(self._lines) else None


def _excerpt(text: str | None, d: Diagnostic, color: bool) -> list[str]:
    """The gutter, the source line and the carets under the span; nothing when the line is
    blank or the span does not fit it (the file changed since it was checked)."""
    span = d.span
    if text is None or span is None or not text.strip() or span.column > len(text) + 1:
        return []
    shown, start, width = _window(text, span)
    number = str(span.line)
    return [
        f"  {number} | {shown}".rstrip(),
        f"  {' ' * len(number)} | {' ' * start}{_paint('^' * width, d, color)}",
    ]


def _window(text: str, span: Span) -> tuple[str, int, int]:
    """The line as shown (tabs expanded, control characters made visible, cut to
    :data:`MAX_EXCERPT` cells around the span), the carets' first cell and their width."""
    first = span.column - 1
    last = span.end_column - 1 if span.end_line == span.line else first + 1
    last = min(max(last, first + 1), len(text))
    ascii_line = text.isascii() and text.isprintable()  # most lines: a cell per character
    if ascii_line and len(text) <= MAX_EXCERPT:
        return text, first, max(1, last - first)
    cells: list[str] = []
    prefix = [0]  # display cells before each character
    if ascii_line:
        cells, prefix = list(text), list(range(len(text) + 1))
    else:
        for char in text:
            shown = _shown(char, prefix[-1])
            cells.append(shown)
            prefix.append(prefix[-1] + (len(shown) if char == "\t" else _width(shown)))
    caret = prefix[first]
    width = max(1, prefix[last] - caret) if last > first else 1
    total = prefix[-1]
    if total <= MAX_EXCERPT:
        return "".join(cells), caret, width
    budget = MAX_EXCERPT - 2  # room for an ellipsis at either end
    begin = bisect_left(prefix, min(max(0, caret - _CONTEXT), total - budget))
    end = bisect_right(prefix, prefix[begin] + budget) - 1
    end = min(end, len(text))
    lead = "…" if begin > 0 else ""
    tail = "…" if end < len(text) else ""
    start = caret - prefix[begin] + len(lead)
    width = max(1, min(width, prefix[end] - caret))
    return lead + "".join(cells[begin:end]) + tail, start, width


def _shown(char: str, column: int) -> str:
    """How one character of a source line is printed."""
    if char == "\t":
        return " " * (_TAB - column % _TAB)
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: ␀ ␛ ␍
    if code == 0x7F:
        return "\u2421"  # ␡
    category = unicodedata.category(char)
    if category in ("Cc", "Zl", "Zp", "Cs") or char in _BIDI:
        return "\ufffd"
    return char


def _width(char: str) -> int:
    """Terminal cells of one printed character: 2 for wide East Asian forms, 0 for marks."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 1
