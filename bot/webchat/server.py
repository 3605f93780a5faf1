"""The web chat's one public origin: the page (index.html, app.js, style.css, the vendored
socket.io client, ``/config.js``) and ``/socket.io/`` relayed to Rasa's socket.io channel on
loopback (HTTP long-polling and WebSocket).

The page uses relative URLs, so it works under any host name; Rasa itself never faces the
network. The relay refuses a cross-site ``Origin`` (another site's page opening a socket in the
user's name) and forwards neither cookies nor the origin. Only for an origin configured in
``AIGUILLAGE_WEBCHAT_ORIGINS`` (a site embedding a standard widget such as rasa-webchat) does it
answer the long-polling requests with ``Access-Control-Allow-Origin: <that origin>`` (never ``*``,
never credentials); otherwise no CORS header. Bodies and WebSocket messages from the browser are
limited to 1 MiB.

Sanic serves the page and carries both transports, as it carries Rasa's own socket.io channel
(bot/web.py: one HTTP stack); aiohttp is the client towards Rasa.
"""
from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import web

from knowledge import settings

STATIC = Path(__file__).resolve().parent / "static"
RASA_URL_ENV = "AIGUILLAGE_RASA_URL"
ORIGINS_ENV = "AIGUILLAGE_WEBCHAT_ORIGINS"    # extra allowed origins ("https://chat.exemple.fr,…")
SOCKET_PATH = "/socket.io/"
MAX_BODY = 1024 * 1024            # a long-polling POST or a WebSocket message from the browser
RELAY_TIMEOUT = 90                # seconds; a long-poll waits at most the engine.io ping interval
logger = logging.getLogger("bot.webchat")

FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
    "/vendor/socket.io.min.js": ("../vendor/socket.io.min.js", "text/javascript; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}
FORWARDED_REQUEST_HEADERS = ("Content-Type", "Accept")
HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "content-length", "content-encoding",
       "set-cookie", "server", "date"}
REFUSALS = {400: "Requête invalide.", 403: "Origine non autorisée.", 404: "Page introuvable.",
            405: "Méthode non autorisée.", 413: "Requête trop volumineuse.", 502: "Assistant injoignable."}


def config_js() -> bytes:
    """The page's settings: same origin (relative socket.io path)."""
    cfg = {"rasaUrl": "", "socketPath": SOCKET_PATH}
    return f"window.AIGUILLAGE_CONFIG = {json.dumps(cfg)};\n".encode()


