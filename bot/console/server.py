"""The console on Sanic (bot/web.py, the stack of the API gateway and of Rasa).

One route takes every path and method: routing, sessions, CSRF and roles stay the console's
(:meth:`ConsoleApp.answer`). Its handlers are synchronous (SQL, scrypt on sign-in), so each runs
in a worker thread and never blocks the event loop, for up to 5 minutes. Sanic refuses a form
over 100 kB (French 413 page) before the handler runs. The outbox worker starts and stops with
the server; the orientation engine is loaded in the background as it starts.
"""
from __future__ import annotations

import asyncio
import logging
import threading

from sanic import Sanic
from sanic.request import Request as SanicRequest
from sanic.response import HTTPResponse

from bot import web
from bot.console.app import INTERNAL_ERROR, ConsoleApp
from bot.console.web import MAX_FORM, finish, parse_request

log = logging.getLogger("aiguillage.console")
access = logging.getLogger("aiguillage.console.access")
# Sanic's 60 s would cut a slow page with a 503: the first phone-line search loads the language
# model (long on a busy machine), a CSV export reads every request. The handler's thread would run
# on anyway; the old server waited too.
PAGE_SECONDS = 300
REFUSALS = {400: "Requête invalide.", 404: "Page introuvable.", 405: "Méthode non autorisée.",
            413: "Formulaire trop volumineux."}


def make_app(console: ConsoleApp, name: str | None = None) -> Sanic:
    app = web.new_app("aiguillage_console", max_body=MAX_FORM, name=name, own_logging=False)
    app.config.RESPONSE_TIMEOUT = PAGE_SECONDS

    def refused(request: SanicRequest, status: int) -> HTTPResponse:
        resp = console.error_page(status, REFUSALS.get(status, INTERNAL_ERROR))
        return _sanic_response(resp.status, finish(resp), resp.payload())

    web.on_errors(app, refused, log)
    web.access_log(app, access)

    async def handle(request: SanicRequest, path: str = ""):
        path = web.path_of(request)

        def build():
            return parse_request(request.method, path, request.query_string, request.body or b"",
                                 request.headers.get("cookie", ""), https=request.scheme == "https",
                                 forwarded_proto=request.headers.get("x-forwarded-proto", ""),
                                 peer=request.ip, forwarded_for=request.headers.get("x-forwarded-for"),
                                 trust_proxy=console.trust_proxy)

        loop = asyncio.get_running_loop()
        status, headers, body = await loop.run_in_executor(None, console.answer, build, path)
        return _sanic_response(status, headers, body)

    app.add_route(handle, "/", methods=web.HTTP_METHODS, name="racine")
    app.add_route(handle, "/<path:path>", methods=web.HTTP_METHODS, name="pages")

    @app.before_server_start
    async def start(app, loop):
        console.start_notifier()

    @app.after_server_start
    async def warm(app, loop):
        # a daemon thread: /sante answers at once, and a stop during the load is not held up by it
        threading.Thread(target=console.warm, name="aiguillage-warm-up", daemon=True).start()

    @app.after_server_stop
    async def stop(app, loop):
        console.stop_notifier()

    return app


def _sanic_response(status: int, headers: list[tuple[str, str]], body: bytes) -> HTTPResponse:
    """The console's answer as is (header names in their usual case; Sanic counts the length)."""
    resp = HTTPResponse(body, status=status, content_type=None)
    for k, v in headers:
        if k != "Content-Length":
            resp.headers.add(k, v)
    return resp


def serve(console: ConsoleApp, host: str, port: int) -> None:
    print(f"Console Aiguillage sur http://{host}:{port}/", flush=True)
    web.serve(make_app(console), host, port)
