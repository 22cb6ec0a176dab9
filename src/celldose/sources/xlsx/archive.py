"""A bounded reader of untrusted zip archives of XML: the safety layer of every Office format.

A ``.xlsx`` workbook and a ``.docx`` document are both OPC packages: a zip of XML parts that
name one another through relationships. Everything that can go wrong before a part is
understood is the same for both, so it lives here, with no spreadsheet knowledge:

* the file is a regular file (a FIFO or a device would block or never end), not an OLE
  container (an old ``.xls``/``.doc`` or an encrypted document), and a zip archive;
* the archive holds at most :attr:`Limits.max_members` entries, and no part twice (names are
  compared the way OPC compares them: case-insensitive, ``\\`` as ``/``);
* before anything is decompressed, the declared uncompressed sizes of the parts that will be
  read are summed (at most :attr:`Limits.max_inflated`) and each part's compression ratio is
  checked (:attr:`Limits.max_ratio`): a zip bomb is refused from its directory alone;
* every part is read through a counting wrapper that stops at the declared size (plus a small
  margin), so an entry that lies about its size cannot inflate without bound either;
* encrypted entries and unknown compression methods become a one-line error;
* XML is parsed with :mod:`defusedxml`: DTDs, entities and external references are refused, so
  an XXE or billion-laughs part is never expanded;
* a relationship target that climbs out of the package (``../../etc/passwd``, "zip slip") is
  never resolved to a part.

Every failure is an :class:`ArchiveError` whose ``str()`` is one line for a person; nothing else
escapes (except ``MemoryError`` and friends). The nouns in messages come from :class:`Limits`,
so a workbook's messages say "workbook" and a document's say "document".
"""

from __future__ import annotations

import io
import posixpath
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

__all__ = [
    "CHUNK",
    "MAX_INFLATED",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "READ_ERRORS",
    "Archive",
    "ArchiveError",
    "Limits",
    "PartStream",
    "Relationship",
    "as_archive_error",
    "events",
    "of_type",
    "one_line",
    "open_archive",
    "read_rels",
    "records",
    "rels_part",
    "resolve",
]

_MIB: Final = 1024 * 1024

MAX_INFLATED: Final = 64 * _MIB
"""Most uncompressed bytes, over all the parts that are read (64 MiB)."""

MAX_RATIO: Final = 200
"""A part over 1 MiB inflating to more than this many times its compressed size is refused."""

MAX_MEMBERS: Final = 10_000
"""Most entries in the archive; a real workbook or document has tens (hundreds with images)."""

CHUNK: Final = 64 * 1024
"""How much of a part is decompressed at a time by streaming readers."""

