"""knowledge/settings.py: every AIGUILLAGE_* variable declared once, typed, documented in the README."""
import re
import subprocess
from pathlib import Path

import pytest

from knowledge import settings
from knowledge.settings import SettingsError

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"AIGUILLAGE_[A-Z0-9_]+")
CODE = re.compile(r"\.(py|ya?ml|sh|cfg|conf|ini|toml|js|html|service)$|(^|/)(Makefile|Dockerfile|run)$")


def _code_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    return [ROOT / f for f in out if CODE.search(f) and not f.startswith("tests/heldout/") and (ROOT / f).is_file()]


def _names_in_code() -> dict[str, str]:
    found = {}
    for f in _code_files():
        for name in NAME.findall(f.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(name, str(f.relative_to(ROOT)))
    return found


def test_every_name_in_the_code_is_declared():
    found = _names_in_code()
    assert "AIGUILLAGE_DB_URL" in found and len(found) > 40
    undeclared = {}
    for name, where in found.items():
        if name in settings.SETTINGS or name in settings.NOT_SETTINGS:
            continue
        if name.endswith("_") and name in settings.PREFIXES:
            continue
        undeclared[name] = where
    assert not undeclared, f"declare these in knowledge/settings.py: {undeclared}"


def test_every_declared_setting_is_used_and_every_prefix_has_settings():
    found = _names_in_code()
    # the mail channel builds its names from a prefix (PREFIX + "IMAP_HOST")
    built = {n for n in settings.SETTINGS if n.startswith("AIGUILLAGE_MAIL_")}
    unused = [n for n in settings.SETTINGS if n not in found and n not in built]
    assert not unused, f"declared but read nowhere: {unused}"
    for prefix in settings.PREFIXES:
        assert any(n.startswith(prefix) for n in settings.SETTINGS), prefix


def test_each_setting_is_fully_described():
    for s in settings.SETTINGS.values():
        assert s.kind in ("texte", "entier", "décimal", "booléen", "liste", "chemin", "url", "secret"), s.name
        assert s.fr and s.en and s.readers, s.name
        if s.default and s.kind == "entier":
            int(s.default)
        if s.default and s.kind == "booléen":
            assert s.default in settings.TRUE + settings.FALSE, s.name


def test_the_readme_table_is_the_declared_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings.readme_table() in readme, "regenerate it: python -m knowledge.settings"
    for name in settings.SETTINGS:
        assert f"| `{name}` |" in readme


def test_values_are_read_at_call_time(monkeypatch):
    monkeypatch.delenv("AIGUILLAGE_NOW", raising=False)
    assert settings.value("AIGUILLAGE_NOW") is None
    monkeypatch.setenv("AIGUILLAGE_NOW", " 2026-11-23T10:00:00+01:00 ")
    assert settings.value("AIGUILLAGE_NOW") == "2026-11-23T10:00:00+01:00"
    monkeypatch.setenv("AIGUILLAGE_DB_URL", "sqlite:///x.db")
    assert settings.database_url() == "sqlite:///x.db"


def test_typed_readers_defaults_and_errors():
    env = {"AIGUILLAGE_SMTP_PORT": "587", "AIGUILLAGE_SMTP_STARTTLS": "Oui", "AIGUILLAGE_MAIL_ALLOWED_DOMAINS": " a.fr, ,b.fr"}
    assert settings.integer("AIGUILLAGE_SMTP_PORT", env) == 587
    assert settings.integer("AIGUILLAGE_SMTP_PORT", {}) == 25
    assert settings.flag("AIGUILLAGE_SMTP_STARTTLS", env) is True
    assert settings.flag("AIGUILLAGE_SMTP_STARTTLS", {}) is False
    assert settings.flag("AIGUILLAGE_CONSOLE_SECURE_COOKIE", {}) is None
    assert settings.items("AIGUILLAGE_MAIL_ALLOWED_DOMAINS", env) == ("a.fr", "b.fr")
    assert settings.number("AIGUILLAGE_REPLY_BUDGET", {}) == 4.0
    with pytest.raises(SettingsError, match="AIGUILLAGE_SMTP_PORT doit être un nombre entier"):
        settings.integer("AIGUILLAGE_SMTP_PORT", {"AIGUILLAGE_SMTP_PORT": "vingt-cinq"})
    with pytest.raises(SettingsError, match="doit valoir 1 ou 0"):
        settings.flag("AIGUILLAGE_SQLITE_WAL", {"AIGUILLAGE_SQLITE_WAL": "peut-être"})
    with pytest.raises(SettingsError, match="n'est pas un réglage déclaré"):
        settings.value("AIGUILLAGE_" + "INCONNU", {})


def test_tracker_database_url():
    assert settings.tracker_database_url({"AIGUILLAGE_TRACKER_URL": "postgresql://a/b"}) == "postgresql://a/b"
    pg = {"AIGUILLAGE_PG_HOST": "db", "AIGUILLAGE_PG_USER": "u", "AIGUILLAGE_PG_PASSWORD": "p@ss"}
    assert settings.tracker_database_url(pg) == "postgresql://u:p%40ss@db:5432/rasa"
    assert settings.tracker_database_url({"AIGUILLAGE_TRACKER_DB": "/tmp/t.db"}) == "sqlite:////tmp/t.db"
    assert settings.tracker_database_url({}).endswith("/var/trackers.db")


def test_retention_days_must_be_at_least_one():
    with pytest.raises(SettingsError, match="au moins 1 jour"):
        settings.days("AIGUILLAGE_JOURNAL_JOURS", {"AIGUILLAGE_JOURNAL_JOURS": "0"})
    assert settings.days("AIGUILLAGE_JOURNAL_JOURS", {}) == 400
