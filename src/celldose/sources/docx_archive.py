"""The Word reader's one door into the bounded zip layer of the workbook reader.

A ``.docx`` is a zip of XML, like an ``.xlsx``, and gets the same bounds: the parts' declared
sizes checked from the zip directory before anything is inflated (64 MiB in all, at most 200
times its compressed size per part over 1 MiB), every part read through a counter that stops
a lying size header, and the XML parsed by defusedxml (no DTD, no entity, no external
reference). Those functions live in :mod:`celldose.sources.xlsx_reader` until it is split
into layers; every use of them by the Word reader is here, so the switch to the split archive
module is this file alone. Their messages speak of a workbook; this adapter says document.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree.ElementTree import Element

from celldose.sources import xlsx_reader as _zip


class DocxError(Exception):
    """The document cannot be read: a one-line reason for a person."""


@contextmanager
def document_events(source: Path | bytes) -> Iterator[Iterator[tuple[str, Element]]]:
    """The start and end events of the document's main part (``word/document.xml``, or the
    part the package's relationships name), bounded and defused. Raises :class:`DocxError`."""
    try:
        with _archive(source) as archive:
            measured: list[tuple[str, zipfile.ZipInfo]] = []
            rels_part = _zip._rels_part("")
            if archive.has(rels_part):
                measured.append((rels_part, archive.need(rels_part)))
                _zip._check_parts(measured)
            main = _zip._of_type(_zip._read_rels(archive, ""), "/officeDocument")
            if main is None or not archive.has(main):
                main = "word/document.xml"
            info = archive.find(main)
            if info is None:
                raise DocxError("not a Word document (it has no word/document.xml)")
            measured.append((main, info))
            _zip._check_parts(measured)
            with archive.open(info, main) as stream:
                yield _worded(_zip._events(stream, main, ("start", "end")))
    except _zip.XlsxError as exc:
        raise DocxError(_worded_message(str(exc))) from None


def _worded(events: Iterator[tuple[str, Element]]) -> Iterator[tuple[str, Element]]:
    try:
        yield from events
    except _zip.XlsxError as exc:
        raise DocxError(_worded_message(str(exc))) from None


@contextmanager
def _archive(source: Path | bytes) -> Iterator[_zip._Archive]:
    if isinstance(source, Path):
        with _zip._open_archive(source) as archive:
            yield archive
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(source))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DocxError("not a Word document (not a zip archive)") from exc
    with zf:
        yield _zip._Archive(zf)


def _worded_message(message: str) -> str:
    return (
        message.replace("an old .xls file", "an old .doc file")
        .replace("an XLSX workbook", "a Word document")
        .replace("XLSX workbook", "Word document")
        .replace("workbook", "document")
    )
