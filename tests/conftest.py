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


@pytest.fixture(scope="session")
def stack(model, directory_url, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    tickets_db = directory_url
    env = base_env(
        db_url=tickets_db,
        tracker_db=str(tmp_path_factory.mktemp("trackers") / "trackers.db"),
        extra={"AIGUILLAGE_NOW": FIXED_NOW},
    )
    ports = Ports(rasa=free_port(), actions=free_port(), webchat=free_port(), console=free_port())
    s = start_stack(model, ports=ports, env=env, logs=logs, console=False)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def bot(stack) -> Bot:
    return Bot(stack.ports.rasa)
