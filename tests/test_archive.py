"""The zip-safety layer on its own: what a Word reader will reuse, with its own nouns."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from celldose.sources.xlsx.archive import ArchiveError, Limits, open_archive

DOCUMENT = Limits(noun="document", kind="a Word document", ole="an old .doc file")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def zipped(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def test_a_document_part_is_read_from_bytes_as_a_tree() -> None:
    body = f'<w:document xmlns:w="{W}"><w:body><w:p/></w:body></w:document>'
    with open_archive(zipped({"word/document.xml": body}), DOCUMENT) as archive:
        root = archive.read_xml("word/document.xml", frozenset({f"{{{W}}}document"}), "a document")
    assert [child.tag for child in root] == [f"{{{W}}}body"]


def test_messages_name_the_kind_of_file(tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(b"not a zip at all")
    with (
        pytest.raises(ArchiveError, match=r"^not a Word document \(not a zip archive\)$"),
        open_archive(path, DOCUMENT),
    ):
        pass
    xxe = '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>'
    with (
        open_archive(zipped({"word/document.xml": xxe}), DOCUMENT) as archive,
        pytest.raises(ArchiveError, match=r"^the document's XML declares a DTD"),
    ):
        archive.read_xml("word/document.xml")


def test_a_zip_bomb_is_refused_from_the_directory_with_the_documents_noun() -> None:
    limits = Limits(noun="document", kind="a Word document", max_inflated=1000)
    raw = zipped({"word/document.xml": "<d>" + "x" * 2000 + "</d>"})
    refused = r"^the document inflates to more than 1000 bytes"
    with open_archive(raw, limits) as archive, pytest.raises(ArchiveError, match=refused):
        archive.read_xml("word/document.xml")


def test_an_archive_of_too_many_entries_is_refused() -> None:
    limits = Limits(max_members=3)
    raw = zipped({f"p{n}.xml": "<p/>" for n in range(4)})
    refused = r"^the document's zip archive holds 4 entries, more than 3; refused$"
    with pytest.raises(ArchiveError, match=refused), open_archive(raw, limits):
        pass


def test_an_old_binary_file_is_named() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
    refused = r"^not a Word document \(an old .doc file\)$"
    with pytest.raises(ArchiveError, match=refused), open_archive(ole, DOCUMENT):
        pass
