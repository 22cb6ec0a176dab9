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
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _BREAK.finditer(self._text))]
        line = bisect_right(self._starts, index)
        return line, index - self._starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        return Span(*self.locate(start), *self.locate(end))
