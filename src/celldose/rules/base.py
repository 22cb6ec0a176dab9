"""What a rule is, and what it finds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pint

from celldose.diagnostics import Diagnostic, Pointer, Severity, Span
from celldose.model import Administration, ProtocolFields
from celldose.totals import CellSum

DOCS_URL = "https://github.com/celldose/celldose/blob/main/docs/rules.md#{code}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found by a rule or a validator, located by a data pointer, not yet by a line."""

    rule: Rule
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


class FixSafety(StrEnum):
    """What ``celldose check --fix`` does with a rule's findings."""

    SAFE = "safe"
    """Fixed by ``--fix``: the edit writes only what the file already states."""
    UNSAFE = "unsafe"
    """Fixed only with ``--unsafe-fixes``: the edit may write a wrong number, so a person asks."""
    NONE = "none"
    """No automatic fix."""


@dataclass(frozen=True, slots=True)
class Workbook:
    """An example workbook, stated as its one worksheet's rows (a formula is text starting
    with ``=``, saved without a value, as a program that does not calculate saves it)."""

    sheet: str
    rows: tuple[tuple[str | int, ...], ...]
    hidden_rows: tuple[int, ...] = ()
    """Rows (numbered from 1) that a spreadsheet program hides."""
    formats: tuple[tuple[str, str], ...] = ()
    """Number formats of cells: ``(("D2", '"50,000,000"'),)``."""

    def content(self) -> bytes:
        """The workbook as XLSX bytes, written by openpyxl (as ``celldose convert`` writes)."""
        import io

        from openpyxl import Workbook as Book

        book = Book()
        worksheet = book.active
        assert worksheet is not None
        worksheet.title = self.sheet
        for row in self.rows:
            worksheet.append(row)
        for number in self.hidden_rows:
            worksheet.row_dimensions[number].hidden = True
        for ref, code in self.formats:
            worksheet[ref].number_format = code
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


Example = str | bytes | Workbook
"""A complete protocol file: text, bytes (for what is not text) or a workbook."""


def example_bytes(example: Example) -> bytes:
    """An example as the bytes of its file."""
    if isinstance(example, Workbook):
        return example.content()
    return example if isinstance(example, bytes) else example.encode("utf-8")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Rule:
    """One stable code, and everything a person needs to understand and fix it. Each rule is
    one object, which findings carry: two rules are equal only when they are the same rule.

    ``bad`` and ``good`` are complete protocol files, checked under ``example_suffix``: a test
    checks that ``bad`` makes exactly this rule fire and ``good`` makes nothing fire.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    fix: str
    fix_safety: FixSafety = FixSafety.NONE
    bad: Example | None = None
    good: Example | None = None
    example_suffix: str = ".yaml"
    """The file ending the examples are checked under (``.csv``, ``.xlsx``)."""
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
