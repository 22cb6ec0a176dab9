"""A bounded reader of ``multipart/form-data`` bodies, the upload form's encoding.

Why not :mod:`cgi` or :mod:`email`? ``cgi`` is deprecated and gone in Python 3.13, and
``email``'s feed parser splits a 10 MB workbook into lines in Python. A form body is a simple
thing: parts between ``--boundary`` lines, each with a few headers. The body is already in
memory and bounded by the server; this reader bounds the number of parts and the size of each
part's headers, and any body that does not have this exact shape is refused with
:class:`Malformed`, which the server answers with a 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import HTTP

MAX_PARTS = 16
MAX_HEAD = 8 * 1024
"""The bytes of one part's headers."""


class Malformed(ValueError):
    """A body that is not ``multipart/form-data`` as browsers send it; the message says why."""


@dataclass(frozen=True, slots=True)
class Part:
    """One form field: its name, the file name a file field carries, and its bytes."""

    name: str
    filename: str | None
    content: bytes


def boundary_of(content_type: str) -> str:
    """The boundary a ``multipart/form-data`` Content-Type names."""
    header = Message(policy=HTTP)
    header["Content-Type"] = content_type
    if header.get_content_type() != "multipart/form-data":
        raise Malformed("the form must be sent as multipart/form-data")
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= 70:
        raise Malformed("the form's Content-Type has no usable boundary")
    return boundary


def parse(body: bytes, content_type: str) -> dict[str, Part]:
    """The body's fields by name (the first of a name wins)."""
    delimiter = b"--" + boundary_of(content_type).encode("ascii", "replace")
    if not body.startswith(delimiter):
        raise Malformed("the form's body does not start with its boundary")
    sections = body[len(delimiter) :].split(b"\r\n" + delimiter)
    if len(sections) - 1 > MAX_PARTS:
        raise Malformed(f"the form has more than {MAX_PARTS} fields")
    if len(sections) < 2 or not sections[-1].startswith(b"--"):
        raise Malformed("the form's body ends before its closing boundary")
    fields: dict[str, Part] = {}
    for section in sections[:-1]:
        part = _part(section)
        fields.setdefault(part.name, part)
    return fields


def _part(section: bytes) -> Part:
    if not section.startswith(b"\r\n"):
        raise Malformed("a boundary of the form is not followed by a line break")
    end = section.find(b"\r\n\r\n", 2, MAX_HEAD)
    if end < 0:
        raise Malformed("a field of the form has no end to its headers, or too long a header")
    try:
        head = section[2:end].decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("a field's headers are not UTF-8") from None
    headers = BytesHeaderParser(policy=HTTP).parsebytes(head.encode("utf-8") + b"\r\n\r\n")
    if headers.defects:
        raise Malformed("a field of the form has malformed headers")
    if headers.get_content_disposition() != "form-data":
        raise Malformed("a field of the form is not form-data")
    name = headers.get_param("name", header="content-disposition")
    if not isinstance(name, str) or not name:
        raise Malformed("a field of the form has no name")
    filename = headers.get_filename()
    return Part(name, filename, section[end + 4 :])
