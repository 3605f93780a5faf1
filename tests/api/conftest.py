"""API gateway fixtures: real gateway processes on free ports over a real SQLite directory,
and a small Rasa REST peer for the conversation proxy's error paths."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.processes import ROOT, base_env, free_port
from tests.conftest import FIXED_NOW
from tests.peers import rasa_peer_running

TOKENS = {"portail": "portail-jeton-0123456789abcdef", "telephonie": "telephonie-jeton-fedcba9876543210"}
ORIGIN = "https://portail.exemple.fr"



@dataclass
class Reply:
    status: int
    headers: dict
    body: object
    raw: bytes = b""


@dataclass
class Gateway:
    url: str
    proc: subprocess.Popen
    log: Path

    def request(self, method: str, path: str, body=None, token: str | None = "portail", headers: dict | None = None,
                raw: bytes | None = None) -> Reply:
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {TOKENS.get(token, token)}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, h, payload = r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            status, h, payload = e.code, dict(e.headers), e.read()
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = None
        return Reply(status, {k.lower(): v for k, v in h.items()}, parsed, payload)


def start_gateway(tmp: Path, env_extra: dict, directory_url: str) -> Gateway:
    port = free_port()
    env = base_env(db_url=directory_url, extra={
        "AIGUILLAGE_NOW": FIXED_NOW,
        "AIGUILLAGE_API_TOKENS": ",".join(f"{c}:{t}" for c, t in TOKENS.items()),
        "AIGUILLAGE_API_CORS_ORIGINS": ORIGIN,
        **env_extra,
    })
    log = tmp / f"api-{port}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.api", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"la passerelle s'est arrêtée :\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=2):
                return Gateway(url, proc, log)
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise TimeoutError("la passerelle ne répond pas")


def stop(gw: Gateway) -> None:
    gw.proc.terminate()
    try:
        gw.proc.wait(10)
    except subprocess.TimeoutExpired:
        gw.proc.kill()


@pytest.fixture(scope="session")
def rasa_peer():
    with rasa_peer_running([{"recipient_id": "x", "text": "Bonjour, décrivez la situation."}]) as peer:
        yield peer


@pytest.fixture(scope="session")
def gateway(tmp_path_factory, directory_url, rasa_peer):
    gw = start_gateway(tmp_path_factory.mktemp("api"), {
        "AIGUILLAGE_API_RATE_PER_MINUTE": "1000",
        "AIGUILLAGE_RASA_URL": f"http://127.0.0.1:{rasa_peer.port}",
    }, directory_url)
    yield gw
    stop(gw)


@pytest.fixture(scope="session")
def slow_gateway(tmp_path_factory, directory_url):
    """A gateway with a small rate (6 per minute) and body limit (1 kB); Rasa is down (closed port)."""
    gw = start_gateway(tmp_path_factory.mktemp("api-slow"), {
        "AIGUILLAGE_API_RATE_PER_MINUTE": "6",
        "AIGUILLAGE_API_MAX_BODY": "1024",
        "AIGUILLAGE_RASA_URL": f"http://127.0.0.1:{free_port()}",
    }, directory_url)
    yield gw
    stop(gw)


@pytest.fixture(scope="session")
def real_gateway(tmp_path_factory, directory_url, stack):
    """A gateway in front of the real Rasa server of the e2e stack."""
    gw = start_gateway(tmp_path_factory.mktemp("api-real"), {
        "AIGUILLAGE_API_RATE_PER_MINUTE": "1000",
        "AIGUILLAGE_RASA_URL": f"http://127.0.0.1:{stack.ports.rasa}",
    }, directory_url)
    yield gw
    stop(gw)
