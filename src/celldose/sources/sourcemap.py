"""Where each key and value of a loaded document was written."""

from __future__ import annotations

from dataclasses import dataclass, field

from celldose.diagnostics import Pointer, Span
from celldose.sources.lines import LineIndex

Offsets = tuple[int, int]
"""Character offsets of a region: start, end (exclusive)."""


@dataclass(slots=True)
class SourceMap:
    """Maps data pointers to where their keys and values were written.

    Filled by a source while reading; read-only afterwards. Regions are kept as character
    offsets and turned into lines and columns only for the few that a diagnostic needs. A
    pointer that is not in the map (a missing field) is placed at its nearest ancestor that is:
    a missing ``total`` is reported at the first line of its row.
    """

    lines: LineIndex | None = None
    values: dict[Pointer, Offsets] = field(default_factory=dict)
    keys: dict[Pointer, Offsets] = field(default_factory=dict)

    def value(self, pointer: Pointer) -> Span | None:
        """The span of the value at ``pointer``, or of its nearest mapped ancestor."""
        for end in range(len(pointer), -1, -1):
            offsets = self.values.get(pointer[:end])
            if offsets is not None:
                span = self._span(offsets)
                return span if end == len(pointer) else _first_line(span)
        return None

    def key(self, pointer: Pointer) -> Span | None:
        """The span of the key that names ``pointer``, falling back to its value."""
        offsets = self.keys.get(pointer)
        return self._span(offsets) if offsets is not None else self.value(pointer)

    def _span(self, offsets: Offsets) -> Span:
        assert self.lines is not None, "a source that records regions also records its lines"
        return self.lines.span(*offsets)


def _first_line(span: Span) -> Span:
    """A container's span, cut to where it starts: its first line is where a reader looks."""
    return Span(span.line, span.column, span.line, span.column + 1)
