"""Helpers of the attack suite: raw HTTP calls, the Rasa REST channel, authenticated tracker reads,
listening sockets read from /proc/net/tcp{,6}. The target is the shared running stack
(tests/conftest.py `stack`: actions, Rasa, web chat, console, API gateway)."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.processes import rasa_api

EVIL = "http://evil.example"


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(method: str, url: str, body=None, headers: dict | None = None, raw: bytes | None = None,
         timeout: float = 60) -> Reply:
    hdrs = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with OPENER.open(req, timeout=timeout) as r:
            return Reply(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def rest(stack, sender: str, message: str, headers: dict | None = None, **extra) -> Reply:
    return http("POST", f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook",
                {"sender": sender, "message": message, **extra}, headers=headers)


def tracker(stack, sender: str) -> dict:
    r = http("GET", rasa_api(stack, f"/conversations/{urllib.parse.quote(sender, safe=':@')}/tracker"))
    assert r.status == 200, r.body[:300]
    return r.json()


def user_events(tr: dict) -> list[dict]:
    return [e for e in tr["events"] if e["event"] == "user"]


def _decode(hex_ip: str) -> str:
    b = bytes.fromhex(hex_ip)
    if len(b) == 4:
        return socket.inet_ntop(socket.AF_INET, b[::-1])
    return socket.inet_ntop(socket.AF_INET6, b"".join(b[i:i + 4][::-1] for i in range(0, 16, 4)))


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket in LISTEN state on `port` (this network namespace)."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(name)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            parts = line.split()
            ip, _, p = parts[1].partition(":")
            if parts[3] == "0A" and int(p, 16) == port:
                found.add(_decode(ip))
    return found


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback, if any (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") or ip == "0.0.0.0" else ip


@pytest.fixture(scope="session")
def api_url(stack) -> str:
    return f"http://127.0.0.1:{stack.ports.api}"
