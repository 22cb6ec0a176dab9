"""``celldose convert``: a protocol from one format to another (YAML, CSV, XLSX, Markdown, FHIR).

Sheets and YAML are converted as written (:mod:`celldose.convert.raw`), so the result checks to
the same diagnostics as the source. A FHIR export is a clinical record, so it is written only
for protocols that load and check without errors. A source with a problem that loses a value
(an unreadable cell, an ambiguous number, a duplicate key) is never converted, and the target
is written atomically and never overwritten without ``force``.
"""

from __future__ import annotations

import os
from pathlib import Path

from celldose.convert.atomic import write_atomic
from celldose.convert.raw import NotConvertible, RawProtocol, from_grid, from_yaml
from celldose.convert.writers import unwritable_in_markdown
from celldose.diagnostics import Severity
from celldose.formats import BY_NAME, BY_SUFFIX, FHIR_SUFFIX, INPUTS, Format, suffix_of
from celldose.sources.document import Document, document_of_bytes, parse, read_document

FORMATS = (*(form.name for form in INPUTS if form.write is not None), "fhir")


class ConvertError(Exception):
    """Why a conversion was refused; ``reasons`` are one line each, for a person."""

    def __init__(self, summary: str, reasons: list[str] | None = None) -> None:
        super().__init__(summary)
        self.reasons = reasons or []


def format_for(path: str | os.PathLike[str]) -> str | None:
    """The format a file name says: ``.fhir.json`` is FHIR, ``.md`` Markdown, and so on."""
    name = os.fspath(path).lower()
    if name.endswith(FHIR_SUFFIX):
        return "fhir"
    form = BY_SUFFIX.get(suffix_of(os.path.basename(name)))  # noqa: PTH119
    return form.name if form is not None else None


def convert(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    to: str | None = None,
    force: bool = False,
) -> bytes:
    """Convert ``source`` and write ``target`` (``-`` writes nothing); return the bytes.

    Raises :class:`ConvertError` for an unknown format or a source that cannot be carried
    over exactly, FileExistsError when ``target`` exists and not ``force``, and OSError.
    """
    wanted = to or format_for(target)
    if wanted not in FORMATS:
        raise ConvertError(
            f"cannot tell the output format from {os.fspath(target)!r}; "
            f"use --to with one of: {', '.join(FORMATS)}"
        )
    if format_for(source) not in BY_NAME:
        labels = [form.label for form in INPUTS]
        kinds = ", ".join(labels[:-1]) + " or " + labels[-1]
        raise ConvertError(f"{os.fspath(source)!r} is not a {kinds} protocol")
    document = read_document(os.fspath(source))
    content = _fhir(document) if wanted == "fhir" else _render(read_raw(document), BY_NAME[wanted])
    if os.fspath(target) != "-":
        write_atomic(Path(target), content, force=force)
    return content


def convert_bytes(raw: bytes, name: str, to: str) -> bytes:
    """Convert a file's bytes held in memory (an upload), whose ``name`` says its format, to
    the format ``to``; nothing is written. Raises :class:`ConvertError` as :func:`convert`."""
    if to not in FORMATS:
        raise ConvertError(f"unknown output format {to!r}; one of: {', '.join(FORMATS)}")
    document = document_of_bytes(raw, name)
    return _fhir(document) if to == "fhir" else _render(read_raw(document), BY_NAME[to])


def read_raw(source: Document | str | os.PathLike[str]) -> list[RawProtocol]:
    """The protocols of a file (or a document already read) as written; raises
    :class:`ConvertError` if a value would be lost."""
    document = source if isinstance(source, Document) else read_document(os.fspath(source))
    content = parse(document)
    label = document.path
    if content.tree is not None:
        loaded = content.tree
        if loaded.problems:
            raise ConvertError(
                f"{label} cannot be converted as written", [p.message for p in loaded.problems]
            )
        try:
            return [from_yaml(loaded)]
        except NotConvertible as exc:
            raise ConvertError(f"{label} cannot be converted as written", [str(exc)]) from None
    protocols: list[RawProtocol] = []
    for grid in content.tables:
        raw = from_grid(grid)
        if isinstance(raw, list):
            where = f" (sheet {grid.sheet!r})" if grid.sheet else ""
            raise ConvertError(f"{label}{where} cannot be converted as written", raw)
        protocols.append(raw)
    if not protocols:
        raise ConvertError(f"{label} holds no protocol table")
    return protocols


def _render(protocols: list[RawProtocol], form: Format) -> bytes:
    wanted = form.name
    if form.holds_one and len(protocols) > 1:
        several = " or ".join(f.suffixes[0] for f in INPUTS if f.write and not f.holds_one)
        raise ConvertError(
            f"the source holds {len(protocols)} protocols and a {wanted.upper()} file holds one; "
            f"convert to {several}, which hold several"
        )
    for protocol in protocols:
        unknown = protocol.unknown_keys()
        if unknown:  # a sheet may read an unknown key as a field or drop it: never carry it
            raise ConvertError(
                f"unknown key {unknown[0]!r} (CD101): correct or remove it before converting",
                [f"unknown key {key!r}" for key in unknown],
            )
    if wanted == "md":
        for protocol in protocols:
            problem = unwritable_in_markdown(protocol)
            if problem:
                raise ConvertError(f"cannot be written to Markdown as is: {problem}", [problem])
    for protocol in protocols:  # a sheet cannot tell an empty value from no value
        for where, values in [("the protocol", protocol.fields)] + [
            (f"row {i}", row) for i, row in enumerate(protocol.rows, 1)
        ]:
            empty = [key for key, value in values.items() if not value.strip()]
            if empty:
                raise ConvertError(
                    f"{where} has an empty {empty[0]}, which a sheet cannot hold as written "
                    "(an empty cell means no value)",
                    [f"{where}: {empty[0]} is empty"],
                )
    from openpyxl.utils.exceptions import IllegalCharacterError

    assert form.write is not None
    try:
        return form.write(protocols)
    except IllegalCharacterError as exc:  # control characters that XML cannot hold
        raise ConvertError(f"cannot be written to XLSX: {exc}", [str(exc)]) from None


def _fhir(document: Document) -> bytes:
    import json

    from celldose.engine import ProtocolError, check_document, protocols_of
    from celldose.fhir import to_fhir

    result = check_document(document, keep=True)  # the rules as written: no configuration
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise ConvertError(
            f"{document.path} has errors; a FHIR resource is written only for a protocol "
            "that checks without errors",
            [f"{d.line or '-'}:{d.column or '-'} {d.code} {d.message}" for d in errors],
        )
    try:
        protocols = protocols_of(result)
    except ProtocolError as exc:  # pragma: no cover - the check found the same errors
        raise ConvertError(str(exc)) from None
    resources = [to_fhir(p) for p in protocols]
    if len(resources) == 1:
        document_json: object = resources[0]
    else:  # a workbook of several protocols: a Bundle of collection type holds them
        document_json = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": r} for r in resources],
        }
    return (json.dumps(document_json, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
