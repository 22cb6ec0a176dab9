"""The entry point: a workbook's structure, measured before anything in it is decompressed."""

from __future__ import annotations

import zipfile
from pathlib import Path

from celldose.sources.xlsx.archive import (
    READ_ERRORS,
    Archive,
    ArchiveError,
    of_type,
    one_line,
    open_archive,
    read_rels,
    rels_part,
)
from celldose.sources.xlsx.cells import SheetSource, XSheet
from celldose.sources.xlsx.merged import read_merged
from celldose.sources.xlsx.package import (
    WORKBOOK_LIMITS,
    read_shared_strings,
    read_styles,
    read_workbook_part,
)

__all__ = ["read_workbook"]


def read_workbook(path: Path | bytes) -> list[XSheet]:
    """Read a workbook's structure and return its worksheets in workbook order.

    Checks the parts' sizes from the zip directory before decompressing them, then reads the
    workbook, its relationships, the shared strings and the styles, and collects each worksheet's
    merged ranges. Rows are read later, by :meth:`XSheet.rows`. Chart, dialog and macro sheets are
    skipped. Raises :class:`ArchiveError` and nothing else for a file that cannot be read.
    ``path`` may be the file's bytes (standard input): the sheets then read their rows from
    those bytes, held in memory, instead of opening the file again.
    """
    path = path if isinstance(path, bytes) else Path(path)
    with open_archive(path, WORKBOOK_LIMITS) as archive:
        try:
            return _read_structure(path, archive)
        except ArchiveError:
            raise
        except READ_ERRORS as exc:
            raise ArchiveError(f"cannot read the workbook ({one_line(exc)})") from exc


def _read_structure(path: Path | bytes, archive: Archive) -> list[XSheet]:
    """The sum of the sizes is cumulative: it covers ``_rels/.rels`` before that is read, then
    the workbook part and its relationships (which name the other parts), then the shared
    strings, styles and every worksheet together, before any of those is touched."""
    measured: list[tuple[str, zipfile.ZipInfo]] = []

    def measure(part: str, what: str = "") -> zipfile.ZipInfo:
        """Add ``part`` to what will have been read, and check the total before reading it."""
        info = archive.need(part, what)
        measured.append((part, info))
        archive.check(measured)
        return info

    if archive.has(rels_part("")):
        measure(rels_part(""))
    package_rels = read_rels(archive, "")
    main = of_type(package_rels, "/officeDocument")
    if main is None or not archive.has(main):
        main = "xl/workbook.xml"
    if not archive.has(main) and archive.has("xl/workbook.bin"):
        raise ArchiveError("an XLSB (binary) workbook is not supported; save it as .xlsx")
    measure(main)
    if archive.has(rels_part(main)):
        measure(rels_part(main))
    workbook_rels = read_rels(archive, main)
    entries, date1904 = read_workbook_part(archive, main, workbook_rels)

    strings_part = of_type(workbook_rels, "/sharedStrings")
    if strings_part is None and archive.has("xl/sharedStrings.xml"):
        strings_part = "xl/sharedStrings.xml"
    styles_part = of_type(workbook_rels, "/styles")
    if styles_part is None and archive.has("xl/styles.xml"):
        styles_part = "xl/styles.xml"
    # The larger parts, measured all together before any of them is decompressed.
    for optional in (strings_part, styles_part):
        if optional is not None:
            measure(optional)
    infos = [measure(entry.part, f" (sheet {entry.name!r})") for entry in entries]

    shared_strings = read_shared_strings(archive, strings_part)
    styles = read_styles(archive, styles_part)
    sheets: list[XSheet] = []
    for entry, info in zip(entries, infos, strict=True):
        source = SheetSource(
            path=path,
            part=entry.part,
            crc=info.CRC,
            file_size=info.file_size,
            compress_size=info.compress_size,
            shared_strings=shared_strings,
            styles=styles,
        )
        merged = read_merged(archive, info, entry.part)
        sheets.append(XSheet(entry.name, merged, entry.state, date1904, source))
    return sheets
