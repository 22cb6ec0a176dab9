"""One check of one document, whatever its format: read -> model -> rules -> diagnostics.

:func:`check_document` is the loop every entry point runs (the API, the CLI, each worker
process). A YAML document is a tree of fields: it is validated whole, then its rows and the
protocol are checked. A sheet's tables stream their rows: each row is validated and checked as
it is read, so a sheet of 100,000 rows is never held, and the protocol checks get the rows'
sum. Both end the same way: findings located in the document (a line and column, or a cell),
then the document's own inline suppressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import pint

from celldose.diagnostics import Diagnostic, Pointer, Severity
from celldose.model import Administration, Protocol, ProtocolFields
from celldose.model.types import to_weight
from celldose.rules import PROTOCOL_CHECKS, ROW_CHECKS, Finding, RowContext
from celldose.rules.structure import MISSING_FIELD
from celldose.sources.document import Content, Document, parse
from celldose.sources.text import Loaded
from celldose.totals import CellSum, row_cells
from celldose.validation import validate, validate_fields, validate_row

if TYPE_CHECKING:  # sheets are imported when a sheet is read: YAML-only runs start faster
    from celldose.sources.sheet import Cell, Grid, SheetRow


@dataclass(frozen=True, slots=True)
class CheckedProtocol:
    """One protocol of a document: the model it validated into, or why it does not load."""

    protocol: Protocol | None
    blocking: tuple[Diagnostic, ...] = ()
    """Why it does not load: its errors when it did not validate; otherwise the errors of
    reading it (a duplicate key, an alias, an unreadable cell: a value lost or unread)."""
    sheet: str | None = None
    """Its worksheet, in a workbook."""
    lines: tuple[int, int] | None = None
    """The first and last line of its table, on a page of several tables."""


@dataclass(frozen=True, slots=True)
class FileResult:
    """One document and what its check found: what a report keeps of each file."""

    document: Document
    diagnostics: tuple[Diagnostic, ...]
    """Sorted, with the document's inline suppressions applied when asked for."""
    protocols: tuple[CheckedProtocol, ...] = ()
    """Each protocol of the document, when the caller asked to keep them (the HTML report,
    :func:`celldose.load_all`)."""


class ProtocolError(ValueError):
    """A source could not be loaded as a protocol. ``diagnostics`` says where and why."""

    def __init__(
        self, path: str, diagnostics: tuple[Diagnostic, ...], reason: str = "not a protocol"
    ) -> None:
        first = diagnostics[0] if diagnostics else None
        where = f"{path}:{first.line}:{first.column}" if first and first.span else path
        summary = f"{where}: {first.code} {first.message}" if first else f"{path}: {reason}"
        more = f" (and {len(diagnostics) - 1} more)" if len(diagnostics) > 1 else ""
        super().__init__(summary + more)
        self.path = path
        self.diagnostics = diagnostics


def protocols_of(result: FileResult) -> tuple[Protocol, ...]:
    """The protocols of a file checked with ``keep``; raises :class:`ProtocolError` for the
    first that does not load. A file with a duplicate key, an alias or an unreadable cell may
    still validate, but one of its values is lost or unread: such a file does not load."""
    protocols = []
    for checked in result.protocols:
        if checked.protocol is None or checked.blocking:
            raise ProtocolError(result.document.path, checked.blocking)
        protocols.append(checked.protocol)
    if not protocols:
        raise ProtocolError(result.document.path, (), "holds no protocol table")
    return tuple(protocols)


def check_document(document: Document, *, suppress: bool = False, keep: bool = False) -> FileResult:
    """Check every protocol of a document. ``suppress`` applies its inline suppressions
    (``celldose: ignore[CODE]``); ``keep`` keeps the protocols that validated."""
    content = parse(document)
    runs = _runs(document.path, content, keep)
    found = [d for run in runs for d in run.diagnostics]
    if suppress:
        from celldose.suppressions import filter_document

        found = filter_document(document, content, found)
    kept = tuple(_kept(run) for run in runs) if keep else ()
    return FileResult(document, tuple(sorted(found, key=Diagnostic.sort_key)), kept)


def check_mapping(data: Mapping[str, object], label: str) -> list[Diagnostic]:
    """The findings of protocol data already in memory (no file: no lines, only pointers)."""
    from celldose.sources.sourcemap import SourceMap

    return _run(label, Loaded(dict(data), SourceMap())).diagnostics


