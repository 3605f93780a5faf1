"""The deployment's secrets: generated at first start into ``var/secrets.env`` (mode 600, outside
git), read by every process from its environment or, failing that, from that file.

| variable | use |
|---|---|
| ``AIGUILLAGE_RASA_TOKEN`` | Rasa's HTTP API (``--auth-token``; ``?token=`` on each call) |
| ``AIGUILLAGE_ACTION_SECRET`` | header ``X-Aiguillage-Secret`` from Rasa to the action server |
| ``AIGUILLAGE_CHANNEL_SECRET`` | header ``X-Aiguillage-Channel`` from our own processes (API gateway, mail channel) to Rasa's REST channel |
| ``AIGUILLAGE_ID_KEY`` | HMAC key of conversation ids (mail addresses, web chat sessions) |

A value set in the environment wins (production: a secrets manager); the file is the default
for ``make run`` and the tests.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from knowledge import settings

ROOT = Path(__file__).resolve().parent.parent
FILE_ENV = "AIGUILLAGE_SECRETS_FILE"
NAMES = ("AIGUILLAGE_RASA_TOKEN", "AIGUILLAGE_ACTION_SECRET", "AIGUILLAGE_CHANNEL_SECRET", "AIGUILLAGE_ID_KEY")
MIN_CHARS = 32
ACTION_HEADER = "X-Aiguillage-Secret"
CHANNEL_HEADER = "X-Aiguillage-Channel"


class SecretsError(RuntimeError):
    """A secret is missing or too short (French message)."""


def secrets_file(env: dict | None = None) -> Path:
    return settings.var_path(FILE_ENV, env)


def _read(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name in NAMES:
            values[name] = value.strip()
    return values


def ensure(path: Path | None = None) -> dict[str, str]:
    """The secrets of `path` (default var/secrets.env); missing ones are generated and written (0600)."""
    path = Path(path or secrets_file())
    path.parent.mkdir(parents=True, exist_ok=True)
    values = _read(path) if path.exists() else {}
    missing = [n for n in NAMES if len(values.get(n, "")) < MIN_CHARS]
    if missing:
        for n in missing:
            values[n] = secrets.token_urlsafe(32)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("# Aiguillage secrets, generated at first start. Keep out of git; mode 600.\n")
            f.write("".join(f"{n}={values[n]}\n" for n in NAMES))
        os.replace(tmp, path)
    os.chmod(path, 0o600)
    return {n: values[n] for n in NAMES}


def get(name: str, env: dict | None = None) -> str:
    """One secret: the environment's value, else the secrets file's (created if needed)."""
    value = settings.value(name, env)
    if not value:
        value = ensure(secrets_file(env))[name]
    if len(value) < MIN_CHARS:
        raise SecretsError(f"{name} doit comporter au moins {MIN_CHARS} caractères.")
    return value


def keyed_id(prefix: str, value: str, env: dict | None = None) -> str:
    """``prefix:`` + 32 hex of HMAC-SHA256(ID key, value): a stable id that reveals nothing."""
    mac = hmac.new(get("AIGUILLAGE_ID_KEY", env).encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"{prefix}:{mac[:32]}"


def same(given: str | None, name: str, env: dict | None = None) -> bool:
    """Constant-time comparison of a presented secret with the named one."""
    return bool(given) and hmac.compare_digest(given.encode(), get(name, env).encode())
