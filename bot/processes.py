"""Start and stop Aiguillage's processes (action server, Rasa server, web chat, console).

Used by `python -m bot.run` (the `make run` target), the end-to-end tests and the benchmark,
so that all three start the system the same way.

Rasa, the action server and the console listen on 127.0.0.1 only; the public paths (web chat
page with its socket.io relay, API gateway) on ``AIGUILLAGE_PUBLIC_HOST`` (default 0.0.0.0).
The secrets (bot/keys.py) are generated at first start into var/secrets.env (mode 600) and
passed to every process in its environment.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot import keys
from knowledge import settings

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Ports:
    rasa: int = 5005
    actions: int = 5055
    webchat: int = 8080
    console: int = 5080
    api: int = 5010


@dataclass
class Stack:
    """The running processes and their environment."""

    ports: Ports
    env: dict
    logs: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    args: dict[str, list[str]] = field(default_factory=dict)

    def start(self, name: str, args: list[str]) -> None:
        self.args[name] = list(args)
        out = open(self.logs / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 15
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    def signal(self, name: str, sig: int) -> None:
        """Send `sig` to one process group (fault injection: SIGKILL, SIGSTOP, SIGCONT)."""
        try:
            os.killpg(self.procs[name].pid, sig)
        except ProcessLookupError:
            pass

    def restart(self, name: str) -> None:
        """Start `name` again with its first arguments (after it was killed)."""
        old = self.procs[name]
        if old.poll() is None:
            self.signal(name, signal.SIGKILL)
        old.wait()
        self.start(name, self.args[name])

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} s'est arrêté (code {proc.returncode}) :\n{tail}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rasa_api(stack: "Stack", path: str) -> str:
    """URL of an authenticated call to Rasa's HTTP API (``?token=``)."""
    sep = "&" if "?" in path else "?"
    return f"http://127.0.0.1:{stack.ports.rasa}{path}{sep}token={stack.env['AIGUILLAGE_RASA_TOKEN']}"


def wait_http(url: str, stack: Stack, timeout: float = 480.0) -> None:
    """Wait until `url` answers 200, failing early if a process died."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        stack.check_alive()
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} ne répond pas après {timeout:.0f} s")


def warm_rasa(port: int, token: str) -> None:
    """One NLU parse (no conversation is created) so that the first user does not pay for the
    model's first prediction; failures are ignored (the server is already up)."""
    body = json.dumps({"text": "dame 87 ans seule à Bourges, chutes, refuse les aides"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/model/parse?token={token}", data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=60).read()
    except OSError:
        pass


def base_env(db_url: str | None = None, tracker_db: str | None = None, extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    if db_url:
        env["AIGUILLAGE_DB_URL"] = db_url
    env["AIGUILLAGE_TRACKER_DB"] = tracker_db or env.get("AIGUILLAGE_TRACKER_DB", str(ROOT / "var" / "trackers.db"))
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Sanic (Rasa, action server) closes a connection that sends no request within its keep-alive
    # timeout, 5 s by default: a busy Rasa that connected to the action server then waited its turn
    # on the event loop lost the action ("Cannot write to closing transport", docs/performance.md).
    env.setdefault("SANIC_KEEP_ALIVE_TIMEOUT", "60")
    env.update(extra or {})
    for name, value in keys.ensure(keys.secrets_file(env)).items():
        if not env.get(name):
            env[name] = value
    return env


def start_stack(
    model: Path,
    ports: Ports | None = None,
    env: dict | None = None,
    logs: Path | None = None,
    endpoints: Path | None = None,
    webchat: bool = True,
    console: bool = True,
    api: bool = False,
) -> Stack:
    """Start the action server and the Rasa server (REST + socket.io), then the web pages.

    The API gateway starts with `api=True`; the MSSanté mail channel starts whenever a mailbox is
    configured (`AIGUILLAGE_MAIL_IMAP_HOST`, docs/mail-channel.md).
    """
    ports = ports or Ports()
    env = dict(env or base_env())
    for name, value in keys.ensure(keys.secrets_file(env)).items():
        env.setdefault(name, value)
    public = settings.text("AIGUILLAGE_PUBLIC_HOST", env)
    env["AIGUILLAGE_ACTION_URL"] = f"http://127.0.0.1:{ports.actions}/webhook"
    env["AIGUILLAGE_RASA_URL"] = f"http://127.0.0.1:{ports.rasa}"
    logs = logs or ROOT / "var" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stack = Stack(ports=ports, env=env, logs=logs)
    try:
        stack.start("actions", [PYTHON, "-m", "bot.actionserver", "--host", "127.0.0.1", "--port", str(ports.actions)])
        # HTTP API on, behind the token (tests and local tools read trackers); no CORS; loopback.
        stack.start(
            "rasa",
            [
                PYTHON, "-m", "bot.rasaserver", "--model", str(model), "--enable-api", "--interface", "127.0.0.1",
                "--port", str(ports.rasa), "--credentials", str(ROOT / "bot" / "credentials.yml"),
                "--endpoints", str(endpoints or ROOT / "bot" / "endpoints.yml"),
            ],
        )
        if webchat:
            stack.start("webchat", [PYTHON, "-m", "bot.webchat", "--host", public, "--port", str(ports.webchat),
                                    "--rasa-port", str(ports.rasa)])
        if console:
            stack.start("console", [PYTHON, "-m", "bot.console", "serve", "--host", env.get("AIGUILLAGE_CONSOLE_HOST") or "127.0.0.1", "--port", str(ports.console)])
        if api:
            stack.start("api", [PYTHON, "-m", "bot.api", "--host", public, "--port", str(ports.api)])
        if env.get("AIGUILLAGE_MAIL_IMAP_HOST"):
            stack.start("mss", [PYTHON, "-m", "bot.channels.mss"])
        wait_http(f"http://127.0.0.1:{ports.actions}/health", stack)
        wait_http(rasa_api(stack, "/status"), stack)
        warm_rasa(ports.rasa, stack.env["AIGUILLAGE_RASA_TOKEN"])
        if api:
            wait_http(f"http://127.0.0.1:{ports.api}/api/v1/health", stack)
        if console:
            wait_http(f"http://127.0.0.1:{ports.console}/sante", stack)
    except BaseException:
        stack.stop()
        raise
    return stack
