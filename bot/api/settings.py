"""Settings of the API gateway, read from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

TOKENS_ENV = "AIGUILLAGE_API_TOKENS"            # "client:token,client2:token2"
CORS_ENV = "AIGUILLAGE_API_CORS_ORIGINS"        # "https://portail.example.fr,https://…"
RATE_ENV = "AIGUILLAGE_API_RATE_PER_MINUTE"     # requests per minute and per client
MAX_BODY_ENV = "AIGUILLAGE_API_MAX_BODY"        # bytes
RASA_URL_ENV = "AIGUILLAGE_RASA_URL"            # the Rasa server (REST channel)

MIN_TOKEN_CHARS = 16


class SettingsError(ValueError):
    """A setting has an invalid value (message in French)."""


def parse_tokens(spec: str) -> dict[str, str]:
    """``"client:token,…"`` → {token: client}. Tokens must be at least 16 characters and unique."""
    tokens: dict[str, str] = {}
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        client, sep, token = item.partition(":")
        client, token = client.strip(), token.strip()
        if not sep or not client or not token:
            raise SettingsError(f"{TOKENS_ENV} : entrée « {client or item[:20]} » invalide (attendu client:jeton).")
        if len(token) < MIN_TOKEN_CHARS:
            raise SettingsError(f"{TOKENS_ENV} : le jeton du client « {client} » doit comporter au moins {MIN_TOKEN_CHARS} caractères.")
        if token in tokens:
            raise SettingsError(f"{TOKENS_ENV} : deux clients partagent le même jeton.")
        tokens[token] = client
    return tokens


def parse_origins(spec: str) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in (spec or "").split(",") if o.strip())


@dataclass
class Settings:
    tokens: dict[str, str] = field(default_factory=dict)   # token -> client name
    cors_origins: tuple[str, ...] = ()
    rate_per_minute: int = 60
    max_body: int = 16 * 1024
    rasa_url: str = "http://127.0.0.1:5005"

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = os.environ if env is None else env
        try:
            rate = int(env.get(RATE_ENV, "60"))
            max_body = int(env.get(MAX_BODY_ENV, str(16 * 1024)))
        except ValueError as exc:
            raise SettingsError(f"{RATE_ENV} et {MAX_BODY_ENV} doivent être des entiers.") from exc
        if rate < 1 or max_body < 256:
            raise SettingsError(f"{RATE_ENV} doit être ≥ 1 et {MAX_BODY_ENV} ≥ 256.")
        return cls(
            tokens=parse_tokens(env.get(TOKENS_ENV, "")),
            cors_origins=parse_origins(env.get(CORS_ENV, "")),
            rate_per_minute=rate,
            max_body=max_body,
            rasa_url=(env.get(RASA_URL_ENV) or "http://127.0.0.1:5005").rstrip("/"),
        )