_RATIO_FLOOR: Final = _MIB  # parts up to this size are never refused for their ratio
_SIZE_MARGIN: Final = 4096  # slack over a part's declared size before the wrapper stops it
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ArchiveError(Exception):
    """The file cannot be read as the package it should be; ``str(exc)`` is one line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """The bounds of one kind of package, and the words its messages use.

    ``noun`` names the file in messages ("the workbook inflates to ..."); ``kind`` says what it
    is not when it cannot be opened ("not an XLSX workbook (not a zip archive)"); ``ole`` says
    what an OLE container of that kind probably is (an old binary file, or an encrypted one).
    """

    noun: str = "document"
    kind: str = "an Office document"
    ole: str = "an old binary Office file, or a password-protected document"
    max_inflated: int = MAX_INFLATED
    max_ratio: int = MAX_RATIO
    max_members: int = MAX_MEMBERS


# What reading a zip entry or parsing its XML can raise for a bad file. DefusedXmlException and
# UnicodeDecodeError are ValueErrors; encrypted entries raise RuntimeError, unknown compression
# methods NotImplementedError (a RuntimeError).
READ_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    RuntimeError,
    struct.error,
    OverflowError,
    ParseError,
)


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def _size(count: int) -> str:
    if count >= _MIB:
        number, unit = count / _MIB, "MiB"
    elif count >= 1024:
        number, unit = count / 1024, "KiB"
    else:
        return f"{count} bytes"
    return f"{number:.1f}".removesuffix(".0") + f" {unit}"


def as_archive_error(exc: BaseException, part: str, noun: str) -> ArchiveError:
    """A one-line ArchiveError for an exception raised while reading ``part``."""
    if isinstance(exc, ArchiveError):
        return exc
    if isinstance(exc, DTDForbidden):
        return ArchiveError(f"the {noun}'s XML declares a DTD ({part}); refused")
    if isinstance(exc, EntitiesForbidden):
        return ArchiveError(f"the {noun}'s XML declares entities ({part}); refused")
    if isinstance(exc, ExternalReferenceForbidden):
        return ArchiveError(f"the {noun}'s XML refers to an external entity ({part}); refused")
    if isinstance(exc, DefusedXmlException):
        return ArchiveError(f"the {noun}'s XML uses a forbidden construct ({part}); refused")
    if isinstance(exc, ParseError | UnicodeDecodeError):
        return ArchiveError(f"malformed XML in {part} ({one_line(exc)})")
    if isinstance(exc, RuntimeError):  # encrypted entry, unsupported compression method
        return ArchiveError(f"cannot decompress {part} ({one_line(exc)})")
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError | struct.error):
        return ArchiveError(f"{part} is corrupt in the zip archive ({one_line(exc)})")
    if isinstance(exc, OSError):
        return ArchiveError(f"cannot read {part} ({one_line(exc.strerror or exc)})")
    return ArchiveError(f"cannot read {part} ({one_line(exc)})")


class PartStream:
    """A zip entry's bytes, refused past ``limit``: a lying size header cannot inflate forever."""

    def __init__(self, raw: IO[bytes], part: str, limit: int, noun: str) -> None:
        self._raw = raw
        self._part = part
        self._limit = limit
        self._noun = noun
        self._count = 0

    def read(self, size: int | None = -1) -> bytes:
        room = self._limit - self._count + 1  # one byte more than allowed tells a liar
        want = room if size is None or size < 0 else min(size, room)
        try:
            data = self._raw.read(want)
        except READ_ERRORS as exc:  # a bad CRC, corrupt deflate data, an encrypted entry
            raise as_archive_error(exc, self._part, self._noun) from exc
        self._count += len(data)
        if self._count > self._limit:
            raise ArchiveError(
                f"{self._part} inflates beyond its declared size; refused as a possible zip bomb"
            )
        return data