def csp(host: str | None) -> str:
    host = (host or "").strip()
    sockets = f" ws://{host} wss://{host}" if host and all(c not in host for c in " ;,'\"") else ""
    return (f"default-src 'self'; connect-src 'self'{sockets}; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def origin_allowed(origin: str | None, host: str | None, extra: tuple[str, ...] = ()) -> bool:
    """No Origin (not a browser page), or the page's own host, or a configured origin."""
    if not origin:
        return True
    origin = origin.rstrip("/")
    if origin in extra:
        return True
    parts = urlsplit(origin)
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc.lower() == host.strip().lower()


def _answer(status: int, body: bytes, content_type: str, cache: str = "no-cache") -> HTTPResponse:
    resp = HTTPResponse(body, status=status, headers={"Content-Type": content_type}, content_type=None)
    resp.headers.update(web.PAGE_HEADERS)
    resp.headers["Cache-Control"] = cache
    return resp


def _text(status: int, text: str | None = None) -> HTTPResponse:
    return _answer(status, (text or REFUSALS.get(status, "Erreur interne.")).encode(), "text/plain; charset=utf-8")


def make_app(rasa_url: str, extra_origins: tuple[str, ...] = (), name: str | None = None) -> Sanic:
    upstream = rasa_url.rstrip("/")
    app = web.new_app("aiguillage_webchat", max_body=MAX_BODY, name=name, own_logging=False)
    app.config.RESPONSE_TIMEOUT = RELAY_TIMEOUT + 5
    app.config.WEBSOCKET_MAX_SIZE = MAX_BODY
    app.enable_websocket()
    app.ctx.relayed = set()                       # pumps of the open WebSockets
    web.on_errors(app, lambda request, status: _text(status), logger)

    @app.before_server_start
    async def open_client(app, loop):
        app.ctx.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=RELAY_TIMEOUT),
                                             auto_decompress=False)

    @app.before_server_stop
    async def close_sockets(app, loop):
        for task in list(app.ctx.relayed):
            task.cancel()

    @app.after_server_stop
    async def close_client(app, loop):
        await app.ctx.http.close()

    async def page(request: Request, path: str = "") -> HTTPResponse:
        if request.method not in ("GET", "HEAD"):
            return _text(405)
        path = web.path_of(request)
        if path == "/health":
            return _answer(200, b'{"statut": "ok"}', "application/json")
        if path == "/config.js":
            return _answer(200, config_js(), "text/javascript; charset=utf-8")
        if path not in FILES:
            return _text(404)
        name, ctype = FILES[path]
        resp = _answer(200, (STATIC / name).read_bytes(), ctype)
        if name == "index.html":
            resp.headers["Content-Security-Policy"] = csp(request.headers.get("host"))
        return resp

    async def socket(request: Request):
        origin = request.headers.get("origin")
        if not origin_allowed(origin, request.headers.get("host"), extra_origins):
            logger.warning("socket.io : origine refusée %s", origin)
            return _text(403)
        target = f"{upstream}{SOCKET_PATH}"
        if request.query_string:
            target += "?" + request.query_string
        if request.headers.get("upgrade", "").lower() == "websocket":
            return await _websocket(request, target.replace("http", "ws", 1))
        headers = {h: request.headers[h] for h in FORWARDED_REQUEST_HEADERS if h in request.headers}
        headers["Accept-Encoding"] = "identity"
        try:
            async with app.ctx.http.request(request.method, target, data=request.body or None, headers=headers) as up:
                resp = _answer(up.status, await up.read(), up.headers.get("Content-Type", "text/plain"), "no-store")
                for k, v in up.headers.items():
                    if k.lower() not in HOP and k.lower() != "content-type" and not k.lower().startswith("access-control-"):
                        resp.headers[k] = v
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return _text(502)
        origin = (origin or "").rstrip("/")
        if origin and origin in extra_origins:          # a configured site embedding a widget
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Vary"] = "Origin"
        return resp

    async def _websocket(request: Request, target: str):
        try:
            up = await app.ctx.http.ws_connect(target, max_msg_size=0, timeout=30)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return _text(502)
        down = await request.transport.get_protocol().websocket_handshake(request)

        async def browser_to_rasa():
            while True:
                msg = await down.recv()
                if msg is None:
                    return
                await (up.send_str(msg) if isinstance(msg, str) else up.send_bytes(msg))

        async def rasa_to_browser():
            async for msg in up:
                if msg.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    return
                await down.send(msg.data)

        tasks = {asyncio.ensure_future(browser_to_rasa()), asyncio.ensure_future(rasa_to_browser())}
        app.ctx.relayed.update(tasks)
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)   # a side closed: the end, not an error
            app.ctx.relayed.difference_update(tasks)
            await up.close()
            await down.close()
        return None                                   # the connection is a WebSocket now

    socket.is_websocket = True    # Sanic's mark: a handler may end without an HTTP response
    app.add_route(socket, SOCKET_PATH, methods=web.HTTP_METHODS, name="relais", strict_slashes=True)
    app.add_route(page, "/", methods=web.HTTP_METHODS, name="racine")
    app.add_route(page, "/<path:path>", methods=web.HTTP_METHODS, name="pages")
    return app


def serve(host: str, port: int, rasa_port: int = 5005, rasa_url: str | None = None) -> None:
    upstream = (rasa_url or settings.value(RASA_URL_ENV) or f"http://127.0.0.1:{rasa_port}").rstrip("/")
    extra = tuple(o.rstrip("/") for o in settings.items(ORIGINS_ENV))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    print(f"Web chat : http://localhost:{port}/ (socket.io relayé vers {upstream})", flush=True)
    web.serve(make_app(upstream, extra), host, port)
