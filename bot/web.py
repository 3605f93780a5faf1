"""The one HTTP stack of what Aiguillage serves itself: the API gateway (:mod:`bot.api.app`), the
operators' console (:mod:`bot.console.server`) and the web chat page with its socket.io relay
(:mod:`bot.webchat.server`) all run on Sanic, the server Rasa and the action server run on
(why Sanic rather than a WSGI server: docs/deployment.md, « Une seule pile HTTP »).

Shared here, so that each front only says what is its own:

- :func:`new_app`: a Sanic application with its request body limit (Sanic answers 413 before
  the handler runs, whatever the ``Content-Length`` or chunking says);
- :func:`on_errors`: Sanic's own refusals (unknown path, wrong method, body too large, malformed
  request) and any uncaught exception answered by the front's ``render(request, status)`` (JSON
  for the API, a French HTML page for the console, French text for the web chat); an uncaught
  exception is logged, never shown;
- :data:`PAGE_HEADERS`: the security headers of every page a browser opens;
- :func:`access_log`: one masked line per request, without the query string (filters and
  searches may carry names);
- :func:`serve`: one worker, no banner, no Sanic access log.
"""
from __future__ import annotations

import itertools
import logging
from typing import Callable
from urllib.parse import unquote

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from knowledge import privacy

PAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
_serial = itertools.count(1)


def new_app(prefix: str, *, max_body: int, name: str | None = None, own_logging: bool = True) -> Sanic:
    """A Sanic application refusing bodies over `max_body` bytes (413).

    Sanic keeps a registry of application names per process: without `name`, a numbered one
    (``prefix_1``, ``prefix_2``…) lets tests build several in one process. `own_logging=False`
    when the process configures logging itself (else Sanic adds its own handlers: lines twice).
    """
    app = Sanic(name or f"{prefix}_{next(_serial)}", configure_logging=own_logging)
    app.config.REQUEST_MAX_SIZE = max_body
    return app


def on_errors(app: Sanic, render: Callable[[Request, int], HTTPResponse], log: logging.Logger) -> None:
    """Answer Sanic's refusals and uncaught exceptions with ``render(request, status)``.

    A front's own typed errors keep their own handlers: Sanic picks the handler of the most
    specific exception class.
    """

    @app.exception(SanicException)
    async def refused(request: Request, exc: SanicException):
        return render(request, getattr(exc, "status_code", None) or 500)

    @app.exception(Exception)
    async def failed(request: Request, exc: Exception):
        log.exception("Erreur interne sur %s %s", request.method, request.path)
        return render(request, 500)


def path_of(request: Request) -> str:
    """The request path, percent-decoded (as a WSGI ``PATH_INFO``)."""
    return unquote(request.path, errors="replace") or "/"


def access_log(app: Sanic, log: logging.Logger) -> None:
    """Log ``METHOD /path status`` for every answer, masked, without the query string."""

    @app.on_response
    async def logged(request: Request, response: HTTPResponse):
        log.info(privacy.mask(f"{request.method} {request.path} {getattr(response, 'status', '-')}"))


def serve(app: Sanic, host: str, port: int) -> None:
    """Run `app` in this process until SIGINT or SIGTERM."""
    app.run(host=host, port=port, access_log=False, workers=1, motd=False)
