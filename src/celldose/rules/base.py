"""What a rule is, and what it finds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pint

from celldose.diagnostics import Diagnostic, Pointer, Severity, Span
from celldose.model import Administration, ProtocolFields
from celldose.totals import CellSum

DOCS_URL = "https://github.com/celldose/celldose/blob/main/docs/rules.md#{code}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found by a rule or a validator, located by a data pointer, not yet by a line."""

    rule: str
    """The rule's name, e.g. ``total-mismatch``."""
    message: str
    pointer: Pointer
    fix: str | None = None
    on_key: bool = False
    """Place the finding on the key (an unknown key) rather than on its value."""


@dataclass(frozen=True, slots=True)
class RowContext:
    """What a row check may know beyond its row: the protocol-level fields that apply to it."""

    product: str | None = None
    """The protocol's product, for rows that do not name their own."""
    patient_weight: pint.Quantity[Any] | None = None
    """The protocol's patient_weight, which turns a per-kg dose into cells."""
    weight_unreadable: bool = False
    """A patient_weight is written but invalid (reported already): do not ask for one."""


RowCheck = Callable[[Administration, RowContext], Iterator[Finding]]
"""A pure function of one row; pointers it yields are relative to the row."""
ProtocolCheck = Callable[[ProtocolFields, Callable[[], CellSum]], Iterator[Finding]]
"""A pure function of a protocol's fields and the sum over its valid rows (sheets stream their
rows, so no rule sees them all at once); pointers it yields are from the protocol's root. The
sum is asked for, not given: most protocols state no total_cells, and adding up their rows
would cost a fifth of checking them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One stable code, and everything a person needs to understand and fix it.

    ``bad`` and ``good`` are complete protocol files: a test checks that ``bad`` makes exactly
    this rule fire and ``good`` makes nothing fire.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    fix: str
    bad: str | None = None
    good: str | None = None
    check_row: RowCheck | None = None
    check_protocol: ProtocolCheck | None = None
    details: Callable[[], str] | None = None
    """More documentation built on demand from data (CD401's list of studies), kept off the
    start-up path of every check."""

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code.lower())

    def diagnostic(
        self,
        path: str,
        message: str,
        span: Span | None,
        pointer: Pointer = (),
        fix: str | None = None,
        sheet: str | None = None,
    ) -> Diagnostic:
        """A finding of this rule placed in its file; the rule's own fix unless one is given."""
        return Diagnostic(
            path=path,
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            span=span,
            pointer=pointer,
            fix=fix or self.fix,
            sheet=sheet,
        )
