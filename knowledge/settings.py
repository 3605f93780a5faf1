"""Every setting of Aiguillage read from the environment, in one place (README, « Configuration »).

Each variable is declared once below (`SETTINGS`): name, type, default, a French and an English
description and the processes that read it. Values are read at call time (``monkeypatch.setenv``
works), through the typed readers `value`, `text`, `integer`, `number`, `flag`, `items`; each
takes an optional mapping instead of ``os.environ`` (tests, child-process environments). An
invalid value raises `SettingsError` (French message naming the variable).

The README table is generated from `SETTINGS` (`python -m knowledge.settings`), and
tests/knowledge/test_settings.py checks that every ``AIGUILLAGE_*`` name in the code is declared here
and listed there.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import quote

TRUE = ("1", "true", "oui", "yes", "on")
FALSE = ("0", "false", "non", "no", "off")


class SettingsError(ValueError):
    """A setting has an invalid value (message in French)."""


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str                      # "texte", "entier", "décimal", "booléen", "liste", "chemin", "url", "secret"
    default: str | None            # as written in the environment; None: unset (see `fr`)
    fr: str                        # French description (README table)
    en: str                        # English description
    readers: tuple[str, ...]       # processes that read it


# Processes: rasa (Rasa server), actions (action server), api (API gateway), console, webchat,
# mail (MSSanté channel), run (bot.run / bot.processes, the launcher), cli (knowledge command
# lines: directory, retention, reports), tests, bench (scripts/).
_ALL = ("rasa", "actions", "api", "console", "webchat", "mail", "run", "cli")
_DECLARED = (
    # --- data -------------------------------------------------------------------------------
    Setting("AIGUILLAGE_DB_URL", "url", None, "base de l'annuaire, des demandes d'appui et du journal (SQLAlchemy) ; défaut `sqlite:///var/aiguillage.db`",
            "directory, support requests and activity log database", ("actions", "api", "console", "cli", "run")),
    Setting("AIGUILLAGE_TRACKER_URL", "url", None, "base des conversations Rasa (prioritaire sur les deux suivantes)",
            "Rasa tracker database URL (wins over the next two)", ("cli",)),
    Setting("AIGUILLAGE_TRACKER_DB", "chemin", "var/trackers.db", "fichier SQLite des conversations Rasa (textes masqués)",
            "SQLite file of the Rasa trackers", ("rasa", "cli", "run")),
    Setting("AIGUILLAGE_PG_HOST", "texte", None, "PostgreSQL des conversations (production, `bot/endpoints.prod.yml`)",
            "PostgreSQL host of the trackers (production endpoints)", ("rasa", "cli")),
    Setting("AIGUILLAGE_PG_PORT", "entier", "5432", "port PostgreSQL des conversations", "PostgreSQL port", ("rasa", "cli")),
    Setting("AIGUILLAGE_PG_DB", "texte", "rasa", "base PostgreSQL des conversations", "PostgreSQL database", ("rasa", "cli")),
    Setting("AIGUILLAGE_PG_USER", "texte", None, "utilisateur PostgreSQL des conversations", "PostgreSQL user", ("rasa", "cli")),
    Setting("AIGUILLAGE_PG_PASSWORD", "secret", None, "mot de passe PostgreSQL des conversations", "PostgreSQL password", ("rasa", "cli")),
    Setting("AIGUILLAGE_PG_SCHEMA", "texte", None, "schéma PostgreSQL de la table `events` (défaut : search_path)",
            "PostgreSQL schema of the tracker events table", ("rasa",)),
    Setting("AIGUILLAGE_REDIS_HOST", "texte", None, "Redis des verrous de conversation (production)", "Redis host of the lock store", ("rasa",)),
    Setting("AIGUILLAGE_REDIS_PORT", "entier", None, "port Redis", "Redis port", ("rasa",)),
    Setting("AIGUILLAGE_REDIS_DB", "entier", None, "base Redis", "Redis database number", ("rasa",)),
    Setting("AIGUILLAGE_SQLITE_POOL", "booléen", "1", "connexions SQLite des conversations gardées ouvertes entre les tours (`0` : une par session, comme SQLAlchemy 1.4)",
            "SQLite tracker store connections kept open between turns", ("rasa",)),
    Setting("AIGUILLAGE_SQLITE_WAL", "booléen", "1", "journal WAL des conversations SQLite (`0` : journal d'origine)",
            "WAL journal for the SQLite tracker store", ("rasa",)),
    Setting("AIGUILLAGE_STORE_KEY", "secret", None, "clé Fernet des coordonnées du demandeur pendant le formulaire ; défaut : fichier `var/store.key` (600)",
            "Fernet key of the requester's contact slots", ("rasa",)),
    Setting("AIGUILLAGE_STORE_KEY_FILE", "chemin", "var/store.key", "fichier de cette clé quand elle n'est pas dans l'environnement",
            "file of that key", ("rasa",)),
    # --- privacy and retention --------------------------------------------------------------
    Setting("AIGUILLAGE_RETENTION_CONVERSATIONS_JOURS", "entier", "90", "conservation des conversations après le dernier message (jours)",
            "days a conversation is kept after its last event", ("cli",)),
    Setting("AIGUILLAGE_RETENTION_DEMANDES_JOURS", "entier", "365", "conservation du texte libre des demandes après clôture (jours)",
            "days a closed request keeps its free text", ("cli",)),
    Setting("AIGUILLAGE_JOURNAL_JOURS", "entier", "400", "conservation du journal d'orientation anonyme (jours)",
            "days the anonymous orientation log is kept", ("actions", "cli")),
    # --- clock ------------------------------------------------------------------------------
    Setting("AIGUILLAGE_NOW", "texte", None, "horloge figée, ISO 8601 (démonstrations, tests) ; défaut : heure de Paris",
            "fixed clock (ISO 8601) for demos and end-to-end tests", ("actions", "api", "console")),
    # --- internal secrets (bot/keys.py) -----------------------------------------------------
    Setting("AIGUILLAGE_SECRETS_FILE", "chemin", "var/secrets.env", "fichier des secrets internes (créé au premier démarrage, 600)",
            "file of the internal secrets", _ALL),
    Setting("AIGUILLAGE_RASA_TOKEN", "secret", None, "jeton de l'API HTTP de Rasa ; défaut : `var/secrets.env`", "Rasa HTTP API token", _ALL),
    Setting("AIGUILLAGE_ACTION_SECRET", "secret", None, "secret de Rasa vers le serveur d'actions ; défaut : `var/secrets.env`",
            "secret header from Rasa to the action server", ("rasa", "actions", "run")),
    Setting("AIGUILLAGE_CHANNEL_SECRET", "secret", None, "secret de nos processus vers le canal REST ; défaut : `var/secrets.env`",
            "secret header from our processes to Rasa's REST channel", ("rasa", "api", "mail", "run")),
    Setting("AIGUILLAGE_ID_KEY", "secret", None, "clé HMAC des identifiants de conversation ; défaut : `var/secrets.env`",
            "HMAC key of conversation ids", ("rasa", "api", "mail", "webchat", "run")),
    # --- processes and addresses ------------------------------------------------------------
    Setting("AIGUILLAGE_PUBLIC_HOST", "texte", "0.0.0.0", "adresse d'écoute des pages publiques (web chat, API)",
            "listen address of the public pages", ("run",)),
    Setting("AIGUILLAGE_RASA_URL", "url", "http://127.0.0.1:5005", "serveur Rasa (canal REST) pour l'API, le web chat et la messagerie",
            "Rasa server for the API gateway, web chat relay and mail channel", ("api", "webchat", "mail")),
    Setting("AIGUILLAGE_ACTION_URL", "url", None, "serveur d'actions (`bot/endpoints*.yml`, fixé par `bot.processes`)",
            "action server URL in bot/endpoints*.yml", ("rasa",)),
    Setting("AIGUILLAGE_RASA_PATCHES", "booléen", "1", "correctifs de Rasa (`bot/rasa_patches.py`) ; `0` : Rasa d'origine",
            "Rasa patches of bot/rasa_patches.py", ("rasa", "actions")),
    Setting("AIGUILLAGE_RASA_EVENT_TABLE", "booléen", "1", "types d'événements Rasa résolus par une table (`bot/rasa_patches.py`) ; `0` : recherche d'origine (mesures)",
            "Event.resolve_by_type by table lookup (bot/rasa_patches.py); 0: stock walk, for measurements", ("rasa",)),
    Setting("AIGUILLAGE_ACTION_SESSION", "booléen", "1", "appels au serveur d'actions sur une session HTTP partagée par boucle (`bot/rasa_patches.py`) ; `0` : une session par appel, comme Rasa",
            "action calls share one aiohttp session per event loop (bot/rasa_patches.py); 0: Rasa's session per call", ("rasa",)),
    Setting("AIGUILLAGE_MASK_MEMO", "booléen", "1", "le tracker store retient les textes sans rien à masquer (libellés, annuaire) ; `0` : tout remasquer à chaque sauvegarde (mesures)",
            "tracker store remembers strings with nothing to mask (knowledge/privacy CleanMemo); 0: mask every string on every save, for measurements", ("rasa",)),
    Setting("AIGUILLAGE_STORE_COUNT", "booléen", "0", "`1` : le tracker store recompte en base les événements déjà enregistrés à chaque sauvegarde, comme Rasa (mesures) ; `0` : il les connaît depuis sa lecture",
            "1: the tracker store counts the stored events with Rasa's query on every save (measurements); 0: it knows them from its own read or write", ("rasa",)),
    Setting("AIGUILLAGE_PG_SYNC_COMMIT", "booléen", "0", "`1` : chaque tour attend l'écriture sur disque du journal PostgreSQL des conversations ; `0` : non (un arrêt brutal de PostgreSQL perd au plus les 0,6 dernières secondes de conversation, un arrêt de l'application rien)",
            "1: each turn waits for PostgreSQL's WAL flush of the tracker store; 0: synchronous_commit=off for the tracker store's connections", ("rasa",)),
    Setting("AIGUILLAGE_STORE_CORE", "booléen", "1", "le tracker store lit la seule colonne des événements et les écrit en une instruction ; `0` : une ligne d'ORM par événement, comme Rasa (mesures)",
            "tracker store reads the events' data column only and inserts a turn's events in one statement; 0: Rasa's ORM rows (measurements)", ("rasa",)),
    # --- channel guard (docs/reliability.md) ------------------------------------------------
    Setting("AIGUILLAGE_MAX_INPUT_CHARS", "entier", "2000", "caractères lus par message, au-delà coupé avec un avertissement",
            "characters read per message", ("rasa",)),
    Setting("AIGUILLAGE_MAX_INPUT_TOKENS", "entier", "400", "mots lus par message", "tokens read per message", ("rasa",)),
    Setting("AIGUILLAGE_REPLY_BUDGET", "décimal", "4", "délai de réponse (s) avant la réponse de secours", "reply budget (s)", ("rasa",)),
    Setting("AIGUILLAGE_ACTION_TIMEOUT", "décimal", "2.5", "délai d'une action (s)", "action call timeout (s)", ("rasa",)),
    Setting("AIGUILLAGE_TURN_SLOTS", "entier", "4", "tours de conversation traités en même temps (les autres attendent)", "turns run at once (the others queue)", ("rasa",)),
    Setting("AIGUILLAGE_FALLBACK_ANALYSIS", "décimal", "0.5", "temps maximal (s) de la recherche d'urgence dans la réponse de secours", "time limit (s) of the emergency check in the fallback answer", ("rasa",)),
    # --- API gateway (docs/api.md) ----------------------------------------------------------
    Setting("AIGUILLAGE_API_TOKENS", "secret", None, "jetons des clients de l'API, `client:jeton,…` (≥ 16 caractères)",
            "API client tokens", ("api",)),
    Setting("AIGUILLAGE_API_CORS_ORIGINS", "liste", None, "origines autorisées par l'API (CORS), séparées par des virgules",
            "allowed CORS origins", ("api",)),
    Setting("AIGUILLAGE_API_RATE_PER_MINUTE", "entier", "60", "requêtes par minute et par client", "requests per minute per client", ("api",)),
    Setting("AIGUILLAGE_API_MAX_BODY", "entier", "16384", "taille maximale d'un corps de requête (octets)", "maximal body size (bytes)", ("api",)),
    # --- web chat ---------------------------------------------------------------------------
    Setting("AIGUILLAGE_WEBCHAT_ORIGINS", "liste", None, "origines supplémentaires autorisées par le web chat", "extra allowed web chat origins", ("webchat",)),
    # --- console (docs/console.md) ----------------------------------------------------------
    Setting("AIGUILLAGE_CONSOLE_HOST", "texte", "127.0.0.1", "adresse d'écoute de la console", "console listen address", ("console", "run")),
    Setting("AIGUILLAGE_CONSOLE_PORT", "entier", "5080", "port de la console", "console port", ("console", "run")),
    Setting("AIGUILLAGE_CONSOLE_SECRET", "secret", None, "clé des cookies de session (≥ 32 caractères) ; défaut : `var/console-secret`",
            "HMAC key of the session cookies", ("console",)),
    Setting("AIGUILLAGE_CONSOLE_SECURE_COOKIE", "booléen", None, "drapeau `Secure` du cookie ; défaut : automatique (HTTPS)",
            "force the cookie's Secure flag", ("console",)),
    Setting("AIGUILLAGE_CONSOLE_TRUST_PROXY", "booléen", "0", "adresse du client lue dans `X-Forwarded-For` (derrière un proxy)",
            "trust X-Forwarded-For", ("console",)),
    Setting("AIGUILLAGE_CONSOLE_PASSWORD", "secret", None, "mot de passe pour `create-user` / `set-password` sans invite",
            "password for create-user / set-password", ("console",)),
    # --- feedback e-mails (docs/tickets.md) -------------------------------------------------
    Setting("AIGUILLAGE_SMTP_HOST", "texte", None, "serveur SMTP des retours ; absent : rien n'est envoyé (boîte d'envoi)",
            "SMTP relay of the feedback e-mails", ("console",)),
    Setting("AIGUILLAGE_SMTP_PORT", "entier", "25", "port SMTP", "SMTP port", ("console",)),
    Setting("AIGUILLAGE_SMTP_FROM", "texte", "aiguillage@localhost", "expéditeur des retours", "sender address", ("console",)),
    Setting("AIGUILLAGE_SMTP_STARTTLS", "booléen", "0", "STARTTLS vers le serveur SMTP", "STARTTLS to the relay", ("console",)),
    Setting("AIGUILLAGE_SMTP_USER", "texte", None, "identifiant SMTP", "SMTP user", ("console",)),
    Setting("AIGUILLAGE_SMTP_PASSWORD", "secret", None, "mot de passe SMTP", "SMTP password", ("console",)),
    # --- MSSanté mail channel (docs/mail-channel.md) ----------------------------------------
    Setting("AIGUILLAGE_MAIL_IMAP_HOST", "texte", None, "serveur IMAP de la boîte MSSanté (obligatoire pour ce canal)", "IMAP server", ("mail", "run")),
    Setting("AIGUILLAGE_MAIL_IMAP_PORT", "entier", "993", "port IMAP", "IMAP port", ("mail",)),
    Setting("AIGUILLAGE_MAIL_IMAP_TLS", "texte", "ssl", "`ssl`, `starttls` ou `aucune` (tests)", "IMAP security", ("mail",)),
    Setting("AIGUILLAGE_MAIL_SMTP_HOST", "texte", None, "serveur SMTP de la messagerie (obligatoire)", "SMTP submission server", ("mail",)),
    Setting("AIGUILLAGE_MAIL_SMTP_PORT", "entier", "587", "port SMTP de la messagerie", "SMTP port", ("mail",)),
    Setting("AIGUILLAGE_MAIL_SMTP_TLS", "texte", "starttls", "`starttls`, `ssl` ou `aucune`", "SMTP security", ("mail",)),
    Setting("AIGUILLAGE_MAIL_USER", "texte", None, "identifiant de la boîte (obligatoire)", "mailbox login", ("mail",)),
    Setting("AIGUILLAGE_MAIL_PASSWORD", "secret", "", "mot de passe ; vide : certificat client", "mailbox password", ("mail",)),
    Setting("AIGUILLAGE_MAIL_SMTP_USER", "texte", None, "identifiant SMTP s'il diffère", "SMTP login when different", ("mail",)),
    Setting("AIGUILLAGE_MAIL_SMTP_PASSWORD", "secret", None, "mot de passe SMTP s'il diffère", "SMTP password when different", ("mail",)),
    Setting("AIGUILLAGE_MAIL_MAILBOX", "texte", "INBOX", "dossier lu", "folder read", ("mail",)),
    Setting("AIGUILLAGE_MAIL_FROM", "texte", None, "adresse d'expédition des réponses ; défaut : l'identifiant", "sender address", ("mail",)),
    Setting("AIGUILLAGE_MAIL_FROM_NAME", "texte", "Aiguillage", "nom d'expéditeur", "sender name", ("mail",)),
    Setting("AIGUILLAGE_MAIL_ALLOWED_DOMAINS", "liste", "mssante.fr", "domaines d'expéditeurs servis", "allowed sender domains", ("mail",)),
    Setting("AIGUILLAGE_MAIL_POLL_SECONDS", "décimal", "30", "intervalle entre deux relevés (s)", "poll interval (s)", ("mail",)),
    Setting("AIGUILLAGE_MAIL_IDLE", "booléen", "1", "IMAP IDLE quand le serveur le propose", "use IMAP IDLE", ("mail",)),
    Setting("AIGUILLAGE_MAIL_IDLE_SECONDS", "décimal", "600", "durée maximale d'un IDLE (s)", "IDLE renewal (s)", ("mail",)),
    Setting("AIGUILLAGE_MAIL_MAX_PER_POLL", "entier", "20", "messages par relevé", "messages per pass", ("mail",)),
    Setting("AIGUILLAGE_MAIL_TIMEOUT", "décimal", "60", "délai réseau (s), aussi vers le bot", "network timeout (s)", ("mail",)),
    Setting("AIGUILLAGE_MAIL_CA_FILE", "chemin", None, "autorités de certification (ex. IGC Santé) ; défaut : celles du système", "CA bundle", ("mail",)),
    Setting("AIGUILLAGE_MAIL_CERT_FILE", "chemin", None, "certificat client (PEM)", "client certificate", ("mail",)),
    Setting("AIGUILLAGE_MAIL_KEY_FILE", "chemin", None, "clé du certificat client (PEM)", "client key", ("mail",)),
    Setting("AIGUILLAGE_MAIL_STATE_FILE", "chemin", "var/mss-state.json", "fichier d'état du canal", "state file", ("mail",)),
    # --- tests and measurements -------------------------------------------------------------
    Setting("AIGUILLAGE_TEST_PG_URL", "url", "postgresql://root@127.0.0.1:5432/test", "PostgreSQL des tests de la configuration de production",
            "PostgreSQL of the production-configuration tests", ("tests",)),
    Setting("AIGUILLAGE_TEST_REDIS_URL", "url", "redis://127.0.0.1:6379/0", "Redis des tests de la configuration de production",
            "Redis of the production-configuration tests", ("tests",)),
    Setting("AIGUILLAGE_TEST_MODEL", "chemin", None, "modèle entraîné à réutiliser (tests, mesures) au lieu d'entraîner",
            "a trained model to reuse instead of training", ("tests", "bench")),
    Setting("AIGUILLAGE_TEST_FAULTS", "booléen", "0", "lance les tests de pannes injectées (`make test-faults`)", "run the fault tests", ("tests",)),
    Setting("AIGUILLAGE_BEFORE_MODEL", "chemin", None, "modèle de référence de `make bench-load`", "baseline model of bench-load", ("bench",)),
)
SETTINGS: dict[str, Setting] = {s.name: s for s in _DECLARED}
# Names built in code from a prefix (f"{PREFIX}{name}"): each must prefix declared settings.
PREFIXES = ("AIGUILLAGE_MAIL_", "AIGUILLAGE_SMTP_", "AIGUILLAGE_PG_", "AIGUILLAGE_REDIS_")
# AIGUILLAGE_* names in the code that are not environment variables.
NOT_SETTINGS = {"AIGUILLAGE_CONFIG": "JavaScript global of the web chat page (bot/webchat)"}


def setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        raise SettingsError(f"{name} n'est pas un réglage déclaré dans knowledge/settings.py.") from None


# --- typed readers (call time) --------------------------------------------------------------
def value(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The stripped value of `name` in `env` (default ``os.environ``); None when unset or blank."""
    setting(name)
    raw = (os.environ if env is None else env).get(name)
    raw = raw.strip() if raw else ""
    return raw or None