def _kept(run: Run) -> CheckedProtocol:
    errors = tuple(
        d
        for d in run.diagnostics
        if d.severity is Severity.ERROR and (run.protocol is None or d.code in run.reading)
    )
    if run.protocol is None:
        return CheckedProtocol(None, errors or tuple(run.diagnostics), run.sheet, run.lines)
    return CheckedProtocol(run.protocol, errors, run.sheet, run.lines)


def _runs(label: str, content: Content, keep: bool) -> list[Run]:
    if content.tree is not None:
        return [_run(label, content.tree)]
    return [_run_grid(label, grid, keep) for grid in content.tables]


class Run(NamedTuple):
    """One protocol of a document, checked."""

    protocol: Protocol | None
    """None when it did not validate (or was not kept)."""
    diagnostics: list[Diagnostic]
    reading: frozenset[str]
    """The codes of the problems met while reading it."""
    sheet: str | None = None
    lines: tuple[int, int] | None = None


def _run(label: str, loaded: Loaded) -> Run:
    """Validate and check one loaded document."""
    diagnostics = [p.rule.diagnostic(label, p.message, p.span, (), p.fix) for p in loaded.problems]
    reading = frozenset(p.rule.code for p in loaded.problems)
    if loaded.data is None and loaded.problems:
        return Run(None, diagnostics, reading)
    validated = validate(loaded.data)
    findings: list[Finding] = list(validated.findings)
    weight = _protocol_weight(validated.protocol, loaded.data)
    context = RowContext(
        product=_protocol_product(validated.protocol, loaded.data),
        patient_weight=weight,
        weight_unreadable=weight is None and _weight_written(loaded.data),
    )
    for index, row in validated.rows:
        findings.extend(_row_findings(index, row, context))
    if validated.protocol is not None:  # protocol-wide sums need every row
        protocol = validated.protocol

        def sum_rows() -> CellSum:
            cells = CellSum()
            for row in protocol.administrations:
                cells.add(row_cells(row, context.patient_weight, context.product))
            return cells

        findings.extend(_protocol_findings(protocol, sum_rows))
    source_map = loaded.source_map
    unusable = {p.pointer for p in loaded.problems if p.pointer is not None}
    for finding in findings:
        if finding.pointer in unusable:
            continue  # e.g. "no total" where the total was an alias: already reported
        span = (
            source_map.key(finding.pointer) if finding.on_key else source_map.value(finding.pointer)
        )
        diagnostics.append(
            finding.rule.diagnostic(label, finding.message, span, finding.pointer, finding.fix)
        )
    return Run(validated.protocol, diagnostics, reading)


def _row_findings(index: int, row: Administration, context: RowContext) -> list[Finding]:
    found = []
    for check in _ROW_CHECKS:  # the hot loop: ten checks on every row of every protocol
        for finding in check(row, context):
            pointer = ("administrations", index, *finding.pointer)
            found.append(
                Finding(finding.rule, finding.message, pointer, finding.fix, finding.on_key)
            )
    return found


_ROW_CHECKS = tuple(rule.check_row for rule in ROW_CHECKS if rule.check_row is not None)


def _protocol_findings(
    protocol: ProtocolFields, sum_rows: Callable[[], CellSum]
) -> Iterator[Finding]:
    """The protocol checks' findings; ``sum_rows`` is called by the checks that need it."""
    for rule in PROTOCOL_CHECKS:
        assert rule.check_protocol is not None
        yield from rule.check_protocol(protocol, sum_rows)


