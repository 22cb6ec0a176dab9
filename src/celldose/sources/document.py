"""A file read once: its bytes and text, and what its format's reader makes of them.

A check reads each file exactly once, into a :class:`Document`. Everything after that asks the
document, never the disk: the rules (through :func:`parse`), the inline suppressions, the fixes,
the text report's source lines and the HTML report. A document is a plain value (it pickles),
so a worker process can hand it back with its findings.

A workbook is held as its bytes too (at most :data:`~celldose.sources.text.MAX_BYTES`, as any
file): its reader opens the zip archive in memory as often as it passes over a worksheet,
and the disk is read once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from celldose.formats import Format, Shape, for_path
from celldose.rules.reading import NOT_A_PROTOCOL
from celldose.sources.problems import SourceProblem
from celldose.sources.recognise import is_protocol_candidate
from celldose.sources.sourcemap import SourceMap
from celldose.sources.text import MAX_BYTES, Loaded, decode, read_bytes, too_large

if TYPE_CHECKING:  # the sheet reader is imported when a sheet is read
    from celldose.sources.sheet import Grid


@dataclass(frozen=True, slots=True)
class Document:
    """One source of protocols, as read from a file or standard input."""

    path: str
    """The path findings are reported under (``<stdin>``, or the ``--stdin-filename``)."""
    format: Format
    text: str | None = None
    """The decoded text (None for a workbook, or a file that is not text)."""
    raw: bytes | None = None
    """The bytes as read: a text file's, or a workbook's from standard input."""
    problem: SourceProblem | None = None
    """Why the file could not be read at all (then it holds nothing else)."""
    explicit: bool = True
    """Named on the command line (or by the caller), not found in a folder."""
    sniffed: bool = False
    """Standard input without a name: its content chose the format (:mod:`.sniff`)."""
    folder: bool = False
    """A folder met as a file: one that a folder walk could not list (its problem says why)."""

    @property
    def stem(self) -> str:
        """The protocol's name when the file states none."""
        return Path(self.path).stem


@dataclass(frozen=True, slots=True)
class Content:
    """What a document holds: a tree of fields (YAML), or protocol tables (sheets).

    Exactly one of the two is set, unless the document is ``skipped``. A document that could
    not be read is a tree without data whose problems say why, so that every reading problem
    flows through the same place.
    """

    tree: Loaded | None = None
    tables: tuple[Grid, ...] = ()
    skipped: bool = False
    """Not a protocol, and not named (a folder walk found it, or ``--force-exclude``):
    a YAML file without protocol keys, a Markdown page without a route table."""


def read_document(path: str, *, explicit: bool = True) -> Document:
    """Read the file at ``path``, once: a regular file only (a FIFO or device would block or
    never end), no more than :data:`MAX_BYTES`, decoded as UTF-8 (or UTF-16/32 with a BOM)."""
    form = for_path(path)
    raw = read_bytes(path)
    if isinstance(raw, SourceProblem):
        folder = os.path.isdir(path)  # noqa: PTH112 - a path string, on this rare path only
        return Document(path, form, problem=raw, explicit=explicit, folder=folder)
    if form.binary:  # a workbook: its reader takes the bytes, opened once here
        return Document(path, form, raw=raw, explicit=explicit)
    return _decoded(path, form, raw, explicit)


STDIN = "<stdin>"
"""The name standard input is reported under when none is given."""


def document_of_bytes(raw: bytes, path: str) -> Document:
    """Bytes from standard input, reported under ``path``: its ending says the format; without
    a name (:data:`STDIN`), the content does (YAML, pasted text, a web page, a Word document
    or a workbook)."""
    form = for_path(path)
    if len(raw) > MAX_BYTES:
        return Document(path, form, problem=too_large())
    if path == STDIN:
        from celldose.sources.sniff import sniff_binary

        package = sniff_binary(raw)
        if package is not None:
            return Document(path, package, raw=raw, sniffed=True)
    if form.binary:
        return Document(path, form, raw=raw)
    document = _decoded(path, form, raw, True)
    if path == STDIN and document.text is not None:
        from celldose.sources.sniff import sniff

        found = sniff(document.text)
        if found is not form:
            return Document(path, found, text=document.text, raw=raw, sniffed=True)
    return document


def document_of_text(text: str, path: str) -> Document:
    """Text already in memory, reported under ``path`` (YAML unless its ending says another)."""
    return Document(path, for_path(path), text=text)


def parse(document: Document) -> Content:
    """The document's protocols as its format's reader finds them (nothing is checked yet)."""
    form = document.format
    if document.problem is not None:
        return _problem(document.problem)
    if form.shape is Shape.TREE:
        assert form.read_tree is not None and document.text is not None
        tree = form.read_tree(document.text)
        if not document.explicit and not is_protocol_candidate(tree.data):
            return Content(skipped=True)
        return Content(tree=tree)
    assert form.read_tables is not None
    source: str | bytes
    if form.binary:
        assert document.raw is not None
        source = document.raw
    else:
        assert document.text is not None
        source = document.text
    tables = form.read_tables(source, document.stem)
    if isinstance(tables, SourceProblem):
        return _problem(tables)
    if not tables and form.table_required:
        if not document.explicit:
            return Content(skipped=True)
        return _problem(
            SourceProblem(
                NOT_A_PROTOCOL,
                f"no {form.label} table with a route column",
                None,
                f"write the protocol as a {_table_kind(form)} whose header names a Route column",
            )
        )
    return Content(tables=tuple(tables))


def _table_kind(form: Format) -> str:
    return "pipe table" if form.name == "md" else "table"


def _problem(problem: SourceProblem) -> Content:
    return Content(tree=Loaded(None, SourceMap(), (problem,)))


def _decoded(path: str, form: Format, raw: bytes, explicit: bool) -> Document:
    text = decode(raw)
    if isinstance(text, SourceProblem):
        return Document(path, form, raw=raw, problem=text, explicit=explicit)
    return Document(path, form, text=text, raw=raw, explicit=explicit)


__all__ = [
    "STDIN",
    "Content",
    "Document",
    "document_of_bytes",
    "document_of_text",
    "parse",
    "read_document",
]
