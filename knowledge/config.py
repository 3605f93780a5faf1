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
