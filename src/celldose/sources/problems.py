"""What a source reports when it cannot read a file."""

from __future__ import annotations

from dataclasses import dataclass

from celldose.diagnostics import Span


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """A problem found while reading, named by the rule that documents it."""

    rule: str
    message: str
    span: Span | None
    fix: str | None = None
