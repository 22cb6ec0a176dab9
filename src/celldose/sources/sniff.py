"""What standard input holds when no file name says: YAML, a web page or pasted text.

``celldose check -`` without ``--stdin-filename`` used to read everything as YAML, so a table
pasted from a web page got "not a mapping of protocol fields". The content decides instead,
by cheap signs first (a zip names a Word document's or a workbook's parts; a page starts
with a tag; a protocol file has a top-level
``protocol:`` or ``administrations:`` key), and pasted text only when the text reader finds a
protocol table in it. Anything else stays YAML, whose reader explains what is wrong with it.
"""

from __future__ import annotations

import re

from celldose.formats import BY_NAME, YAML, Format

_YAML_KEY = re.compile(r"^(?:protocol|administrations)\s*:", re.MULTILINE)
_PAGE = re.compile(r"<(?:!doctype\s+html|html|head|body|table)\b", re.IGNORECASE)
_HEAD = 4096
"""Characters looked at for the signs of a page or a protocol file."""


_ZIP = b"PK\x03\x04"
_PACKAGES = ((b"word/document.xml", "docx"), (b"xl/workbook.xml", "xlsx"))
"""A zip's member names, stored in the clear, tell a Word document from a workbook."""


def sniff_binary(raw: bytes) -> Format | None:
    """A Word document or a workbook by its zip's member names; None for anything else."""
    if not raw.startswith(_ZIP):
        return None
    for member, name in _PACKAGES:
        if member in raw and name in BY_NAME:
            return BY_NAME[name]
    return None


def sniff(text: str) -> Format:
    """The format ``text`` is written in, YAML unless it is plainly a page or pasted text."""
    head = text[:_HEAD]
    page = BY_NAME.get("html")
    if page is not None and head.lstrip().startswith("<") and _PAGE.search(head):
        return page
    if _YAML_KEY.search(head):
        return YAML
    pasted = BY_NAME["txt"]
    assert pasted.read_tables is not None
    tables = pasted.read_tables(text, "<stdin>")
    return pasted if isinstance(tables, list) and tables else YAML
