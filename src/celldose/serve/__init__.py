"""``celldose serve``: a page on the clinic's own machine to drop a sheet and see its report.

Why the standard library's :class:`http.server.ThreadingHTTPServer`, not Starlette or FastAPI
under uvicorn? The page has four requests (the form, a check, a download, one script), each
answered at once from memory; it serves one person on one machine. The standard library needs
no new dependency, so the linter stays lean and no ``serve`` extra is needed: ``celldose
serve`` works wherever ``celldose`` is installed. What a framework would add (routing,
multipart parsing) is small here and bounded by hand (:mod:`celldose.serve.multipart`), and
tests drive it with plain :mod:`http.client` against a server on a free port. What it costs:
HTTP/1.0 only, no TLS, which loopback does not need.

The command (printing the address, Ctrl+C) is :func:`celldose.cli.commands.serve`.

Security (:mod:`celldose.serve.guard`): loopback by default, a token on every request, the Host
and Origin checks, a strict Content-Security-Policy, uploads in memory and bounded.
"""

from __future__ import annotations

from celldose.serve.guard import is_loopback, url_host
from celldose.serve.handler import Server

__all__ = ["Server", "address_of", "is_loopback"]


def address_of(server: Server) -> str:
    """The address to open, token included; a wildcard bind is opened on loopback."""
    host = str(server.server_address[0])
    if host in ("0.0.0.0", "::"):  # noqa: S104 - naming the wildcard, not binding to it
        host = "127.0.0.1"
    return f"http://{url_host(host)}:{server.server_address[1]}/?token={server.guard.token}"
