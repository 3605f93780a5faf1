"""Local protocol peers shared by the test folders."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

from bot.processes import free_port


@dataclass
class RasaPeer:
    """A Rasa REST webhook peer: answers `answers` with `status`, records (path, body) pairs."""

    port: int
    answers: list = field(default_factory=list)
    status: int = 200
    requests: list = field(default_factory=list)
    headers: list = field(default_factory=list)       # request headers, same order as `requests`

    @property
    def received(self) -> list:
        """The JSON bodies received, oldest first."""
        return [body for _, body in self.requests]


@contextmanager
def rasa_peer_running(answers: list | None = None) -> Iterator[RasaPeer]:
    peer = RasaPeer(port=free_port(), answers=list(answers or []))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            peer.requests.append((self.path, body))
            peer.headers.append(dict(self.headers.items()))
            data = json.dumps(peer.answers).encode()
            self.send_response(peer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", peer.port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
