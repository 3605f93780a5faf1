"""Field checks of the directory YAML files: one method per field kind, each recording a
located ``Problem`` and returning the clean value (or None)."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Sequence

from rapidfuzz import fuzz, process

from knowledge.ages import MAX_AGE, plausible_age
from knowledge.contact import MSS_DOMAIN, is_directory_phone, is_email, is_mss_address
from knowledge.directory.errors import Problem
from knowledge.gazetteer import is_code_insee
from knowledge.directory.tables import REGION_CODE, SLOT_OPENING
from knowledge.hours import JOURS, parse_slots

PUBLIC_KEYS = ("public", "age_min", "age_max")
ZONE_KEYS = ("departements", "communes", "epci", "region")
CONTACT_KEYS = ("fonction", "telephone", "email", "messagerie_securisee")
FERMETURE_KEYS = ("debut", "fin", "motif", "reouverture")

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$")
SIREN_RE = re.compile(r"^\d{9}$")
SLOT_HINT = ('(attendu : "9:00-12:30, 13:30-17:30" ou "fermé", fin au plus tard "24:00", '
             "créneaux sans chevauchement)")
YAML_FIELDS = {"commune_insee": "commune", "reouverture_prevue": "reouverture"}  # column -> key


class ServiceContext:
    """Validation context for one service: records problems with its location."""

    def __init__(self, checker: Any, file: str, index: int, data: dict):
        self.checker, self.file, self.index, self.data = checker, file, index, data
        raw_id = data.get("id")
        self.id = raw_id if isinstance(raw_id, str) else None

    def problem(self, fld: str | None, message: str) -> None:
        self.checker.problems.append(Problem(self.file, message, self.index, self.id, fld))


def quote(value: Any) -> str:
    """A value quoted for an error message."""
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def suggest(key: str, allowed: Sequence[str]) -> str:
    match = process.extractOne(str(key), allowed, scorer=fuzz.ratio, score_cutoff=70)
    hint = f' (vouliez-vous dire "{match[0]}" ?)' if match else ""
    return f"champ inconnu{hint} ; champs possibles : {', '.join(allowed)}"


class FieldChecks:
    """Validators shared by the YAML checker (``self.gaz``, ``self.vocab``, ``self.problems``,
    ``self.seen_ids`` and ``self.region_departements`` are set by it)."""

    @staticmethod
    def _check_lengths(s: ServiceContext, table, row: dict, prefix: str) -> None:
        """Texts longer than their column (PostgreSQL would refuse them at write time)."""
        for column in table.columns:
            limit = getattr(column.type, "length", None)
            value = row.get(column.name)
            if limit and isinstance(value, str) and len(value) > limit:
                name = YAML_FIELDS.get(column.name, column.name)
                s.problem(prefix + name,
                          f"texte trop long ({len(value)} caractères, {limit} au plus)")

    def _id(self, s: ServiceContext) -> str | None:
        value = s.data.get("id")
        if not isinstance(value, str) or not ID_RE.match(value):
            s.problem("id", f"{quote(value)} n'est pas un identifiant valide "
                            '(minuscules, chiffres et tirets, ex. "dac-18")')
            return None
        where = f"{s.file} (service #{s.index})"
        if value in self.seen_ids:
            s.problem("id", f"identifiant déjà utilisé dans {self.seen_ids[value]}")
        else:
            self.seen_ids[value] = where
        return value

    def _text(self, s: ServiceContext, key: str, required: bool = False) -> str | None:
        value = s.data.get(key)
        if value is None:
            if required:
                s.problem(key, "champ obligatoire manquant")
            return None
        if not isinstance(value, str) or not value.strip():
            s.problem(key, f"{quote(value)} n'est pas un texte non vide")
            return None
        return value.strip()

    def _bool(self, s: ServiceContext, key: str, default: bool) -> bool:
        value = s.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            s.problem(key, f"{quote(value)} n'est pas un booléen (true/false)")
            return default
        return value

    def _code(self, s: ServiceContext, fld: str, value: Any, known: dict, what: str) -> str | None:
        if value is None:
            s.problem(fld, "champ obligatoire manquant")
            return None
        if not isinstance(value, str) or value not in known:
            s.problem(fld, f"{quote(value)} n'est pas un code de {what} connu")
            return None
        return value

    def _code_list(self, s: ServiceContext, key: str, known: dict, what: str,
                   required: bool) -> list[dict]:
        values = s.data.get(key)
        if values is None:
            if required:
                s.problem(key, "champ obligatoire manquant (liste de codes)")
            return []
        if not isinstance(values, list) or (required and not values):
            s.problem(key, f"liste de codes de {what} attendue, trouvé {quote(values)}")
            return []
        column = {"missions": "mission", "besoins": "besoin"}[key]
        out, seen = [], set()
        for i, value in enumerate(values, start=1):
            code = self._code(s, f"{key}[{i}]", value, known, what)
            if code in seen:
                s.problem(f"{key}[{i}]", f"{quote(code)} est en double")
            elif code:
                seen.add(code)
                out.append({column: code})
        return out

    def _phone(self, s: ServiceContext, fld: str, value: Any) -> str | None:
        if value is None:
            return None
        if not is_directory_phone(value):
            hint = " (mettez le numéro entre guillemets)" if isinstance(value, int) else ""
            s.problem(fld, f"{quote(value)} n'est pas un numéro de téléphone au format "
                           f'"02 61 91 18 00" ou un numéro court{hint}')
            return None
        return value.strip()

    def _email(self, s: ServiceContext, fld: str, value: Any) -> str | None:
        if value is None:
            return None
        if not is_email(value):
            s.problem(fld, f"{quote(value)} n'est pas une adresse électronique valide")
            return None
        return value.strip()

    def _mss(self, s: ServiceContext, fld: str, value: Any) -> str | None:
        address = self._email(s, fld, value)
        if address and not is_mss_address(address):
            s.problem(fld, f"{quote(address)} n'est pas une adresse MSSanté "
                           f"(domaine en .{MSS_DOMAIN} attendu)")
            return None
        return address

    def _url(self, s: ServiceContext, fld: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not URL_RE.match(value.strip()):
            s.problem(fld, f"{quote(value)} n'est pas une adresse web (http:// ou https://)")
            return None
        return value.strip()

    def _commune(self, s: ServiceContext, fld: str, value: Any) -> str | None:
        if not is_code_insee(value):
            hint = " (mettez le code entre guillemets)" if isinstance(value, int) else ""
            s.problem(fld, f"{quote(value)} n'est pas un code INSEE de commune (5 caractères){hint}")
            return None
        try:
            self.gaz.commune(value)
        except KeyError:
            s.problem(fld, f"{quote(value)} : commune inconnue en Centre-Val de Loire")
            return None
        return value

    def _publics(self, s: ServiceContext) -> list[dict]:
        values = s.data.get("publics")
        if not isinstance(values, list) or not values:
            s.problem("publics", f"liste des publics pris en charge attendue, trouvé {quote(values)}")
            return []
        out = []
        for i, item in enumerate(values, start=1):
            fld = f"publics[{i}]"
            if isinstance(item, str):  # shorthand: "- personne_agee"
                item = {"public": item}
            if not isinstance(item, dict):
                s.problem(fld, f"{quote(item)} n'est pas un public "
                               "({public: code, age_min, age_max})")
                continue
            for key in item:
                if key not in PUBLIC_KEYS:
                    s.problem(f"{fld}.{key}", suggest(key, PUBLIC_KEYS))
            public = self._code(
                s, f"{fld}.public", item.get("public"), self.vocab.publics, "public")
            ages = {}
            for key in ("age_min", "age_max"):
                age = item.get(key)
                valid = plausible_age(age)
                if age is not None and not valid:
                    s.problem(f"{fld}.{key}",
                              f"{quote(age)} n'est pas un âge en années (0 à {MAX_AGE})")
                    age = None
                ages[key] = age
            low, high = ages["age_min"], ages["age_max"]
            if low is not None and high is not None and low > high:
                s.problem(f"{fld}.age_max",
                          f"âge maximal {high} inférieur à l'âge minimal {low}")
            if public:
                out.append({"public": public, **ages})
        return out

    def _zones(self, s: ServiceContext) -> list[dict]:
        zone = s.data.get("zone")
        if not isinstance(zone, dict) or not zone:
            s.problem("zone", f"zone d'intervention attendue (clés {', '.join(ZONE_KEYS)}), "
                              f"trouvé {quote(zone)}")
            return []
        out: list[dict] = []
        problems_before = len(self.problems)
        for key in zone:
            if key not in ZONE_KEYS:
                s.problem(f"zone.{key}", suggest(key, ZONE_KEYS))
        region = zone.get("region", False)
        if not isinstance(region, bool):
            s.problem("zone.region", f"{quote(region)} n'est pas un booléen (true/false)")
        elif region:
            out.append({"kind": "region", "code": REGION_CODE})
        checkers = (("departements", "departement", self._departement),
                    ("epci", "epci", self._epci), ("communes", "commune", self._commune))
        for key, kind, check_code in checkers:
            if key not in zone:
                continue
            codes = zone[key]
            if not isinstance(codes, list) or not codes:
                s.problem(f"zone.{key}", f"liste de codes attendue, trouvé {quote(codes)}")
                continue
            for i, code in enumerate(codes, start=1):
                fld = f"zone.{key}[{i}]"
                checked = check_code(s, fld, code)
                if checked and {"kind": kind, "code": checked} in out:
                    s.problem(fld, f"{quote(checked)} est en double")
                elif checked:
                    out.append({"kind": kind, "code": checked})
        if not out and len(self.problems) == problems_before:
            s.problem("zone", "zone d'intervention vide")
        return out

    def _departement(self, s: ServiceContext, fld: str, value: Any) -> str | None:
        if not isinstance(value, str) or value not in self.region_departements:
            hint = " (mettez le code entre guillemets)" if isinstance(value, int) else ""
            codes = ", ".join(sorted(self.region_departements))
            s.problem(fld, f"{quote(value)} n'est pas un département de la région ({codes}){hint}")
            return None
        return value

    def _epci(self, s: ServiceContext, fld: str, value: Any) -> str | None:
        if not isinstance(value, str) or not SIREN_RE.match(value):
            s.problem(fld,
                      f"{quote(value)} n'est pas un numéro SIREN d'EPCI (9 chiffres entre guillemets)")
            return None
        if not self.gaz.communes_of_epci(value):
            s.problem(fld, f"{quote(value)} : EPCI inconnu en Centre-Val de Loire")
            return None
        return value

    def _horaires(self, s: ServiceContext, permanent: bool) -> list[dict]:
        horaires = s.data.get("horaires")
        if horaires is None:
            if not permanent:
                s.problem("horaires",
                          "horaires manquants (ou permanent: true pour un accueil 24h/24)")
            return []
        if not isinstance(horaires, dict) or (not horaires and not permanent):
            s.problem("horaires",
                      f"horaires attendus par jour (lundi … dimanche), trouvé {quote(horaires)}")
            return []
        out = []
        for day, text in horaires.items():
            fld = f"horaires.{day}"
            if day not in JOURS:
                s.problem(fld, f"{quote(day)} n'est pas un jour ({', '.join(JOURS)})")
                continue
            if text is None:  # "lundi: null" = closed, like a missing day
                continue
            try:
                slots = parse_slots(JOURS.index(day), text)
            except ValueError:
                s.problem(fld, f"{quote(text)} n'est pas un créneau valide {SLOT_HINT}")
                continue
            out.extend({"jour": slot.jour, "debut": slot.debut, "fin": slot.fin,
                        "type_creneau": SLOT_OPENING} for slot in slots)
        return out

    @staticmethod
    def _records(s: ServiceContext, name: str, label: str, keys: Sequence[str]):
        """(field, item) for each mapping of the optional list `name`; the problems of the rest.

        `label` names one item with its article ("une fermeture"); its keys are listed in the message.
        """
        values = s.data.get(name)
        if values is None:
            return
        if not isinstance(values, list):
            s.problem(name, f"liste de {name} attendue, trouvé {quote(values)}")
            return
        for i, item in enumerate(values, start=1):
            fld = f"{name}[{i}]"
            if not isinstance(item, dict):
                s.problem(fld, f"{quote(item)} n'est pas {label} ({{{', '.join(keys)}}})")
                continue
            for key in item:
                if key not in keys:
                    s.problem(f"{fld}.{key}", suggest(key, keys))
            yield fld, item

    def _fermetures(self, s: ServiceContext) -> list[dict]:
        out = []
        for fld, item in self._records(s, "fermetures", "une fermeture", FERMETURE_KEYS):
            dates = {}
            for key in ("debut", "fin", "reouverture"):
                value = item.get(key)
                dates[key] = as_date(value) if value is not None else None
                if value is None and key != "reouverture":
                    s.problem(f"{fld}.{key}", "date obligatoire manquante")
                elif value is not None and dates[key] is None:
                    s.problem(f"{fld}.{key}", f"{quote(value)} n'est pas une date AAAA-MM-JJ")
            motif = item.get("motif")
            if not isinstance(motif, str) or not motif.strip():
                s.problem(f"{fld}.motif", f"motif attendu (texte), trouvé {quote(motif)}")
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

    def _contacts(self, s: ServiceContext) -> list[dict]:
        out = []
        for fld, item in self._records(s, "contacts", "un contact", CONTACT_KEYS):
            fonction = item.get("fonction")
            if not isinstance(fonction, str) or not fonction.strip():
                s.problem(f"{fld}.fonction", f"fonction attendue (texte), trouvé {quote(fonction)}")
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


def as_date(value: Any) -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
