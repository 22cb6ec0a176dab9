"""Bytes to text, refusing what is not a text file before any parser sees it."""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass

from celldose.diagnostics import Span
from celldose.rules import reading
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


def read_text(path: str | os.PathLike[str]) -> str | SourceProblem:
    """Read ``path`` as text: UTF-8 (with or without a BOM), or UTF-16/32 with a BOM."""
    raw = read_bytes(path)
    return raw if isinstance(raw, SourceProblem) else decode(raw)


def read_bytes(path: str | os.PathLike[str]) -> bytes | SourceProblem:
    """The bytes of a regular file (a FIFO or device would block or never end), at most
    :data:`MAX_BYTES`; or why they cannot be read."""
    # os rather than pathlib: a check of a folder reads thousands of files named by strings.
    try:
        status = os.stat(path)  # noqa: PTH116
        if stat.S_ISDIR(status.st_mode):  # a folder the walk could not list
            return _folder(path)
        if not stat.S_ISREG(status.st_mode):  # a FIFO or device would block or never end
            return SourceProblem(reading.UNREADABLE_FILE, "not a regular file", None)
        with open(path, "rb") as handle:  # noqa: PTH123
            # read(n) allocates n bytes first: ask for the size stat gave (plus one, to see a
            # file that grew since), not the 10 MiB limit, which costs ~0.1 ms a file.
            raw = handle.read(min(status.st_size, MAX_BYTES) + 1)
            if len(raw) > status.st_size:
                raw += handle.read(MAX_BYTES + 1 - len(raw))
    except OSError as exc:
        return SourceProblem(
            reading.UNREADABLE_FILE, f"cannot read the file: {exc.strerror or exc}", None
        )
    return too_large() if len(raw) > MAX_BYTES else raw


def _folder(path: str | os.PathLike[str]) -> SourceProblem:
    """Why a folder met as a file (one a folder walk could not list) was not checked."""
    try:
        os.listdir(path)  # noqa: PTH208
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return SourceProblem(
            reading.UNREADABLE_FILE,
            f"cannot read the folder: {reason}; the protocol files in it were not checked",
            None,
            "give the user running celldose permission to list and read the folder",
        )
    return SourceProblem(reading.UNREADABLE_FILE, "a folder, not a protocol file", None)


def too_large() -> SourceProblem:
    megabytes = MAX_BYTES // (1024 * 1024)
    message = f"file is larger than {megabytes} MiB; a protocol is a few kilobytes"
    return SourceProblem(reading.INPUT_LIMIT, message, Span(1, 1, 1, 1))


def decode(raw: bytes) -> str | SourceProblem:
    """Decode bytes, or say where and why they are not text."""
    encoding, body = "utf-8", raw
    for bom, name in _BOMS:
        if raw.startswith(bom):
            encoding, body = name, raw[len(bom) :]
            break
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-8" and b"\x00" in body[: exc.start + 1]:
            return _binary(body.decode(encoding, errors="replace"))
        why = f"byte 0x{body[exc.start]:02x} is not {encoding.upper()}; save the file as UTF-8"
        return _not_text(body[: exc.start].decode(encoding, errors="replace"), why)
    if "\x00" in text:
        return _binary(text)
    # A second BOM (a file saved twice by a tool that adds one) is as invisible as the first;
    # the YAML parser skips it without counting it, which put every column one to the left.
    return text.lstrip("\ufeff")


def _binary(text: str) -> SourceProblem:
    return _not_text(text[: text.index("\x00")], "a NUL byte: this is a binary file")


def _not_text(before: str, why: str) -> SourceProblem:
    """A problem at the character after ``before``, the decoded text that precedes it."""
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    span = Span(line, column, line, column + 1)
    return SourceProblem(reading.UNREADABLE_FILE, f"not a text file: {why}", span)