def _run_grid(label: str, grid: Grid, keep: bool) -> Run:
    """Check one table, streaming its rows; ``keep`` them to return the Protocol."""
    from celldose.sources.sheet import hidden_note, read_sheet

    sheet = read_sheet(grid)
    findings: list[tuple[Finding, Cell | None]] = []
    kept: list[Administration] = []
    complete, fields = False, None
    if sheet.header is not None:
        fields, field_findings = validate_fields(sheet.fields)
        findings.extend(
            (f, sheet.field_cells.get(str(f.pointer[0]), sheet.header)) for f in field_findings
        )
        product = fields.product if fields else _text(sheet.fields.get("product"))
        weight = fields.patient_weight if fields else None
        context = RowContext(
            product=product,
            patient_weight=weight,
            weight_unreadable=weight is None and "patient_weight" in sheet.fields,
        )
        cells, rows, complete = CellSum(), 0, True
        unusable: set[Pointer] = set()
        seen_problems = seen_unreported = 0
        for row in sheet.rows():
            # Only the problems the reader added for this row: rescanning them all would make a
            # sheet with a problem on every row quadratic.
            new = sheet.problems[seen_problems:]
            unusable.update(p.pointer for p in new if p.pointer is not None)
            unusable.update(sheet.unreported[seen_unreported:])
            seen_problems, seen_unreported = len(sheet.problems), len(sheet.unreported)
            administration, row_errors = validate_row(row.index, row.data, product)
            complete = complete and not row_errors
            row_found = list(row_errors)
            if administration is not None:
                cells.add(row_cells(administration, weight, product))
                if keep:
                    kept.append(administration)
                row_found.extend(_row_findings(row.index, administration, context))
            findings.extend(
                (f, _cell(row, f.pointer))
                for f in row_found
                if f.pointer not in unusable and not _missing_column(sheet.missing, f.pointer)
            )
            rows += 1
        if rows == 0 and not sheet.missing and not sheet.problems:
            findings.append(
                (
                    Finding(
                        MISSING_FIELD,
                        "the table has no rows",
                        ("administrations",),
                        "add a row under the header for each administration",
                    ),
                    sheet.header,
                )
            )
        if fields is not None and complete and rows:
            findings.extend(
                (f, sheet.field_cells.get(str(f.pointer[0]), sheet.header))
                for f in _protocol_findings(fields, lambda: cells)
            )
    diagnostics = [
        p.rule.diagnostic(label, p.message, p.span, p.pointer or (), p.fix, grid.sheet)
        for p in sheet.problems
    ]
    for finding, cell in findings:
        message = finding.message
        if cell is not None and cell.ref:
            message = f"{cell.ref}: {message}"
        if cell is not None and cell.formula:
            message += f" ({cell.ref} holds the formula {cell.formula}; its saved value was read)"
        note = hidden_note(grid, cell)
        if note is not None:
            message += f" ({note})"
        span = cell.span if cell is not None else None
        diagnostics.append(
            finding.rule.diagnostic(label, message, span, finding.pointer, finding.fix, grid.sheet)
        )
    reading = frozenset(p.rule.code for p in sheet.problems)
    protocol = None
    if keep and sheet.header is not None and complete and fields is not None and kept:
        protocol = Protocol.model_validate({**sheet.fields, "administrations": kept})
    return Run(protocol, diagnostics, reading, grid.sheet, _lines(grid) if keep else None)


def _lines(grid: Grid) -> tuple[int, int] | None:
    """The first and last line of a text table's cells (a workbook's have no lines)."""
    if grid.sheet is not None:
        return None
    lines = [
        span.line
        for row in grid.rows()
        if isinstance(row, list)
        for cell in row
        if (span := cell.span) is not None
    ]
    return (min(lines), max(lines)) if lines else None


def _cell(row: SheetRow, pointer: Pointer) -> Cell:
    field = pointer[2] if len(pointer) > 2 else None
    return row.cells.get(str(field), row.first) if field is not None else row.first


def _missing_column(missing: frozenset[str], pointer: Pointer) -> bool:
    return len(pointer) == 3 and pointer[2] in missing


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _protocol_product(protocol: Protocol | None, data: object) -> str | None:
    """The protocol's product, also when the protocol failed validation but its product did not."""
    if protocol is not None:
        return protocol.product
    product = data.get("product") if isinstance(data, Mapping) else None
    return product if isinstance(product, str) and product else None


def _protocol_weight(protocol: Protocol | None, data: object) -> pint.Quantity[Any] | None:
    """The protocol's weight, also when the protocol failed validation but its weight did not."""
    if protocol is not None:
        return protocol.patient_weight
    if not isinstance(data, Mapping) or data.get("patient_weight") is None:
        return None
    try:
        return to_weight(data["patient_weight"])
    except ValueError:  # reported by validation
        return None


def _weight_written(data: object) -> bool:
    return isinstance(data, Mapping) and data.get("patient_weight") is not None
