"""The requests the page makes: ``GET /`` (the form), ``POST /check`` (a file or pasted text ->
the report), ``POST /download`` (the corrected or converted sheet), ``GET /static/drop.js``.

Nothing is kept between requests and nothing is written to disk: the body is read into memory
(bounded), checked with :func:`celldose.api.check_bytes` under the file's own name (its ending
says the format; pasted text is ``pasted.txt``), and answered. The checked file travels back
with the result page, so a download needs no state on the server.
"""

from __future__ import annotations

import base64
import binascii
import re
import socket
import sys
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import PurePosixPath
from typing import ClassVar
from urllib.parse import quote, urlsplit

from celldose.api import check_bytes
from celldose.convert import FORMATS as CONVERT_TARGETS
from celldose.convert import ConvertError, convert_bytes, format_for
from celldose.diagnostics import Report, Severity
from celldose.fixes import fix_bytes
from celldose.formats import BY_NAME, FHIR_SUFFIX, for_path
from celldose.serve import multipart
from celldose.serve.guard import HEADERS, Guard, new_token
from celldose.serve.page import Offer, plain_page, refusal_page, report_page
from celldose.settings import Settings
from celldose.sources.text import MAX_BYTES

PASTED = "pasted.txt"
MEGABYTES = MAX_BYTES // (1024 * 1024)
MAX_BODY = MAX_BYTES * 4 // 3 + 64 * 1024
"""A form's body: the largest file, base64-encoded as the download form carries it, and room
for the other fields."""
DRAIN = 4 * MAX_BODY
"""An oversized body up to this size is read and dropped, so that the browser, still sending,
sees the 413 page and not a reset connection; a larger one is cut off."""
SETTINGS = Settings(configuration=False)
"""No configuration file is looked for: an upload has no folder. Inline suppressions apply."""
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")


class Server(ThreadingHTTPServer):
    """One thread per request (several tabs at once); the guard holds the token."""

    daemon_threads = True
    guard: Guard

    def __init__(self, address: tuple[str, int], token: str | None = None) -> None:
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.guard = Guard.of(token or new_token(), host, self.server_address[1])


