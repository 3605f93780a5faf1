"""Settings read from the environment (database URL) and project paths."""
from __future__ import annotations

import os
from pathlib import Path

DB_URL_ENV = "AIGUILLAGE_DB_URL"


def project_root() -> Path:
    """The project directory (the one holding ``knowledge/``)."""
    return Path(__file__).resolve().parent.parent


def directory_data_dir() -> Path:
    """Folder of the resource directory YAML files."""
    return project_root() / "knowledge" / "data" / "directory"


def database_url() -> str:
    """``$AIGUILLAGE_DB_URL``, else a SQLite file ``<project>/var/aiguillage.db`` (``var/`` is created)."""
    url = os.environ.get(DB_URL_ENV, "").strip()
    if url:
        return url
    var = project_root() / "var"
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'aiguillage.db'}"


# --- retention (docs/privacy.md) -----------------------------------------------------------
TRACKER_RETENTION_ENV = "AIGUILLAGE_RETENTION_CONVERSATIONS_JOURS"
TICKET_RETENTION_ENV = "AIGUILLAGE_RETENTION_DEMANDES_JOURS"
TRACKER_RETENTION_DAYS = 90      # conversations: deleted 90 days after their last event
TICKET_RETENTION_DAYS = 365      # requests: free text and contacts purged 1 year after closure


def _days(env: str, default: int) -> int:
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{env} doit être un nombre de jours (reçu : {raw!r})") from None
    if value < 1:
        raise ValueError(f"{env} doit être au moins 1 (reçu : {value})")
    return value


def tracker_retention_days() -> int:
    """Days a conversation is kept after its last event (``$AIGUILLAGE_RETENTION_CONVERSATIONS_JOURS``)."""
    return _days(TRACKER_RETENTION_ENV, TRACKER_RETENTION_DAYS)


def ticket_retention_days() -> int:
    """Days a closed request keeps its free text (``$AIGUILLAGE_RETENTION_DEMANDES_JOURS``)."""
    return _days(TICKET_RETENTION_ENV, TICKET_RETENTION_DAYS)


def tracker_database_url() -> str:
    """The Rasa tracker store's database, as bot/endpoints*.yml configure it.

    ``$AIGUILLAGE_TRACKER_URL`` if set; else PostgreSQL from ``$AIGUILLAGE_PG_*`` (production
    endpoints); else the SQLite file ``$AIGUILLAGE_TRACKER_DB`` (default ``var/trackers.db``).
    """
    url = os.environ.get("AIGUILLAGE_TRACKER_URL", "").strip()
    if url:
        return url
    host = os.environ.get("AIGUILLAGE_PG_HOST", "").strip()
    if host:
        from urllib.parse import quote
        user = quote(os.environ.get("AIGUILLAGE_PG_USER", ""), safe="")
        pw = quote(os.environ.get("AIGUILLAGE_PG_PASSWORD", ""), safe="")
        auth = f"{user}:{pw}@" if pw else (f"{user}@" if user else "")
        port = os.environ.get("AIGUILLAGE_PG_PORT", "5432")
        return f"postgresql://{auth}{host}:{port}/{os.environ.get('AIGUILLAGE_PG_DB', 'rasa')}"
    path = os.environ.get("AIGUILLAGE_TRACKER_DB", "").strip() or str(project_root() / "var" / "trackers.db")
    return f"sqlite:///{path}"
