"""Validation of the YAML files of ``knowledge/data/directory/`` into table rows (all problems
collected, nothing written here)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Sequence

import yaml
from rapidfuzz import fuzz, process

from knowledge import config
from knowledge.directory.errors import DirectoryDataError, Problem
from knowledge.directory.model import LoadReport, region_departements
from knowledge.directory.tables import (
    AUDIENCES,
    CHILD_TABLES,
    REGION_CODE,
    SERVICE,
    SLOT_OPENING,
)
from knowledge.gazetteer import Gazetteer
from knowledge.hours import JOURS, parse_slots
from knowledge.vocabulary import Vocabulary


FILE_KEYS = ("exemple", "source", "verifie_le", "services")
SERVICE_KEYS = (
    "id", "type", "nom", "description", "audience", "missions", "publics", "besoins", "zone",
    "telephone", "messagerie_securisee", "email", "adresse", "commune", "site_web", "contacts",
    "horaires", "permanent", "ferme_jours_feries", "fermetures", "source", "verifie_le", "exemple",
)
PUBLIC_KEYS = ("public", "age_min", "age_max")
ZONE_KEYS = ("departements", "communes", "epci", "region")
CONTACT_KEYS = ("fonction", "telephone", "email", "messagerie_securisee")
FERMETURE_KEYS = ("debut", "fin", "motif", "reouverture")

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# "02 61 91 18 00", "0 800 47 47 88" (free numbers), short numbers "15", "115", "3919",
# "39 77", "116 117".
PHONE_RE = re.compile(
    r"^(?:0[1-9](?: \d\d){4}|0 8\d\d(?: \d\d){3}|1\d{1,2}|116 \d{3}|3\d{3}|3\d \d\d)$"
)
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$")
INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
SIREN_RE = re.compile(r"^\d{9}$")
MSS_DOMAIN = "mssante.fr"
SLOT_HINT = ('(attendu : "9:00-12:30, 13:30-17:30" ou "fermé", fin au plus tard "24:00", '
             "créneaux sans chevauchement)")
AGE_MAX = 120
YAML_FIELDS = {"commune_insee": "commune", "reouverture_prevue": "reouverture"}  # column -> key
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster


class _Service:
    """Validation context for one service: records problems with its location."""

    def __init__(self, checker: "_Checker", file: str, index: int, data: dict):
        self.checker, self.file, self.index, self.data = checker, file, index, data
        raw_id = data.get("id")
        self.id = raw_id if isinstance(raw_id, str) else None

    def problem(self, fld: str | None, message: str) -> None:
        self.checker.problems.append(Problem(self.file, message, self.index, self.id, fld))


def _q(value: Any) -> str:
    """A value quoted for an error message."""
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def _suggest(key: str, allowed: Sequence[str]) -> str:
    match = process.extractOne(str(key), allowed, scorer=fuzz.ratio, score_cutoff=70)
    hint = f' (vouliez-vous dire "{match[0]}" ?)' if match else ""
    return f"champ inconnu{hint} ; champs possibles : {', '.join(allowed)}"


class _Checker:
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
                self._file_problem(name, _suggest(key, FILE_KEYS), str(key))
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
                    Problem(name, f"un service doit être un dictionnaire, pas {_q(data)}", index)
                )
                continue
            self.check_service(_Service(self, name, index, data), defaults)
        return len(services)

    def _file_bool(self, name: str, doc: dict, key: str, default: bool) -> bool:
        value = doc.get(key, default)
        if not isinstance(value, bool):
            self._file_problem(name, f"{_q(value)} n'est pas un booléen (true/false)", key)
            return default
        return value

    def _file_text(self, name: str, doc: dict, key: str) -> str | None:
        value = doc.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            self._file_problem(name, f"{_q(value)} n'est pas un texte non vide", key)
            return None
        return value.strip() if value else None

    def _file_date(self, name: str, doc: dict, key: str) -> date | None:
        if key not in doc:
            return None
        parsed = _as_date(doc[key])
        if parsed is None:
            self._file_problem(name, f"{_q(doc[key])} n'est pas une date AAAA-MM-JJ", key)
        return parsed

    # -- services ------------------------------------------------------------------------

    def check_service(self, s: _Service, defaults: dict) -> None:
        d = s.data
        for key in d:
            if key not in SERVICE_KEYS:
                s.problem(str(key), _suggest(key, SERVICE_KEYS))
        sid = self._id(s)
        row: dict[str, Any] = {"id": sid}
        row["type"] = self._code(
            s, "type", d.get("type"), self.vocab.resource_types, "type de ressource")
        row["nom"] = self._text(s, "nom", required=True)
        row["description"] = self._text(s, "description") or ""
        audience = d.get("audience")
        if audience not in AUDIENCES:
            s.problem("audience",
                      f"{_q(audience)} n'est pas une audience valide ({', '.join(AUDIENCES)})")
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
        verifie = _as_date(d["verifie_le"]) if "verifie_le" in d else defaults["verifie_le"]
        if "verifie_le" in d and verifie is None:
            s.problem("verifie_le", f"{_q(d['verifie_le'])} n'est pas une date AAAA-MM-JJ")
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

    @staticmethod
    def _check_lengths(s: _Service, table, row: dict, prefix: str) -> None:
        """Texts longer than their column (PostgreSQL would refuse them at write time)."""
        for column in table.columns:
            limit = getattr(column.type, "length", None)
            value = row.get(column.name)
            if limit and isinstance(value, str) and len(value) > limit:
                name = YAML_FIELDS.get(column.name, column.name)
                s.problem(prefix + name,
                          f"texte trop long ({len(value)} caractères, {limit} au plus)")

    def _id(self, s: _Service) -> str | None:
        value = s.data.get("id")
        if not isinstance(value, str) or not ID_RE.match(value):
            s.problem("id", f"{_q(value)} n'est pas un identifiant valide "
                            '(minuscules, chiffres et tirets, ex. "dac-18")')
            return None
        where = f"{s.file} (service #{s.index})"
        if value in self.seen_ids:
            s.problem("id", f"identifiant déjà utilisé dans {self.seen_ids[value]}")
        else:
            self.seen_ids[value] = where
        return value

    def _text(self, s: _Service, key: str, required: bool = False) -> str | None:
        value = s.data.get(key)
        if value is None:
            if required:
                s.problem(key, "champ obligatoire manquant")
            return None
        if not isinstance(value, str) or not value.strip():
            s.problem(key, f"{_q(value)} n'est pas un texte non vide")
            return None
        return value.strip()

    def _bool(self, s: _Service, key: str, default: bool) -> bool:
        value = s.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            s.problem(key, f"{_q(value)} n'est pas un booléen (true/false)")
            return default
        return value

    def _code(self, s: _Service, fld: str, value: Any, known: dict, what: str) -> str | None:
        if value is None:
            s.problem(fld, "champ obligatoire manquant")
            return None
        if not isinstance(value, str) or value not in known:
            s.problem(fld, f"{_q(value)} n'est pas un code de {what} connu")
            return None
        return value

    def _code_list(self, s: _Service, key: str, known: dict, what: str,
                   required: bool) -> list[dict]:
        values = s.data.get(key)
        if values is None:
            if required:
                s.problem(key, "champ obligatoire manquant (liste de codes)")
            return []
        if not isinstance(values, list) or (required and not values):
            s.problem(key, f"liste de codes de {what} attendue, trouvé {_q(values)}")
            return []
        column = {"missions": "mission", "besoins": "besoin"}[key]
        out, seen = [], set()
        for i, value in enumerate(values, start=1):
            code = self._code(s, f"{key}[{i}]", value, known, what)
            if code in seen:
                s.problem(f"{key}[{i}]", f"{_q(code)} est en double")
            elif code:
                seen.add(code)
                out.append({column: code})
        return out

    def _phone(self, s: _Service, fld: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not PHONE_RE.match(value.strip()):
            hint = " (mettez le numéro entre guillemets)" if isinstance(value, int) else ""
            s.problem(fld, f"{_q(value)} n'est pas un numéro de téléphone au format "
                           f'"02 61 91 18 00" ou un numéro court{hint}')
            return None
        return value.strip()

    def _email(self, s: _Service, fld: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
            s.problem(fld, f"{_q(value)} n'est pas une adresse électronique valide")
            return None
        return value.strip()

    def _mss(self, s: _Service, fld: str, value: Any) -> str | None:
        address = self._email(s, fld, value)
        if address and not (
            address.lower().endswith("." + MSS_DOMAIN) or address.lower().endswith("@" + MSS_DOMAIN)
        ):
            s.problem(fld, f"{_q(address)} n'est pas une adresse MSSanté "
                           f"(domaine en .{MSS_DOMAIN} attendu)")
            return None
        return address

    def _url(self, s: _Service, fld: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not URL_RE.match(value.strip()):
            s.problem(fld, f"{_q(value)} n'est pas une adresse web (http:// ou https://)")
            return None
        return value.strip()

    def _commune(self, s: _Service, fld: str, value: Any) -> str | None:
        if not isinstance(value, str) or not INSEE_RE.match(value):
            hint = " (mettez le code entre guillemets)" if isinstance(value, int) else ""
            s.problem(fld, f"{_q(value)} n'est pas un code INSEE de commune (5 caractères){hint}")
            return None
        try:
            self.gaz.commune(value)
        except KeyError:
            s.problem(fld, f"{_q(value)} : commune inconnue en Centre-Val de Loire")
            return None
        return value

    def _publics(self, s: _Service) -> list[dict]:
        values = s.data.get("publics")
        if not isinstance(values, list) or not values:
            s.problem("publics", f"liste des publics pris en charge attendue, trouvé {_q(values)}")
            return []
        out = []
        for i, item in enumerate(values, start=1):
            fld = f"publics[{i}]"
            if isinstance(item, str):  # shorthand: "- personne_agee"
                item = {"public": item}
            if not isinstance(item, dict):
                s.problem(fld, f"{_q(item)} n'est pas un public "
                               "({public: code, age_min, age_max})")
                continue
            for key in item:
                if key not in PUBLIC_KEYS:
                    s.problem(f"{fld}.{key}", _suggest(key, PUBLIC_KEYS))
            public = self._code(
                s, f"{fld}.public", item.get("public"), self.vocab.publics, "public")
            ages = {}
            for key in ("age_min", "age_max"):
                age = item.get(key)
                valid = isinstance(age, int) and not isinstance(age, bool) and 0 <= age <= AGE_MAX
                if age is not None and not valid:
                    s.problem(f"{fld}.{key}",
                              f"{_q(age)} n'est pas un âge en années (0 à {AGE_MAX})")
                    age = None
                ages[key] = age
            low, high = ages["age_min"], ages["age_max"]
            if low is not None and high is not None and low > high:
                s.problem(f"{fld}.age_max",
                          f"âge maximal {high} inférieur à l'âge minimal {low}")
            if public:
                out.append({"public": public, **ages})
        return out

    def _zones(self, s: _Service) -> list[dict]:
        zone = s.data.get("zone")
        if not isinstance(zone, dict) or not zone:
            s.problem("zone", f"zone d'intervention attendue (clés {', '.join(ZONE_KEYS)}), "
                              f"trouvé {_q(zone)}")
            return []
        out: list[dict] = []
        problems_before = len(self.problems)
        for key in zone:
            if key not in ZONE_KEYS:
                s.problem(f"zone.{key}", _suggest(key, ZONE_KEYS))
        region = zone.get("region", False)
        if not isinstance(region, bool):
            s.problem("zone.region", f"{_q(region)} n'est pas un booléen (true/false)")
        elif region:
            out.append({"kind": "region", "code": REGION_CODE})
        checkers = (("departements", "departement", self._departement),
                    ("epci", "epci", self._epci), ("communes", "commune", self._commune))
        for key, kind, check_code in checkers:
            if key not in zone:
                continue
            codes = zone[key]
            if not isinstance(codes, list) or not codes:
                s.problem(f"zone.{key}", f"liste de codes attendue, trouvé {_q(codes)}")
                continue
            for i, code in enumerate(codes, start=1):
                fld = f"zone.{key}[{i}]"
                checked = check_code(s, fld, code)
                if checked and {"kind": kind, "code": checked} in out:
                    s.problem(fld, f"{_q(checked)} est en double")
                elif checked:
                    out.append({"kind": kind, "code": checked})
        if not out and len(self.problems) == problems_before:
            s.problem("zone", "zone d'intervention vide")
        return out

    def _departement(self, s: _Service, fld: str, value: Any) -> str | None:
        if not isinstance(value, str) or value not in self.region_departements:
            hint = " (mettez le code entre guillemets)" if isinstance(value, int) else ""
            codes = ", ".join(sorted(self.region_departements))
            s.problem(fld, f"{_q(value)} n'est pas un département de la région ({codes}){hint}")
            return None
        return value

    def _epci(self, s: _Service, fld: str, value: Any) -> str | None:
        if not isinstance(value, str) or not SIREN_RE.match(value):
            s.problem(fld,
                      f"{_q(value)} n'est pas un numéro SIREN d'EPCI (9 chiffres entre guillemets)")
            return None
        if not self.gaz.communes_of_epci(value):
            s.problem(fld, f"{_q(value)} : EPCI inconnu en Centre-Val de Loire")
            return None
        return value

    def _horaires(self, s: _Service, permanent: bool) -> list[dict]:
        horaires = s.data.get("horaires")
        if horaires is None:
            if not permanent:
                s.problem("horaires",
                          "horaires manquants (ou permanent: true pour un accueil 24h/24)")
            return []
        if not isinstance(horaires, dict) or (not horaires and not permanent):
            s.problem("horaires",
                      f"horaires attendus par jour (lundi … dimanche), trouvé {_q(horaires)}")
            return []
        out = []
        for day, text in horaires.items():
            fld = f"horaires.{day}"
            if day not in JOURS:
                s.problem(fld, f"{_q(day)} n'est pas un jour ({', '.join(JOURS)})")
                continue
            if text is None:  # "lundi: null" = closed, like a missing day
                continue
            try:
                slots = parse_slots(JOURS.index(day), text)
            except ValueError:
                s.problem(fld, f"{_q(text)} n'est pas un créneau valide {SLOT_HINT}")
                continue
            out.extend({"jour": slot.jour, "debut": slot.debut, "fin": slot.fin,
                        "type_creneau": SLOT_OPENING} for slot in slots)
        return out

    def _fermetures(self, s: _Service) -> list[dict]:
        values = s.data.get("fermetures")
        if values is None:
            return []
        if not isinstance(values, list):
            s.problem("fermetures", f"liste de fermetures attendue, trouvé {_q(values)}")
            return []
        out = []
        for i, item in enumerate(values, start=1):
            fld = f"fermetures[{i}]"
            if not isinstance(item, dict):
                s.problem(fld, f"{_q(item)} n'est pas une fermeture "
                               "({debut, fin, motif, reouverture})")
                continue
            for key in item:
                if key not in FERMETURE_KEYS:
                    s.problem(f"{fld}.{key}", _suggest(key, FERMETURE_KEYS))
            dates = {}
            for key in ("debut", "fin", "reouverture"):
                value = item.get(key)
                dates[key] = _as_date(value) if value is not None else None
                if value is None and key != "reouverture":
                    s.problem(f"{fld}.{key}", "date obligatoire manquante")
                elif value is not None and dates[key] is None:
                    s.problem(f"{fld}.{key}", f"{_q(value)} n'est pas une date AAAA-MM-JJ")
            motif = item.get("motif")
            if not isinstance(motif, str) or not motif.strip():
                s.problem(f"{fld}.motif", f"motif attendu (texte), trouvé {_q(motif)}")
            debut, fin, reouverture = dates["debut"], dates["fin"], dates["reouverture"]
            if debut and fin and fin < debut:
                s.problem(f"{fld}.fin", f"fin {fin.isoformat()} avant le début {debut.isoformat()}")
            elif fin and reouverture and reouverture <= fin:
                s.problem(f"{fld}.reouverture", f"réouverture {reouverture.isoformat()} "
                                                f"pas après la fin {fin.isoformat()}")
            elif debut and fin and isinstance(motif, str) and motif.strip():
                out.append({"debut": debut, "fin": fin, "motif": motif.strip(),
                            "reouverture_prevue": reouverture})
        return out

    def _contacts(self, s: _Service) -> list[dict]:
        values = s.data.get("contacts")
        if values is None:
            return []
        if not isinstance(values, list):
            s.problem("contacts", f"liste de contacts attendue, trouvé {_q(values)}")
            return []
        out = []
        for i, item in enumerate(values, start=1):
            fld = f"contacts[{i}]"
            if not isinstance(item, dict):
                s.problem(fld, f"{_q(item)} n'est pas un contact "
                               "({fonction, telephone, email, messagerie_securisee})")
                continue
            for key in item:
                if key not in CONTACT_KEYS:
                    s.problem(f"{fld}.{key}", _suggest(key, CONTACT_KEYS))
            fonction = item.get("fonction")
            if not isinstance(fonction, str) or not fonction.strip():
                s.problem(f"{fld}.fonction", f"fonction attendue (texte), trouvé {_q(fonction)}")
            contact = {
                "fonction": fonction.strip() if isinstance(fonction, str) else None,
                "telephone": self._phone(s, f"{fld}.telephone", item.get("telephone")),
                "email": self._email(s, f"{fld}.email", item.get("email")),
                "messagerie_securisee": self._mss(
                    s, f"{fld}.messagerie_securisee", item.get("messagerie_securisee")),
            }
            if not any(item.get(k) for k in CONTACT_KEYS[1:]):
                s.problem(f"{fld}.telephone",
                          "aucun moyen de contact (telephone, email ou messagerie_securisee)")
            out.append(contact)
        return out


def _as_date(value: Any) -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


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
        Path(folder) if folder else config.directory_data_dir(),
        gazetteer or Gazetteer.default(),
        vocabulary or Vocabulary.default(),
    ).report


