"""Where each key and value of a loaded document was written."""

from __future__ import annotations

from dataclasses import dataclass, field

from celldose.diagnostics import Pointer, Span


@dataclass(slots=True)
class SourceMap:
    """Maps data pointers to the spans of their keys and values.

    Filled by a source while reading; read-only afterwards. A pointer that is not in the map
    (a missing field) is placed at its nearest ancestor that is: a missing ``total`` is reported
    at the first line of its row.
    """

    values: dict[Pointer, Span] = field(default_factory=dict)
    keys: dict[Pointer, Span] = field(default_factory=dict)

    def value(self, pointer: Pointer) -> Span | None:
        """The span of the value at ``pointer``, or of its nearest mapped ancestor."""
        for end in range(len(pointer), -1, -1):
            span = self.values.get(pointer[:end])
            if span is not None:
                return span if end == len(pointer) else _first_line(span)
        return None

    def key(self, pointer: Pointer) -> Span | None:
        """The span of the key that names ``pointer``, falling back to its value."""
        return self.keys.get(pointer) or self.value(pointer)


def _first_line(span: Span) -> Span:
    """A container's span, cut to where it starts: its first line is where a reader looks."""
    return Span(span.line, span.column, span.line, span.column + 1)
