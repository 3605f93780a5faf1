"""Static server of the web chat: index.html, app.js, style.css, the vendored socket.io client,
and ``/config.js`` telling the page where the Rasa server (socket.io channel) is.

Standard library only (``http.server``); the page itself talks to Rasa directly.
"""
from __future__ import annotations

import json
import os
import signal
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

STATIC = Path(__file__).resolve().parent / "static"
RASA_URL_ENV = "AIGUILLAGE_RASA_URL"

FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
    "/vendor/socket.io.min.js": ("../vendor/socket.io.min.js", "text/javascript; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}


def rasa_origin(host_header: str | None, rasa_port: int, rasa_url: str | None) -> str:
    """The Rasa server URL the page must use: the configured URL, else the page's host on `rasa_port`."""
    if rasa_url:
        return rasa_url.rstrip("/")
    host = (host_header or "localhost").strip()
    if host.startswith("["):  # IPv6 literal
        hostname = host[: host.index("]") + 1]
    else:
        hostname = host.rsplit(":", 1)[0] if ":" in host else host
    return f"http://{hostname}:{rasa_port}"


def config_js(origin: str) -> bytes:
    cfg = {"rasaUrl": origin, "socketPath": "/socket.io/"}
    return f"window.AIGUILLAGE_CONFIG = {json.dumps(cfg)};\n".encode()


def make_handler(rasa_port: int, rasa_url: str | None):
    class Handler(BaseHTTPRequestHandler):
        server_version = "AiguillageWebchat"
        sys_version = ""

        def log_message(self, fmt: str, *args) -> None:  # quieter: one line per request on stderr
            sys.stderr.write("webchat %s %s\n" % (self.address_string(), fmt % args))

        def _send(self, status: int, body: bytes, ctype: str, origin: str | None = None, cache: str = "no-cache") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", cache)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("X-Frame-Options", "DENY")
            if origin:
                ws = origin.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
                self.send_header(
                    "Content-Security-Policy",
                    f"default-src 'self'; connect-src 'self' {origin} {ws}; img-src 'self' data:; "
                    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                )
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET()

        def do_GET(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            origin = rasa_origin(self.headers.get("Host"), rasa_port, rasa_url or os.environ.get(RASA_URL_ENV) or None)
            if path == "/health":
                self._send(200, b'{"statut": "ok"}', "application/json")
            elif path == "/config.js":
                self._send(200, config_js(origin), "text/javascript; charset=utf-8")
            elif path in FILES:
                name, ctype = FILES[path]
                self._send(200, (STATIC / name).read_bytes(), ctype, origin=origin if name == "index.html" else None)
            else:
                self._send(404, "Page introuvable.".encode(), "text/plain; charset=utf-8")

        def do_POST(self) -> None:  # noqa: N802
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, "Méthode non autorisée.".encode(), "text/plain; charset=utf-8")

    return Handler


def serve(host: str, port: int, rasa_port: int = 5005, rasa_url: str | None = None) -> None:
    httpd = ThreadingHTTPServer((host, port), make_handler(rasa_port, rasa_url))
    httpd.daemon_threads = True

    def _stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    print(f"Web chat : http://localhost:{port}/ (Rasa : port {rasa_port})", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
