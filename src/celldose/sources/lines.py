"""Character offsets to 1-based lines and columns, as editors count them."""

from __future__ import annotations

import re
from bisect import bisect_right

from celldose.diagnostics import Span

_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Line starts of a text; line breaks are ``\\n``, ``\\r\\n`` and a lone ``\\r``.

    The starts are found on the first lookup: most files need no line at all.
    """

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    def locate(self, index: int) -> tuple[int, int]:
        """(line, column) of a character offset, both 1-based."""
        starts = self._line_starts()
        line = bisect_right(starts, index)
        return line, index - starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int | None:
        """The character offset of a 1-based ``line``:``column`` (the inverse of
        :meth:`locate`), or None when it is not inside that line."""
        starts = self._line_starts()
        if not 1 <= line <= len(starts) or column < 1:
            return None
        end = starts[line] if line < len(starts) else len(self._text)
        offset = starts[line - 1] + column - 1
        return offset if offset <= end else None

    def start(self, span: Span | None) -> int | None:
        """Where a span starts, as a character offset."""
        return None if span is None else self.offset(span.line, span.column)

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _BREAK.finditer(self._text))]
        return self._starts

    def span(self, start: int, end: int) -> Span:
        return Span(*self.locate(start), *self.locate(end))


_LINE = re.compile(r"[^\r\n]*+(?:\r\n|\r|\n)|[^\r\n]++$")


def split_lines(text: str) -> list[str]:
    """Lines with their ends, broken at ``\\n``, ``\\r\\n`` or ``\\r`` only, as
    :class:`LineIndex` counts them (``str.splitlines`` also breaks at U+2028, form feeds and
    more)."""
    return _LINE.findall(text)
