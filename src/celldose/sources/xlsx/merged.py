"""Merged ranges, read in a first pass over a worksheet part.

``<mergeCells>`` comes *after* ``<sheetData>`` in the XML, but the cell stream needs the ranges
while it produces rows. So each worksheet part is read twice: first a plain byte search for
``mergeCell`` (decompression only, no parsing) and, only if it matches, a defused parse that
looks at element starts alone. Both are bounded by the archive's size limits.
"""

from __future__ import annotations

import zipfile
from typing import Final

import defusedxml.ElementTree as SafeET

from celldose.sources.xlsx.archive import CHUNK, READ_ERRORS, Archive, PartStream, as_archive_error
from celldose.sources.xlsx.package import ss
from celldose.sources.xlsx.refs import range_in

__all__ = ["Merged", "read_merged"]

Merged = tuple[tuple[int, int, int, int], ...]
"""Merged ranges as ``(min_row, min_col, max_row, max_col)``, 1-based, inclusive, sorted."""

_MERGE_CELL = ss("mergeCell")
_MERGE_WORD: Final = b"mergeCell"


class _MergeCollector:
    """An XMLParser target that only looks at element starts, keeping the ``mergeCell`` refs."""

    def __init__(self) -> None:
        self.refs: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag in _MERGE_CELL:
            self.refs.append(attrib.get("ref", ""))

    def close(self) -> list[str]:
        return self.refs


def _mentions_merges(stream: PartStream) -> bool:
    """Whether the part's bytes contain ``mergeCell`` (UTF-16 parts are assumed to)."""
    tail = b""
    first = True
    while chunk := stream.read(CHUNK):
        if first and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:4]):
            return True
        first = False
        if _MERGE_WORD in tail + chunk:
            return True
        tail = chunk[-(len(_MERGE_WORD) - 1) :]
    return False


def read_merged(archive: Archive, info: zipfile.ZipInfo, part: str) -> Merged:
    """The merged ranges of the worksheet ``part``, sorted (the order in the file means nothing)."""
    with archive.open(info, part) as stream:
        if not _mentions_merges(stream):
            return ()
    collector = _MergeCollector()
    with archive.open(info, part) as stream:
        try:
            parser = SafeET.XMLParser(target=collector, forbid_dtd=True)
            while chunk := stream.read(CHUNK):
                parser.feed(chunk)
            parser.close()
        except READ_ERRORS as exc:
            raise as_archive_error(exc, part, archive.limits.noun) from exc
    return tuple(sorted({range_in(ref, part) for ref in collector.refs}))
