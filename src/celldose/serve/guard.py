"""Who may use the page: the token, the ``Host`` and ``Origin`` checks, the response headers.

The server runs on a clinic's own machine, and a web page in another tab must not be able to
use it. Three locks, as Jupyter's:

* **a token**: random (:func:`secrets.token_urlsafe`), printed with the address; every request
  presents it, in the query (``?token=``, the printed address) or in the cookie the first
  tokened request sets (``HttpOnly``, ``SameSite=Strict``);
* **the Host header**: a page served from ``evil.example`` whose name is made to resolve to
  127.0.0.1 (DNS rebinding) still sends ``Host: evil.example``, which is refused; loopback
  names, the bound host and the address the request came in on are accepted, with the port;
* **the Origin of a POST**: a form on another site that posts to this server sends its own
  origin, which is refused.

Every answer carries a Content-Security-Policy that allows nothing from elsewhere (no CDN, no
font, no analytics): the page's own inline style, and script only from this server.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlsplit

COOKIE = "celldose-token"
"""The cookie's name, followed by the port: browsers share a host's cookies between its ports, so
two servers on one machine keep a cookie each."""
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    ("Content-Security-Policy", POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
)
"""Sent with every answer, a refusal included."""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address: nobody on the network can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """A host as a URL writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass(frozen=True, slots=True)
class Guard:
    """The token and the names this server answers to."""

    token: str
    port: int
    names: frozenset[str]
    """Host names (a URL's spelling, IPv6 in brackets) accepted in ``Host`` and ``Origin``."""

    @classmethod
    def of(cls, token: str, host: str, port: int) -> Guard:
        names = {*LOOPBACK_NAMES}
        if host not in ("", "0.0.0.0", "::"):  # noqa: S104 - the names of a wildcard bind
            names.add(url_host(host))
        return cls(token, port, frozenset(names))

    def host_ok(self, header: str | None, local_address: str) -> bool:
        """The ``Host`` header names this server: a loopback name, the bound host, or the
        address the request came in on, with this server's port."""
        if header is None:
            return False
        accepted = {*self.names, url_host(local_address)}
        return header.lower() in {f"{name}:{self.port}" for name in accepted}

    def origin_ok(self, origin: str | None, fetch_site: str | None, host: str) -> bool:
        """A POST comes from this server's own page.

        ``Origin`` must be this server (as the request's own, already checked, ``Host`` names
        it), or absent (a program, not a browser page). Because every page is sent with
        ``Referrer-Policy: no-referrer``, Chromium sends ``Origin: null`` for the page's own
        forms; ``null`` is accepted only when the browser also says ``Sec-Fetch-Site:
        same-origin``, which no other site's page can make it say. A cross-site POST would
        also come without the ``SameSite=Strict`` cookie, so without the token.
        """
        if fetch_site is not None and fetch_site.lower() != "same-origin":
            return False
        if origin is None:
            return True
        if origin.lower() == "null":
            return fetch_site is not None
        return origin.lower() == f"http://{host.lower()}"

    def token_of(self, path: str, cookie_header: str | None) -> str | None:
        """The token the request presents: the query's, else the cookie's."""
        query = parse_qs(urlsplit(path).query).get("token")
        if query:
            return query[0]
        if cookie_header:
            try:
                cookie = SimpleCookie(cookie_header)
            except CookieError:
                return None
            if self.cookie_name in cookie:
                return cookie[self.cookie_name].value
        return None

    def token_ok(self, presented: str | None) -> bool:
        if presented is None:
            return False
        return hmac.compare_digest(presented.encode(), self.token.encode())

    @property
    def cookie_name(self) -> str:
        return f"{COOKIE}-{self.port}"

    def cookie(self) -> str:
        return f"{self.cookie_name}={self.token}; Path=/; HttpOnly; SameSite=Strict"
