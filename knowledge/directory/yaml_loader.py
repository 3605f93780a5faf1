"""Validation of the YAML files of ``knowledge/data/directory/`` into table rows (all problems
collected, nothing written here)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge import settings
from knowledge.directory.errors import DirectoryDataError, Problem
from knowledge.directory.model import LoadReport, region_departements
from knowledge.directory.tables import AUDIENCES, CHILD_TABLES, SERVICE
from knowledge.directory.yaml_fields import (
    FieldChecks,
    ServiceContext,
    as_date,
    quote,
    suggest,
)
from knowledge.gazetteer import Gazetteer
from knowledge.vocabulary import Vocabulary

FILE_KEYS = ("exemple", "source", "verifie_le", "services")
SERVICE_KEYS = (
    "id", "type", "nom", "description", "audience", "missions", "publics", "besoins", "zone",
    "telephone", "messagerie_securisee", "email", "adresse", "commune", "site_web", "contacts",
    "horaires", "permanent", "ferme_jours_feries", "fermetures", "source", "verifie_le", "exemple",
)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster


class _Checker(FieldChecks):
    """Validates parsed YAML documents and turns them into table rows."""

    def __init__(self, gazetteer: Gazetteer, vocabulary: Vocabulary):
        self.gaz = gazetteer
        self.vocab = vocabulary
        self.problems: list[Problem] = []
        self.seen_ids: dict[str, str] = {}  # id -> "file (service #n)"
        self.rows: dict[str, list[dict]] = {"services": [], **{k: [] for k in CHILD_TABLES}}
        self.region_departements = set(region_departements(gazetteer))

    # -- files ---------------------------------------------------------------------------

    def read_file(self, path: Path) -> Any:
        """The parsed document, or None after recording why the file is unusable."""
        name = path.name
        raw = path.read_bytes()
        if b"\x00" in raw:
            return self._file_problem(name, "fichier binaire, pas un fichier YAML")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return self._file_problem(
                name, f"le fichier n'est pas du texte UTF-8 (octet {exc.start})"
            )
        try:
            doc = yaml.load(text, Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark else ""
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            return self._file_problem(name, f"YAML invalide{where} : {reason}")
        except ValueError as exc:  # e.g. an unquoted impossible date such as 2026-13-01
            return self._file_problem(name, f"valeur impossible dans le fichier ({exc})")
        if doc is None:
            return self._file_problem(name, "fichier vide (aucune donnée YAML)")
        return doc

    def _file_problem(self, file: str, message: str, fld: str | None = None) -> None:
        self.problems.append(Problem(file, message, field=fld))
        return None

    def check_file(self, name: str, doc: Any) -> int:
        """Validates one document; returns the number of services it declares."""
        if doc is None:
            return 0  # already reported by read_file
        if not isinstance(doc, dict):
            self._file_problem(
                name,
                "le fichier doit contenir un dictionnaire avec les clés "
                f"{', '.join(FILE_KEYS)} (trouvé : {type(doc).__name__})",
            )
            return 0
        for key in doc:
            if key not in FILE_KEYS:
                self._file_problem(name, suggest(key, FILE_KEYS), str(key))
        defaults = {
            "exemple": self._file_bool(name, doc, "exemple", False),
            "source": self._file_text(name, doc, "source"),
            "verifie_le": self._file_date(name, doc, "verifie_le"),
        }
        services = doc.get("services")
        if not isinstance(services, list):
            self._file_problem(
                name, "liste des services attendue (clé \"services\")", "services"
            )
            return 0
        for index, data in enumerate(services, start=1):
            if not isinstance(data, dict):
                self.problems.append(
                    Problem(name, f"un service doit être un dictionnaire, pas {quote(data)}", index)
                )
                continue
            self.check_service(ServiceContext(self, name, index, data), defaults)
        return len(services)

    def _file_bool(self, name: str, doc: dict, key: str, default: bool) -> bool:
        value = doc.get(key, default)
        if not isinstance(value, bool):
            self._file_problem(name, f"{quote(value)} n'est pas un booléen (true/false)", key)
            return default
        return value

    def _file_text(self, name: str, doc: dict, key: str) -> str | None:
        value = doc.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            self._file_problem(name, f"{quote(value)} n'est pas un texte non vide", key)
            return None
        return value.strip() if value else None

    def _file_date(self, name: str, doc: dict, key: str) -> date | None:
        if key not in doc:
            return None
        parsed = as_date(doc[key])
        if parsed is None:
            self._file_problem(name, f"{quote(doc[key])} n'est pas une date AAAA-MM-JJ", key)
        return parsed

    # -- services ------------------------------------------------------------------------

    def check_service(self, s: ServiceContext, defaults: dict) -> None:
        d = s.data
        for key in d:
            if key not in SERVICE_KEYS:
                s.problem(str(key), suggest(key, SERVICE_KEYS))
        sid = self._id(s)
        row: dict[str, Any] = {"id": sid}
        row["type"] = self._code(
            s, "type", d.get("type"), self.vocab.resource_types, "type de ressource")
        row["nom"] = self._text(s, "nom", required=True)
        row["description"] = self._text(s, "description") or ""
        audience = d.get("audience")
        if audience not in AUDIENCES:
            s.problem("audience",
                      f"{quote(audience)} n'est pas une audience valide ({', '.join(AUDIENCES)})")
        row["audience"] = audience
        row["telephone"] = self._phone(s, "telephone", d.get("telephone"))
        row["messagerie_securisee"] = self._mss(
            s, "messagerie_securisee", d.get("messagerie_securisee"))
        row["email"] = self._email(s, "email", d.get("email"))
        if not (d.get("telephone") or d.get("messagerie_securisee") or d.get("email")):
            s.problem("telephone",
                      "aucun moyen de contact (telephone, messagerie_securisee ou email)")
        row["adresse"] = self._text(s, "adresse")
        row["commune_insee"] = (
            self._commune(s, "commune", d["commune"]) if d.get("commune") is not None else None)
        row["site_web"] = self._url(s, "site_web", d.get("site_web"))
        row["permanent"] = self._bool(s, "permanent", False)
        row["ferme_jours_feries"] = self._bool(s, "ferme_jours_feries", True)
        row["exemple"] = self._bool(s, "exemple", defaults["exemple"])
        row["source"] = self._text(s, "source") or defaults["source"]
        if not row["source"]:
            s.problem("source", "source manquante (au niveau du fichier ou du service)")
        verifie = as_date(d["verifie_le"]) if "verifie_le" in d else defaults["verifie_le"]
        if "verifie_le" in d and verifie is None:
            s.problem("verifie_le", f"{quote(d['verifie_le'])} n'est pas une date AAAA-MM-JJ")
        elif verifie is None:
            s.problem("verifie_le",
                      "date de vérification manquante (au niveau du fichier ou du service)")
        row["verifie_le"] = verifie

        children = {
            "missions": self._code_list(s, "missions", self.vocab.missions, "mission", True),
            "besoins": self._code_list(s, "besoins", self.vocab.needs, "besoin", False),
            "publics": self._publics(s),
            "zones": self._zones(s),
            "horaires": self._horaires(s, row["permanent"]),
            "fermetures": self._fermetures(s),
            "contacts": self._contacts(s),
        }
        self._check_lengths(s, SERVICE, row, "")
        for key in ("contacts", "fermetures"):
            for i, child in enumerate(children[key], start=1):
                self._check_lengths(s, CHILD_TABLES[key], child, f"{key}[{i}].")
        self.rows["services"].append(row)
        for table, rows in children.items():
            for rang, child in enumerate(rows):
                self.rows[table].append({"service_id": sid, "rang": rang, **child})


@dataclass
class _Parsed:
    report: LoadReport
    rows: dict[str, list[dict]] = field(repr=False)


def parse_folder(folder: Path, gazetteer: Gazetteer, vocabulary: Vocabulary) -> _Parsed:
    """Reads and validates every ``*.yaml`` of ``folder``; raises DirectoryDataError."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DirectoryDataError([Problem(str(folder), "dossier introuvable")])
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise DirectoryDataError([Problem(str(folder), "aucun fichier *.yaml dans ce dossier")])
    checker = _Checker(gazetteer, vocabulary)
    for path in paths:
        checker.check_file(path.name, checker.read_file(path))
    if checker.problems:
        raise DirectoryDataError(checker.problems)
    services = checker.rows["services"]
    per_type = Counter(row["type"] for row in services)
    report = LoadReport(
        files=tuple(p.name for p in paths),
        services=len(services),
        per_type=dict(sorted(per_type.items())),
    )
    return _Parsed(report, checker.rows)


def check(folder: Path | None = None, *, gazetteer: Gazetteer | None = None,
          vocabulary: Vocabulary | None = None) -> LoadReport:
    """Validates the YAML files of ``folder`` (default: the project's) without writing anything."""
    return parse_folder(
        Path(folder) if folder else settings.directory_data_dir(),
        gazetteer or Gazetteer.default(),
        vocabulary or Vocabulary.default(),
    ).report


