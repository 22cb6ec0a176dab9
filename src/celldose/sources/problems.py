"""What a source reports when it cannot read a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from celldose.diagnostics import Pointer, Span

if TYPE_CHECKING:
    from celldose.rules.base import Rule


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """A problem found while reading, and the rule that documents it."""

    rule: Rule
    message: str
    span: Span | None
    fix: str | None = None
    pointer: Pointer | None = None
    """The value the problem makes unusable; later findings about it would only repeat it."""