def text(name: str, env: Mapping[str, str] | None = None) -> str:
    """The value, else the declared default ("" when none)."""
    v = value(name, env)
    return v if v is not None else (setting(name).default or "")


def integer(name: str, env: Mapping[str, str] | None = None, minimum: int | None = None) -> int:
    raw = text(name, env)
    try:
        v = int(raw)
    except ValueError:
        raise SettingsError(f"{name} doit être un nombre entier (reçu : {raw!r}).") from None
    if minimum is not None and v < minimum:
        raise SettingsError(f"{name} doit être au moins {minimum} (reçu : {v}).")
    return v


def number(name: str, env: Mapping[str, str] | None = None) -> float:
    raw = text(name, env)
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} doit être un nombre (reçu : {raw!r}).") from None


def flag(name: str, env: Mapping[str, str] | None = None) -> bool | None:
    """`1/true/oui/yes/on` → True, `0/false/non/no/off` → False; unset → the default (None if none)."""
    raw = text(name, env).lower()
    if not raw:
        return None
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise SettingsError(f"{name} doit valoir 1 ou 0 (reçu : {raw!r}).")


def items(name: str, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """A comma-separated list, items stripped, empty ones dropped."""
    return tuple(i.strip() for i in text(name, env).split(",") if i.strip())


# --- paths and databases --------------------------------------------------------------------
def project_root() -> Path:
    """The project directory (the one holding ``knowledge/``)."""
    return Path(__file__).resolve().parent.parent


def directory_data_dir() -> Path:
    """Folder of the resource directory YAML files."""
    return project_root() / "knowledge" / "data" / "directory"


def var_path(name: str, env: Mapping[str, str] | None = None) -> Path:
    """A path setting; a relative default is under the project (``var/…``)."""
    v = value(name, env)
    return Path(v) if v else project_root() / text(name, env)


DB_URL_ENV = "AIGUILLAGE_DB_URL"


def database_url(env: Mapping[str, str] | None = None) -> str:
    """``$AIGUILLAGE_DB_URL``, else a SQLite file ``<project>/var/aiguillage.db`` (``var/`` is created)."""
    url = value(DB_URL_ENV, env)
    if url:
        return url
    var = project_root() / "var"
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'aiguillage.db'}"


