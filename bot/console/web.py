"""The console's request, response and HTTP errors, whatever server carries them.

:func:`parse_request` builds a :class:`Request` from the raw parts of an HTTP request (method,
path, query string, body, Cookie header, peer address); :func:`finish` adds the security headers
every answer carries. The server (Sanic, :mod:`bot.console.server`) and the in-process WSGI entry
(``ConsoleApp.__call__``) are both thin translations through these two functions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

from bot.web import PAGE_HEADERS

MAX_FORM = 100_000                # bytes of a posted form (413 beyond, French page)
CSP = ("default-src 'self'; style-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


class HttpError(Exception):
    """An answer other than the page asked for: status and French message (shown on erreur.html)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    form_lists: dict[str, list[str]]
    cookies: dict[str, str]
    secure: bool
    session: dict | None = None
    user: object | None = None
    address: str = "inconnue"


@dataclass
class Response:
    body: str | bytes = ""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "text/html; charset=utf-8"

    def payload(self) -> bytes:
        return self.body.encode() if isinstance(self.body, str) else self.body


def redirect(location: str) -> Response:
    return Response("", 303, [("Location", location)])


def parse_request(method: str, path: str, query_string: str, body: bytes, cookie_header: str, *,
                  https: bool, forwarded_proto: str, peer: str | None, forwarded_for: str | None,
                  trust_proxy: bool) -> Request:
    """The console's view of an HTTP request. `body` is only read for POST (a form, at most
    :data:`MAX_FORM` bytes); X-Forwarded-For only counts behind a trusted proxy (its last hop)."""
    method = method.upper()
    query = {k: v[0] for k, v in parse_qs(query_string or "").items()}
    form_lists: dict[str, list[str]] = {}
    if method == "POST":
        if len(body) > MAX_FORM:
            raise HttpError(413, "Formulaire trop volumineux.")
        form_lists = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if body else {}
    cookies = {}
    try:
        cookies = {k: m.value for k, m in SimpleCookie(cookie_header or "").items()}
    except CookieError:
        pass
    secure = https or (forwarded_proto or "").lower() == "https"
    address = peer or "inconnue"
    if trust_proxy and forwarded_for:
        address = forwarded_for.split(",")[-1].strip() or address
    return Request(method, path or "/", query, {k: v[0] for k, v in form_lists.items()}, form_lists,
                   cookies, secure, address=address)


def finish(resp: Response) -> list[tuple[str, str]]:
    """Every header of the answer: type, length, the security headers, then the page's own."""
    return ([("Content-Type", resp.content_type), ("Content-Length", str(len(resp.payload())))]
            + list(PAGE_HEADERS.items())
            + [("Cache-Control", "no-store"), ("Content-Security-Policy", CSP)] + resp.headers)
