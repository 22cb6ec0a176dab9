"""The Word reader's door into the bounded zip layer shared by every Office format.

A ``.docx`` is a zip of XML, like an ``.xlsx``, and gets the same bounds from
:mod:`celldose.sources.xlsx.archive`: the parts' declared sizes checked from the zip directory
before anything is inflated (64 MiB in all, at most 200 times its compressed size per part
over 1 MiB, at most 10,000 members), every part read through a counter that stops a lying
size header, and the XML parsed by defusedxml (no DTD, no entity, no external reference). The
Word reader needs one part, the main document, streamed: this is all it asks of the layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree.ElementTree import Element

from celldose.sources.xlsx.archive import (
    ArchiveError,
    Limits,
    of_type,
    open_archive,
    read_rels,
    rels_part,
)

WORD = Limits(
    noun="document",
    kind="a Word document",
    ole="an old .doc file, or a password-protected document",
)
_MAIN = "word/document.xml"


class DocxError(Exception):
    """The document cannot be read: a one-line reason for a person."""


@contextmanager
def document_events(source: bytes) -> Iterator[Iterator[tuple[str, Element]]]:
    """The start and end events of the document's main part (the one the package's
    relationships name, else ``word/document.xml``), bounded and defused. Raises
    :class:`DocxError`."""
    try:
        with open_archive(source, WORD) as archive:
            measured = []
            if archive.has(rels_part("")):
                measured.append((rels_part(""), archive.need(rels_part(""))))
                archive.check(measured)
            main = of_type(read_rels(archive, ""), "/officeDocument")
            if main is None or not archive.has(main):
                main = _MAIN
            info = archive.find(main)
            if info is None:
                raise DocxError(f"not a Word document (it has no {_MAIN})")
            measured.append((main, info))
            archive.check(measured)
            with archive.open(info, main) as stream:
                yield archive.events(stream, main, ("start", "end"))
    except ArchiveError as exc:
        raise DocxError(str(exc)) from None
