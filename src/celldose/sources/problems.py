"""What a source reports when it cannot read a file."""

from __future__ import annotations

from dataclasses import dataclass

from celldose.diagnostics import Pointer, Span


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """A problem found while reading, named by the rule that documents it."""

    rule: str
    message: str
    span: Span | None
    fix: str | None = None
    pointer: Pointer | None = None
    """The value the problem makes unusable; later findings about it would only repeat it."""