class Handler(BaseHTTPRequestHandler):
    server: Server
    timeout = 60  # a client that stops sending does not hold a thread forever
    server_version = "celldose"
    sys_version = ""
    STATIC: ClassVar[dict[str, str]] = {"/static/drop.js": "drop.js"}

    # --- the three locks ---------------------------------------------------------------

    def _allowed(self, post: bool) -> bool:
        guard = self.server.guard
        host = self.headers.get("Host")
        if not guard.host_ok(host, self.connection.getsockname()[0]):
            self._refuse(
                HTTPStatus.MISDIRECTED_REQUEST,
                "Wrong address",
                "This page answers only at the address celldose serve printed.",
            )
            return False
        assert host is not None
        if post and not guard.origin_ok(
            self.headers.get("Origin"), self.headers.get("Sec-Fetch-Site"), host
        ):
            self._refuse(
                HTTPStatus.FORBIDDEN,
                "Refused",
                "A form from another web site cannot send sheets to this page.",
            )
            return False
        if not guard.token_ok(guard.token_of(self.path, self.headers.get("Cookie"))):
            self._refuse(
                HTTPStatus.FORBIDDEN,
                "Open the page from its address",
                "Open the address celldose serve printed (it ends with ?token=...). "
                "It works only on this computer.",
            )
            return False
        return True

    # --- requests ------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._safely(self._get)

    def do_POST(self) -> None:
        self._safely(self._post)

    def _safely(self, handle: object) -> None:
        """Any failure is a short 500 page, never a traceback sent to the browser."""
        try:
            assert callable(handle)
            handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self._refuse(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "celldose could not answer this request. Please report it, with the sheet.",
            )

    def _get(self) -> None:
        if not self._allowed(post=False):
            return
        path = urlsplit(self.path).path
        if path in self.STATIC:
            script = files("celldose.serve").joinpath("static", self.STATIC[path]).read_bytes()
            self._send(HTTPStatus.OK, script, "text/javascript; charset=utf-8")
        elif path == "/":
            if "token=" in urlsplit(self.path).query:  # set the cookie, drop the token from the URL
                self.send_response(HTTPStatus.SEE_OTHER)
                self.send_header("Location", "/")
                self.send_header("Set-Cookie", self.server.guard.cookie())
                self._headers(0)
                return
            self._page(HTTPStatus.OK, plain_page("celldose: check a protocol sheet"))
        else:
            self._refuse(HTTPStatus.NOT_FOUND, "Not found", "There is no such page here.")

    def _post(self) -> None:
        if not self._allowed(post=True):
            return
        path = urlsplit(self.path).path
        if path not in ("/check", "/download"):
            self._refuse(HTTPStatus.NOT_FOUND, "Not found", "There is no such page here.")
            return
        body = self._body()
        if body is None:
            return
        try:
            fields = multipart.parse(body, self.headers.get("Content-Type", ""))
        except multipart.Malformed as exc:
            self._page(HTTPStatus.BAD_REQUEST, plain_page("Not understood", f"{exc}."))
            return
        if path == "/check":
            self._check(fields)
        else:
            self._download(fields)

    def _body(self) -> bytes | None:
        """The request's body, or None after answering why it is not read."""
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit():
            self.close_connection = True
            self._page(
                HTTPStatus.LENGTH_REQUIRED,
                plain_page("Not understood", "The form was sent without its length."),
            )
            return None
        length = int(length_text)
        if length > MAX_BODY:
            self._drain(length)
            self._page(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, plain_page("Too large", _too_large()))
            return None
        return self.rfile.read(length)

    def _drain(self, length: int) -> None:
        self.close_connection = True
        left = min(length, DRAIN)
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)

    def _check(self, fields: dict[str, multipart.Part]) -> None:
        upload = fields.get("file")
        pasted = fields.get("pasted")
        if upload is not None and upload.filename:
            name, raw = clean_name(upload.filename), upload.content
        elif pasted is not None and pasted.content.strip():
            name, raw = PASTED, pasted.content
        else:
            message = "Choose a file, drop one here, or paste a table, then press Check."
            self._page(HTTPStatus.BAD_REQUEST, plain_page("Nothing to check", message))
            return
        if len(raw) > MAX_BYTES:
            self._page(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, plain_page("Too large", _too_large()))
            return
        report = check_bytes(raw, name, settings=SETTINGS, keep=True)
        again = raw.decode("utf-8", "replace") if name == PASTED else ""
        page = report_page(report, name, raw, offer(report, name, raw), pasted=again)
        self._page(HTTPStatus.OK, page)

    def _download(self, fields: dict[str, multipart.Part]) -> None:
        name = clean_name(_text(fields.get("name")))
        wanted = _text(fields.get("as"))
        try:
            raw = base64.b64decode(_text(fields.get("data")), validate=True)
        except (binascii.Error, ValueError):
            self._page(HTTPStatus.BAD_REQUEST, plain_page("Not understood", "No sheet was sent."))
            return
        if len(raw) > MAX_BYTES:
            self._page(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, plain_page("Too large", _too_large()))
            return
        if wanted == "fixed":
            report = check_bytes(raw, name, settings=SETTINGS)
            fixed = fix_bytes(raw, report.diagnostics, name, unsafe=False)
            if fixed is None or not fixed.edits:
                message = "This sheet has nothing celldose can correct by itself."
                self._page(HTTPStatus.OK, plain_page("Nothing to correct", message))
                return
            self._attachment(fixed.content, name)
        elif wanted in CONVERT_TARGETS:
            try:
                content = convert_bytes(raw, name, wanted)
            except ConvertError as exc:
                reasons = "; ".join(exc.reasons)
                message = f"This sheet cannot be converted: {exc}" + (
                    f" ({reasons})." if reasons else "."
                )
                self._page(HTTPStatus.UNPROCESSABLE_ENTITY, plain_page("Not converted", message))
                return
            self._attachment(content, converted_name(name, wanted))
        else:
            self._page(HTTPStatus.BAD_REQUEST, plain_page("Not understood", "Unknown download."))

    # --- answers -------------------------------------------------------------------------

    def _headers(self, length: int, content_type: str | None = None) -> None:
        for header, value in HEADERS:
            self.send_header(header, value)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _send(self, status: HTTPStatus, content: bytes, content_type: str) -> None:
        self.send_response(status)
        self._headers(len(content), content_type)
        self.wfile.write(content)

    def _page(self, status: HTTPStatus, page: str) -> None:
        self._send(status, page.encode("utf-8"), "text/html; charset=utf-8")

    def _refuse(self, status: HTTPStatus, title: str, message: str) -> None:
        self._page(status, refusal_page(title, message))

    def _attachment(self, content: bytes, name: str) -> None:
        ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
        self.send_response(HTTPStatus.OK)
        self.send_header(
            "Content-Disposition",
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        )
        self._headers(len(content), "application/octet-stream")
        self.wfile.write(content)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, an unsupported method) with
        this server's headers and words, never its default page."""
        self.close_connection = True
        status = HTTPStatus(code)
        self._refuse(status, status.phrase, message or status.description or status.phrase)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a request's line would print the token of the address it came with."""


def offer(report: Report, name: str, raw: bytes) -> Offer:
    """Whether the corrected sheet can be downloaded, and the words that say so."""
    if for_path(name).binary:
        return Offer(
            False,
            f"celldose cannot write corrections into {form_label(name)} file. Correct the "
            "highlighted cells in your spreadsheet program, save, and drop the file here again.",
        )
    fixed = fix_bytes(raw, report.diagnostics, name, unsafe=False)
    if fixed is not None and fixed.edits:
        return Offer(
            True,
            "celldose can correct part of this sheet itself (for example a missing total): "
            "download the corrected sheet, then check the rest of the findings below.",
        )
    if any(d.severity is not Severity.INFO for d in report.diagnostics):
        return Offer(
            False,
            "The findings below need a person to decide. Correct the highlighted cells in your "
            "sheet, save it, and drop it here again.",
        )
    return Offer(False, "Nothing here needs correcting.")


def form_label(name: str) -> str:
    label = for_path(name).label
    return ("an " if label[0] in "AEFHILMNORSX" else "a ") + label


def clean_name(name: str) -> str:
    """A file name a browser sent, without folders or characters a header cannot carry."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")[:200]
    return cleaned or "sheet"


def converted_name(name: str, target: str) -> str:
    stem = name
    if format_for(name) is not None:
        stem = name.rsplit(".", 1)[0]
    suffix = FHIR_SUFFIX if target == "fhir" else BY_NAME[target].suffixes[0]
    return stem + suffix


def _text(part: multipart.Part | None) -> str:
    return part.content.decode("utf-8", "replace") if part is not None else ""


def _too_large() -> str:
    return (
        f"This file is larger than {MEGABYTES} MB, the most celldose reads. "
        "Check a smaller sheet, or split this one."
    )
