"""Fixtures shared by every test folder: the sample directory, the real model (trained once per
input hash) and the running stack (action server, Rasa REST + socket.io, web chat)."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bot.processes import ROOT, Ports, base_env, free_port, start_stack
from knowledge.directory import Directory


@pytest.fixture(scope="session")
def sample_directory_url(tmp_path_factory) -> str:
    """The shipped sample directory (knowledge/data/directory) loaded into a temporary SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('directory') / 'aiguillage.db'}"
    Directory(url).load()
    return url

BUILD = ROOT / ".build"
# Monday 23 November 2026, 10:00 in Paris: most services are open (tests of closed hours set their own).
FIXED_NOW = "2026-11-23T10:00:00+01:00"


def model_inputs() -> list[Path]:
    files = [ROOT / "config.yml", ROOT / "domain.yml"]
    files += sorted((ROOT / "nlu" / "data").glob("*.yml"))
    files += sorted((ROOT / "bot" / "data").glob("*.yml"))
    # nlu/*.py (deterministic extractors, not trained) is loaded at run time: no retraining needed.
    return files


def trained_model_path() -> Path:
    """Train the real model once per distinct set of inputs; reuse it across test runs."""
    digest = hashlib.sha256()
    for f in model_inputs():
        digest.update(f.relative_to(ROOT).as_posix().encode())
        digest.update(f.read_bytes())
    model = BUILD / f"model-{digest.hexdigest()[:16]}.tar.gz"
    if not model.exists():
        BUILD.mkdir(exist_ok=True)
        cmd = [
            sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain.yml",
            "--data", "nlu/data", "bot/data", "--out", str(BUILD), "--fixed-model-name", model.name[: -len(".tar.gz")],
        ]
        subprocess.run(cmd, cwd=ROOT, check=True, env=base_env(), stdout=subprocess.DEVNULL)
    return model


@pytest.fixture(scope="session")
def model() -> Path:
    """The trained model; `AIGUILLAGE_TEST_MODEL` (a model file) skips training on a busy machine."""
    given = os.environ.get("AIGUILLAGE_TEST_MODEL")
    return Path(given) if given else trained_model_path()


@pytest.fixture(scope="session")
def directory_url(sample_directory_url) -> str:
    """Directory and support requests of the end-to-end stack."""
    return sample_directory_url


class Bot:
    """A REST client of the running Rasa server."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"

    def send(self, sender: str, text: str) -> tuple[list[str], list[dict]]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            messages = json.load(r)
        texts = [m["text"] for m in messages if m.get("text")]
        customs = [m["custom"] for m in messages if m.get("custom")]
        return texts, customs

    def orientation(self, sender: str, text: str) -> tuple[str, dict | None]:
        texts, customs = self.send(sender, text)
        payloads = [c["orientation"] for c in customs if "orientation" in c]
        return "\n".join(texts), (payloads[-1] if payloads else None)


# API gateway clients of the shared stack, and console accounts (tests/security uses both).
STACK_API_TOKENS = {"portail": "portail-pile-0123456789abcdef", "telephonie": "telephonie-pile-fedcba9876543210"}
STACK_CONSOLE_USERS = {"pile-admin": "motdepasse-pile-admin", "pile-verrou": "motdepasse-pile-verrou",
                       "pile-revoque": "motdepasse-pile-revoque"}


@pytest.fixture(scope="session")
def stack(model, directory_url, tmp_path_factory):
    """Everything `make run` starts (actions, Rasa, web chat, console, API gateway), on free ports."""
    from knowledge.tickets import TicketStore

    logs = tmp_path_factory.mktemp("logs")
    tickets_db = directory_url
    store = TicketStore(tickets_db)
    for login, password in STACK_CONSOLE_USERS.items():
        if store.user(login) is None:
            store.create_user(login, password, "admin")
    store.dispose()
    env = base_env(
        db_url=tickets_db,
        tracker_db=str(tmp_path_factory.mktemp("trackers") / "trackers.db"),
        extra={"AIGUILLAGE_NOW": FIXED_NOW,
               "AIGUILLAGE_API_TOKENS": ",".join(f"{c}:{t}" for c, t in STACK_API_TOKENS.items()),
               "AIGUILLAGE_API_RATE_PER_MINUTE": "1000"},
    )
    ports = Ports(rasa=free_port(), actions=free_port(), webchat=free_port(), console=free_port(), api=free_port())
    s = start_stack(model, ports=ports, env=env, logs=logs, console=True, api=True)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def bot(stack) -> Bot:
    return Bot(stack.ports.rasa)
