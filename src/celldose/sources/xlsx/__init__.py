"""A bounded, streaming reader of untrusted ``.xlsx`` workbooks: raw cells with exact positions.

Why not openpyxl for reading? Three traps, each measured on openpyxl 3.1:

* its read-only ``iter_rows()`` pads every missing row, so a sheet whose one cell sits at
  ``XFD1048576`` makes it walk a million empty rows of 16,384 cells (it effectively hangs);
* it needs two loads of the workbook to see both a formula and its cached value
  (``data_only=True`` drops the formula, the default drops the value);
* read-only mode has no merged cells.

So this package opens the zip itself (:mod:`zipfile`) and parses the XML with :mod:`defusedxml`
(entities, DTDs and external references refused: an XXE or billion-laughs workbook becomes an
:class:`XlsxError`, it is never expanded). It trusts nothing in the file:

* Before anything is decompressed, the declared uncompressed sizes of the parts that will be read
  are summed (at most :data:`MAX_INFLATED`) and each part's compression ratio is checked
  (:data:`MAX_RATIO`): a zip bomb is refused from its directory alone. The sum is cumulative: it
  covers ``_rels/.rels`` before that is read, then the workbook part and its relationships (which
  name the other parts), then the shared strings, styles and every worksheet together, before
  any of those is touched.
* Every part is read through a counting wrapper that stops at the declared size (plus a small
  margin), so a zip entry that lies about its size cannot inflate without bound either.
* Worksheets are streamed with ``iterparse``; each cell and row is dropped from the tree as soon
  as it has been read, so memory does not grow with the number of rows. Only rows present in the
  XML are produced: the lone cell at ``XFD1048576`` is one row, read at once.
* Only the first :data:`MAX_COLUMNS` columns are read; later non-empty cells are counted and the
  first one is reported (:attr:`XSheet.beyond_columns`) so the caller can say so.
* Merged ranges (``<mergeCells>``) come *after* ``<sheetData>`` in the XML, but callers need them
  while streaming rows. :func:`read_workbook` therefore makes a first pass over each worksheet
  part: a plain byte search for ``mergeCell`` (decompression only, no parsing) and, only if it
  matches, a defused parse that looks at element starts alone. Both are bounded by the same size
  limits as the main pass.

Every failure is an :class:`XlsxError` with a one-line message for a person; nothing else escapes
(except ``MemoryError`` and friends). A :class:`XSheet` re-opens the file when its rows are read and
checks that the worksheet part is still the one that was measured (same CRC-32 and sizes).

The reader is in layers, each a module: :mod:`~celldose.sources.xlsx.archive` (the zip and XML
safety above, shared with any other OPC format such as ``.docx``),
:mod:`~celldose.sources.xlsx.package` (workbook, sheets, shared strings, styles),
:mod:`~celldose.sources.xlsx.merged` (the first pass) and :mod:`~celldose.sources.xlsx.cells`
(the main pass); :mod:`~celldose.sources.xlsx.workbook` ties them together.
"""

from celldose.sources.xlsx.archive import MAX_INFLATED, MAX_RATIO, ArchiveError
from celldose.sources.xlsx.cells import MAX_COLUMNS, CellKind, XCell, XRow, XSheet
from celldose.sources.xlsx.package import MAX_SHEETS, is_date_format
from celldose.sources.xlsx.refs import (
    EXCEL_MAX_COLUMN,
    EXCEL_MAX_ROW,
    column_letter,
    column_number,
    parse_ref,
)
from celldose.sources.xlsx.workbook import read_workbook

XlsxError = ArchiveError
"""What a workbook that cannot be read raises: the archive layer's error, under the name its
callers know (the archive layer is shared with other formats, so it cannot say "Xlsx")."""

__all__ = [
    "EXCEL_MAX_COLUMN",
    "EXCEL_MAX_ROW",
    "MAX_COLUMNS",
    "MAX_INFLATED",
    "MAX_RATIO",
    "MAX_SHEETS",
    "CellKind",
    "XCell",
    "XRow",
    "XSheet",
    "XlsxError",
    "column_letter",
    "column_number",
    "is_date_format",
    "parse_ref",
    "read_workbook",
]