class Archive:
    """An open zip file, with its entries looked up the way OPC names parts (case-insensitive)."""

    def __init__(self, zf: zipfile.ZipFile, limits: Limits) -> None:
        self.zf = zf
        self.limits = limits
        self._entries: dict[str, zipfile.ZipInfo] = {}
        self._duplicates: set[str] = set()
        members = zf.infolist()
        if len(members) > limits.max_members:
            raise ArchiveError(
                f"the {limits.noun}'s zip archive holds {len(members):,} entries, more than "
                f"{limits.max_members:,}; refused"
            )
        for info in members:
            if info.is_dir():
                continue
            key = _part_key(info.filename)
            if key in self._entries:
                self._duplicates.add(key)
            self._entries[key] = info

    def find(self, part: str) -> zipfile.ZipInfo | None:
        key = _part_key(part)
        if key in self._duplicates:
            raise ArchiveError(f"the zip archive holds {part} twice; refused")
        return self._entries.get(key)

    def has(self, part: str) -> bool:
        return _part_key(part) in self._entries

    def need(self, part: str, what: str = "") -> zipfile.ZipInfo:
        info = self.find(part)
        if info is None:
            raise ArchiveError(f"missing part {part}{what}")
        return info

    def check(self, parts: Iterable[tuple[str, zipfile.ZipInfo]]) -> None:
        """Refuse, from the zip directory alone, parts that inflate too far in total or by ratio.

        Pass every part that will have been read by the time the last of them is: the sum is
        what bounds the reader's work, not each part alone.
        """
        limits = self.limits
        distinct = {_part_key(part): (part, info) for part, info in parts}
        total = sum(info.file_size for _, info in distinct.values())
        if total > limits.max_inflated:
            part, info = max(distinct.values(), key=lambda item: item[1].file_size)
            raise ArchiveError(
                f"the {limits.noun} inflates to more than {_size(limits.max_inflated)} "
                f"({part}: {_size(info.file_size)}); refused as a possible zip bomb"
            )
        for part, info in distinct.values():
            ratio = limits.max_ratio
            if info.file_size > _RATIO_FLOOR and info.file_size > ratio * info.compress_size:
                raise ArchiveError(
                    f"{part} inflates from {_size(info.compress_size)} to "
                    f"{_size(info.file_size)} (more than {limits.max_ratio} times); refused as "
                    "a possible zip bomb"
                )

    @contextmanager
    def open(self, info: zipfile.ZipInfo, part: str) -> Iterator[PartStream]:
        """The part's bytes, bounded; its size and ratio are checked first."""
        self.check([(part, info)])
        try:
            raw = self.zf.open(info)
        except READ_ERRORS as exc:
            raise as_archive_error(exc, part, self.limits.noun) from exc
        with raw:
            limit = min(info.file_size + _SIZE_MARGIN, self.limits.max_inflated)
            yield PartStream(raw, part, limit, self.limits.noun)

    def read_xml(self, part: str, root: frozenset[str] | None = None, what: str = "") -> Element:
        """A whole part as one defused XML tree (for parts that are read at once, not streamed).

        ``root``, when given, is the set of tags the root element may have; otherwise the part
        "is not {what}".
        """
        info = self.need(part)
        with self.open(info, part) as stream:
            try:
                tree = SafeET.parse(stream, forbid_dtd=True)
            except READ_ERRORS as exc:
                raise as_archive_error(exc, part, self.limits.noun) from exc
        elem = tree.getroot()
        if elem is None or (root is not None and elem.tag not in root):
            raise ArchiveError(f"{part} is not {what or 'the expected part'}")
        return elem

    def events(
        self, stream: PartStream, part: str, wanted: tuple[str, ...]
    ) -> Iterator[tuple[str, Element]]:
        """Defused ``iterparse`` of an open part (see :func:`events`)."""
        return events(stream, part, wanted, self.limits.noun)


def _part_key(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


@contextmanager
def open_archive(source: Path | bytes, limits: Limits) -> Iterator[Archive]:
    """The zip archive at ``source`` (a path, or the file's bytes), opened once: the checks and
    the zip see the same file."""
    if isinstance(source, bytes):
        with _opened(io.BytesIO(source), limits) as archive:
            yield archive
        return
    try:
        if not stat.S_ISREG(source.stat().st_mode):  # a FIFO or a device would block or never end
            raise ArchiveError(f"not {limits.kind} (not a regular file)")
        handle = source.open("rb")
    except OSError as exc:
        raise ArchiveError(f"cannot read the file ({one_line(exc.strerror or exc)})") from exc
    with handle, _opened(handle, limits) as archive:
        yield archive


@contextmanager
def _opened(handle: IO[bytes], limits: Limits) -> Iterator[Archive]:
    try:
        head = handle.read(len(_OLE_MAGIC))
        handle.seek(0)
    except OSError as exc:
        raise ArchiveError(f"cannot read the file ({one_line(exc.strerror or exc)})") from exc
    if head == _OLE_MAGIC:
        raise ArchiveError(f"not {limits.kind} ({limits.ole})")
    try:
        zf = zipfile.ZipFile(handle)
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"not {limits.kind} (not a zip archive)") from exc
    except READ_ERRORS as exc:
        message = f"not {limits.kind} (unreadable zip archive: {one_line(exc)})"
        raise ArchiveError(message) from exc
    with zf:
        yield Archive(zf, limits)


