"""HTTP: the requests the page makes, through the guard, to :mod:`celldose.serve.actions`.

``GET /`` (the form), ``POST /check`` (a file or pasted text -> the report), ``POST /download``
(the corrected or converted sheet), ``GET /static/drop.js``. A body is read into memory,
bounded, and parsed by :mod:`celldose.serve.multipart`; nothing is written to disk.
"""

from __future__ import annotations

import base64
import binascii
import socket
import sys
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import ClassVar
from urllib.parse import quote, urlsplit

from celldose.serve import actions, multipart
from celldose.serve.actions import PASTED, clean_name, too_large
from celldose.serve.guard import HEADERS, Guard, new_token
from celldose.serve.page import plain_page, refusal_page
from celldose.sources.text import MAX_BYTES

MAX_BODY = MAX_BYTES * 4 // 3 + 64 * 1024
"""A form's body: the largest file, base64-encoded as the download form carries it, and room
for the other fields."""
AT_ONCE = 4
"""Forms read and answered at once (each up to :data:`MAX_BODY` in memory, and its check)."""
DRAIN = 4 * MAX_BODY
"""An oversized body up to this size is read and dropped, so that the browser, still sending,
sees the 413 page and not a reset connection; a larger one is cut off."""


class Server(ThreadingHTTPServer):
    """One thread per request (several tabs at once); the guard holds the token."""

    daemon_threads = True
    guard: Guard
    working: threading.BoundedSemaphore
    """Taken while a form's body is read and answered: memory stays bounded however many tabs
    send at once (the others wait their turn)."""

    def __init__(self, address: tuple[str, int], token: str | None = None) -> None:
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.guard = Guard.of(token or new_token(), host, self.server_address[1])
        self.working = threading.BoundedSemaphore(AT_ONCE)


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
        elif path == "/favicon.ico":  # asked for by every browser; the page has no icon
            self.send_response(HTTPStatus.NO_CONTENT)
            self._headers(0)
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
        with self.server.working:
            self._form(path)

    def _form(self, path: str) -> None:
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
            self._page(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, plain_page("Too large", too_large()))
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
        upload, pasted = fields.get("file"), fields.get("pasted")
        if upload is not None and upload.filename:
            self._answer(actions.check(clean_name(upload.filename), upload.content))
        elif pasted is not None and pasted.content.strip():
            self._answer(actions.check(PASTED, pasted.content))
        else:
            self._answer(actions.nothing())

    def _download(self, fields: dict[str, multipart.Part]) -> None:
        try:
            raw = base64.b64decode(_text(fields.get("data")), validate=True)
        except (binascii.Error, ValueError):
            self._page(HTTPStatus.BAD_REQUEST, plain_page("Not understood", "No sheet was sent."))
            return
        name = clean_name(_text(fields.get("name")))
        self._answer(actions.download(name, raw, _text(fields.get("as"))))

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

    def _answer(self, answer: actions.Answer) -> None:
        if answer.attachment is None:
            self._page(answer.status, answer.page)
        else:
            self._attachment(answer.attachment, answer.filename)

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


def _text(part: multipart.Part | None) -> str:
    return part.content.decode("utf-8", "replace") if part is not None else ""
