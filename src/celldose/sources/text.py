"""Bytes to text, refusing what is not a text file before any parser sees it."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from celldose.diagnostics import Span
from celldose.sources.problems import SourceProblem
from celldose.sources.sourcemap import SourceMap

MAX_BYTES = 10 * 1024 * 1024
"""Largest file celldose reads (10 MiB). A protocol sheet is a few kilobytes."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A source's result: plain data (or None), where it was written, and what went wrong."""

    data: object
    source_map: SourceMap
    problems: tuple[SourceProblem, ...] = ()


def read_text(path: Path) -> str | SourceProblem:
    """Read ``path`` as text: UTF-8 (with or without a BOM), or UTF-16/32 with a BOM."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return SourceProblem(
            "unreadable-file", f"cannot read the file: {exc.strerror or exc}", None
        )
    if len(raw) > MAX_BYTES:
        return SourceProblem(
            "input-limit",
            f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB; a protocol is a few kilobytes",
            Span(1, 1, 1, 1),
        )
    return decode(raw)


def decode(raw: bytes) -> str | SourceProblem:
    """Decode bytes, or say where and why they are not text."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                return _not_text(raw, len(bom) + exc.start, f"invalid {encoding.upper()}")
    nul = raw.find(b"\x00")
    if nul >= 0:
        return _not_text(raw, nul, "a NUL byte: this is a binary file, not a protocol sheet")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _not_text(
            raw,
            exc.start,
            f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8",
        )


def _not_text(raw: bytes, offset: int, why: str) -> SourceProblem:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line = raw.count(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return SourceProblem(
        "unreadable-file", f"not a text file: {why}", Span(line, column, line, column + 1)
    )