# --- XML ----------------------------------------------------------------------------------------


def events(
    stream: PartStream, part: str, wanted: tuple[str, ...], noun: str = "document"
) -> Iterator[tuple[str, Element]]:
    """Defused ``iterparse`` (no DTD, no entities), every failure an :class:`ArchiveError`."""
    try:
        parser = SafeET.iterparse(stream, events=wanted, forbid_dtd=True)
        yield from parser
    except READ_ERRORS as exc:
        raise as_archive_error(exc, part, noun) from exc


def records(
    archive: Archive,
    stream: PartStream,
    part: str,
    roots: frozenset[str],
    what: str,
    depth: int,
) -> Iterator[tuple[str, Element]]:
    """Yield ``(parent tag, element)`` for each complete element at levels 2 to ``depth``.

    The root is level 1 and must be one of ``roots``. An element is yielded when it ends, with
    its subtree (an element at ``depth`` keeps all of its descendants); once the caller has seen
    it, it is dropped from the tree, so memory stays flat however long the part is.
    """
    stack: list[Element] = []
    for event, elem in archive.events(stream, part, ("start", "end")):
        if event == "start":
            if not stack and elem.tag not in roots:
                raise ArchiveError(f"{part} is not {what}")
            stack.append(elem)
            continue
        stack.pop()
        if stack and len(stack) < depth:
            yield stack[-1].tag, elem
            del stack[-1][:]


# --- relationships: how OPC parts name one another ----------------------------------------------

_PACKAGE_RELS_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
_RELATIONSHIPS: Final = frozenset({f"{{{_PACKAGE_RELS_NS}}}Relationships", "Relationships"})
_RELATIONSHIP: Final = frozenset({f"{{{_PACKAGE_RELS_NS}}}Relationship", "Relationship"})


@dataclass(frozen=True, slots=True)
class Relationship:
    type: str
    written: str
    """The Target attribute, as written."""
    target: str | None
    """The part it names, or None if it points outside the package."""


def resolve(source_part: str, target: str) -> str | None:
    """A relationship target as a part name: relative to the source part's folder, or absolute.

    None when the target climbs out of the package ("../../etc/passwd"): such a relationship is
    refused only if it is used.
    """
    target = unquote(target.strip()).replace("\\", "/")
    if target.startswith("/"):
        name = target.lstrip("/")
    else:
        name = posixpath.join(posixpath.dirname(source_part), target)
    name = posixpath.normpath(name)
    if name in (".", "..") or name.startswith("../"):
        return None
    return name


def rels_part(part: str) -> str:
    """The relationships part of ``part`` (``""`` for the package's own, ``_rels/.rels``)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def read_rels(archive: Archive, source_part: str) -> dict[str, Relationship]:
    """The internal relationships of ``source_part`` (``""`` for the package), by id."""
    part = rels_part(source_part)
    info = archive.find(part)
    if info is None:
        return {}
    found: dict[str, Relationship] = {}
    with archive.open(info, part) as stream:
        for _, elem in records(archive, stream, part, _RELATIONSHIPS, "a relationships part", 2):
            if elem.tag not in _RELATIONSHIP or elem.get("TargetMode", "Internal") != "Internal":
                continue
            rel_id, rel_type, target = elem.get("Id"), elem.get("Type"), elem.get("Target")
            if rel_id and rel_type and target:
                found[rel_id] = Relationship(rel_type, target, resolve(source_part, target))
    return found


def of_type(rels: dict[str, Relationship], suffix: str) -> str | None:
    """The part named by the first relationship whose type ends with ``suffix``."""
    for rel in rels.values():
        if rel.type.endswith(suffix):
            return rel.target
    return None