def tracker_database_url(env: Mapping[str, str] | None = None) -> str:
    """The Rasa tracker store's database, as bot/endpoints*.yml configure it.

    ``$AIGUILLAGE_TRACKER_URL`` if set; else PostgreSQL from ``$AIGUILLAGE_PG_*`` (production
    endpoints); else the SQLite file ``$AIGUILLAGE_TRACKER_DB`` (default ``var/trackers.db``).
    """
    url = value("AIGUILLAGE_TRACKER_URL", env)
    if url:
        return url
    host = value("AIGUILLAGE_PG_HOST", env)
    if host:
        user = quote(text("AIGUILLAGE_PG_USER", env), safe="")
        pw = quote(text("AIGUILLAGE_PG_PASSWORD", env), safe="")
        auth = f"{user}:{pw}@" if pw else (f"{user}@" if user else "")
        return f"postgresql://{auth}{host}:{text('AIGUILLAGE_PG_PORT', env)}/{text('AIGUILLAGE_PG_DB', env)}"
    return f"sqlite:///{var_path('AIGUILLAGE_TRACKER_DB', env)}"


# --- retention (docs/privacy.md) ------------------------------------------------------------
TRACKER_RETENTION_ENV = "AIGUILLAGE_RETENTION_CONVERSATIONS_JOURS"
TICKET_RETENTION_ENV = "AIGUILLAGE_RETENTION_DEMANDES_JOURS"
JOURNAL_RETENTION_ENV = "AIGUILLAGE_JOURNAL_JOURS"
TRACKER_RETENTION_DAYS = int(SETTINGS[TRACKER_RETENTION_ENV].default)
TICKET_RETENTION_DAYS = int(SETTINGS[TICKET_RETENTION_ENV].default)
JOURNAL_RETENTION_DAYS = int(SETTINGS[JOURNAL_RETENTION_ENV].default)


