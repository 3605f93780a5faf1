"""The web chat's one public origin: the page (index.html, app.js, style.css, the vendored
socket.io client, ``/config.js``) and ``/socket.io/`` proxied to Rasa's socket.io channel on
loopback (HTTP long-polling and WebSocket).

The page uses relative URLs, so it works under any host name; Rasa itself never faces the
network. The proxy refuses a cross-site ``Origin`` (another site's page opening a socket in the
user's name) and forwards neither cookies nor the origin. Only for an origin configured in
``AIGUILLAGE_WEBCHAT_ORIGINS`` (a site embedding a standard widget such as rasa-webchat) does it
answer the long-polling requests with ``Access-Control-Allow-Origin: <that origin>`` (never ``*``,
never credentials); otherwise no CORS header.

aiohttp (a Rasa dependency) serves the page and carries both transports.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from knowledge import settings

STATIC = Path(__file__).resolve().parent / "static"
RASA_URL_ENV = "AIGUILLAGE_RASA_URL"
ORIGINS_ENV = "AIGUILLAGE_WEBCHAT_ORIGINS"    # extra allowed origins ("https://chat.exemple.fr,…")
SOCKET_PATH = "/socket.io/"
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


def security_headers(resp: web.StreamResponse) -> None:
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["X-Frame-Options"] = "DENY"


def _text(status: int, text: str) -> web.Response:
    resp = web.Response(status=status, text=text, content_type="text/plain", charset="utf-8")
    security_headers(resp)
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def make_app(rasa_url: str, extra_origins: tuple[str, ...] = ()) -> web.Application:
    upstream = rasa_url.rstrip("/")
    app = web.Application(client_max_size=1024 * 1024)

    async def on_startup(app):
        app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90), auto_decompress=False)

    async def on_cleanup(app):
        await app["http"].close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)

    async def page(request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/health":
            resp = web.Response(body=b'{"statut": "ok"}', content_type="application/json")
        elif path == "/config.js":
            resp = web.Response(body=config_js(), content_type="text/javascript", charset="utf-8")
        elif path in FILES:
            name, ctype = FILES[path]
            mime, _, cs = ctype.partition("; charset=")
            resp = web.Response(body=(STATIC / name).read_bytes(), content_type=mime, charset=cs or None)
            if name == "index.html":
                resp.headers["Content-Security-Policy"] = csp(request.headers.get("Host"))
        else:
            return _text(404, "Page introuvable.")
        security_headers(resp)
        resp.headers["Cache-Control"] = "no-cache"
        return resp

    async def not_allowed(request: web.Request) -> web.StreamResponse:
        return _text(405, "Méthode non autorisée.")

    async def socket(request: web.Request) -> web.StreamResponse:
        if not origin_allowed(request.headers.get("Origin"), request.headers.get("Host"), extra_origins):
            logger.warning("socket.io : origine refusée %s", request.headers.get("Origin"))
            return _text(403, "Origine non autorisée.")
        target = f"{upstream}{SOCKET_PATH}"
        if request.query_string:
            target += "?" + request.query_string
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await _websocket(request, target.replace("http", "ws", 1))
        headers = {h: request.headers[h] for h in FORWARDED_REQUEST_HEADERS if h in request.headers}
        headers["Accept-Encoding"] = "identity"
        body = await request.read()
        try:
            async with app["http"].request(request.method, target, data=body or None, headers=headers) as up:
                data = await up.read()
                resp = web.Response(status=up.status, body=data)
                for k, v in up.headers.items():
                    if k.lower() not in HOP and not k.lower().startswith("access-control-"):
                        resp.headers[k] = v
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return _text(502, "Assistant injoignable.")
        security_headers(resp)
        resp.headers["Cache-Control"] = "no-store"
        origin = (request.headers.get("Origin") or "").rstrip("/")
        if origin and origin in extra_origins:          # a configured site embedding a widget
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Vary"] = "Origin"
        return resp

    async def _websocket(request: web.Request, target: str) -> web.StreamResponse:
        try:
            up = await app["http"].ws_connect(target, autoping=False, max_msg_size=0, timeout=30)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return _text(502, "Assistant injoignable.")
        down = web.WebSocketResponse(autoping=False, max_msg_size=0)
        await down.prepare(request)

        async def pump(src, dst):
            async for msg in src:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    await dst.send_str(msg.data)
                elif msg.type == aiohttp.WSMsgType.BINARY:
                    await dst.send_bytes(msg.data)
                elif msg.type == aiohttp.WSMsgType.PING:
                    await dst.ping(msg.data)
                elif msg.type == aiohttp.WSMsgType.PONG:
                    await dst.pong(msg.data)
                else:
                    break

        tasks = [asyncio.ensure_future(pump(down, up)), asyncio.ensure_future(pump(up, down))]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for t in tasks:
                t.cancel()
            await up.close()
            await down.close()
        return down

    app.router.add_route("*", "/socket.io/", socket)
    app.router.add_get("/{tail:.*}", page)
    app.router.add_route("*", "/{tail:.*}", not_allowed)
    return app


def serve(host: str, port: int, rasa_port: int = 5005, rasa_url: str | None = None) -> None:
    upstream = (rasa_url or settings.value(RASA_URL_ENV) or f"http://127.0.0.1:{rasa_port}").rstrip("/")
    extra = tuple(o.rstrip("/") for o in settings.items(ORIGINS_ENV))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    print(f"Web chat : http://localhost:{port}/ (socket.io relayé vers {upstream})", flush=True)
    web.run_app(make_app(upstream, extra), host=host, port=port, print=None, access_log=None,
                shutdown_timeout=5)
    sys.stdout.flush()
