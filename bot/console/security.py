"""Signed session cookies, CSRF tokens and the console secret."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from knowledge import settings

COOKIE = "aiguillage_session"
SESSION_SECONDS = 10 * 3600          # a working day
SECRET_ENV = "AIGUILLAGE_CONSOLE_SECRET"


def load_secret(var_dir: Path | None = None) -> bytes:
    """$AIGUILLAGE_CONSOLE_SECRET, else var/console-secret (created with 32 random bytes, mode 0600)."""
    env = settings.value(SECRET_ENV) or ""
    if env:
        if len(env) < 32:
            raise ValueError(f"{SECRET_ENV} doit comporter au moins 32 caractères.")
        return env.encode()
    if var_dir is None:
        var_dir = settings.project_root() / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "console-secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, payload: dict) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    mac = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(secret: bytes, value: str | None) -> dict | None:
    """The payload when the signature is valid and the session not expired, else None."""
    if not value or "." not in value:
        return None
    body, mac = value.rsplit(".", 1)
    expected = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(mac)):
            return None
        payload = json.loads(_unb64(body))
    except (ValueError, json.JSONDecodeError):
        return None
    if not isinstance(payload, dict) or payload.get("e", 0) < time.time():
        return None
    return payload


def new_session(login: str | None) -> dict:
    return {"u": login, "c": secrets.token_urlsafe(24), "e": int(time.time()) + SESSION_SECONDS}


def csrf_ok(session: dict | None, token: str | None) -> bool:
    return bool(session and token and hmac.compare_digest(str(session.get("c", "")), token))


def cookie_header(value: str, secure: bool, max_age: int = SESSION_SECONDS) -> str:
    parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Strict", f"Max-Age={max_age}"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
