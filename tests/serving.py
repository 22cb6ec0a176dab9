"""A ``celldose serve`` server in a thread on a free port, and a plain HTTP client for it."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from celldose.serve import Server

BOUNDARY = "celldose-test-boundary"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@contextmanager
def running() -> Iterator[Server]:
    server = Server(("127.0.0.1", 0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def port_of(server: Server) -> int:
    return int(server.server_address[1])


def request(
    server: Server,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    token: bool = True,
) -> Answer:
    """A request with the server's token in a cookie (unless ``token`` is False)."""
    sent = dict(headers or {})
    if token:
        sent.setdefault("Cookie", f"{server.guard.cookie_name}={server.guard.token}")
    connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=60)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def form(*fields: tuple[str, str | None, bytes]) -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body of (name, file name or None, content) fields, as a browser
    sends it, and its Content-Type header."""
    parts = []
    for name, filename, content in fields:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        parts.append(head + content + b"\r\n")
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def post(server: Server, path: str, *fields: tuple[str, str | None, bytes]) -> Answer:
    body, headers = form(*fields)
    return request(server, "POST", path, body, headers)