def days(name: str, env: Mapping[str, str] | None = None) -> int:
    """A retention period: a whole number of days, at least 1."""
    raw = text(name, env)
    try:
        v = int(raw)
    except ValueError:
        raise SettingsError(f"{name} doit être un nombre entier de jours (reçu : {raw!r}) : indiquez un nombre de jours, "
                            "par exemple 90.") from None
    if v < 1:
        raise SettingsError(f"{name} doit être au moins 1 jour (reçu : {v}).")
    return v


def tracker_retention_days() -> int:
    """Days a conversation is kept after its last event."""
    return days(TRACKER_RETENTION_ENV)


def ticket_retention_days() -> int:
    """Days a closed request keeps its free text."""
    return days(TICKET_RETENTION_ENV)


def journal_retention_days() -> int:
    """Days the anonymous orientation log keeps a row."""
    return days(JOURNAL_RETENTION_ENV)


# --- API gateway (docs/api.md) --------------------------------------------------------------
TOKENS_ENV = "AIGUILLAGE_API_TOKENS"
CORS_ENV = "AIGUILLAGE_API_CORS_ORIGINS"
RATE_ENV = "AIGUILLAGE_API_RATE_PER_MINUTE"
MAX_BODY_ENV = "AIGUILLAGE_API_MAX_BODY"
RASA_URL_ENV = "AIGUILLAGE_RASA_URL"
MIN_TOKEN_CHARS = 16


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
class ApiSettings:
    """Settings of the API gateway (bot/api)."""

    tokens: dict[str, str] = field(default_factory=dict)   # token -> client name
    cors_origins: tuple[str, ...] = ()
    rate_per_minute: int = 60
    max_body: int = 16 * 1024
    rasa_url: str = "http://127.0.0.1:5005"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "ApiSettings":
        try:
            rate = integer(RATE_ENV, env)
            max_body = integer(MAX_BODY_ENV, env)
        except SettingsError as exc:
            raise SettingsError(f"{RATE_ENV} et {MAX_BODY_ENV} doivent être des entiers.") from exc
        if rate < 1 or max_body < 256:
            raise SettingsError(f"{RATE_ENV} doit être ≥ 1 et {MAX_BODY_ENV} ≥ 256.")
        return cls(tokens=parse_tokens(text(TOKENS_ENV, env)), cors_origins=parse_origins(text(CORS_ENV, env)),
                   rate_per_minute=rate, max_body=max_body, rasa_url=text(RASA_URL_ENV, env).rstrip("/"))


# --- README table ---------------------------------------------------------------------------
def readme_table() -> str:
    """The Markdown table of README.md's « Configuration » section."""
    rows = ["| variable | type | défaut | rôle | lue par |", "|---|---|---|---|---|"]
    for s in _DECLARED:
        default = "–" if s.default is None else (f"`{s.default}`" if s.default else "vide")
        rows.append(f"| `{s.name}` | {s.kind} | {default} | {s.fr} | {', '.join(s.readers)} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(readme_table())
