"""What a formatter may be told besides the report: how the reader will see it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderContext:
    """How to render a report. Formatters that cannot use a setting ignore it."""

    color: bool = False
    """ANSI colours (text)."""
    show_source: bool = True
    """Each finding's source line with carets under the value (text), from the report's
    documents: nothing is read from disk again."""
    with_summary: bool = True
    """End with the summary line (``Checked 3 files: ...``) (text, statistics)."""


PLAIN = RenderContext(show_source=False)
"""Plain one-line findings with a summary: what a program gets by default."""
