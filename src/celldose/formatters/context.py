"""What a formatter may be told besides the report: how the reader will see it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class PageChrome:
    """What a page serving the HTML report puts around it (``celldose serve``): markup of its
    own, trusted and inserted as is, never text from a checked file."""

    style: str = ""
    """CSS added after the report's own (the form, the print stylesheet)."""
    script: str | None = None
    """A same-origin script's path (``/static/drop.js``); the page's policy allows ``'self'``."""
    before: str = ""
    """Markup at the top of the body, above the report (the upload form, the downloads)."""


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
    page: PageChrome | None = None
    """The page served around the report (html): None for a report file of its own."""


PLAIN = RenderContext(show_source=False)
"""Plain one-line findings with a summary: what a program gets by default."""
