"""Import of a national ROR extraction (FHIR R4, ANS profiles) into the directory.

Reads a FHIR ``Bundle`` (JSON), a single resource, or ``$export`` NDJSON (a file or a folder
of ``*.ndjson``/``*.json``) holding RORHealthcareService, ROROrganization, RORLocation and
RORPractitionerRole resources. Each HealthcareService becomes one directory entry (its
Organization and Location give FINESS, category, address, commune and position); national
codes are turned into Aiguillage's vocabulary by ``knowledge/data/ror-mapping.yaml``.

``parse`` validates everything first (a malformed resource is a ``Problem`` naming the file,
the resource and the element) and ``sync`` writes in one transaction: all or nothing,
idempotent, with a report created / updated / unchanged / withdrawn / skipped.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, insert, select, update

from knowledge import config
from knowledge.directory.errors import DirectoryDataError, Problem
from knowledge.directory.model import region_departements
from knowledge.directory.tables import (
    ACCES_LIBRE,
    CHILD_TABLES,
    IMPORT,
    ORIGIN_ROR,
    REGION_CODE,
    SERVICE,
    SLOT_OPENING,
)
from knowledge.gazetteer import Gazetteer
from knowledge.hours import Schedule, Slot
from knowledge.vocabulary import Vocabulary

OFFER = "HealthcareService"
CONTEXT_TYPES = ("Organization", "Location")
NOT_IMPORTED = {"PractitionerRole": "personnes (PractitionerRole) : jamais importées",
                "Practitioner": "personnes (Practitioner) : jamais importées"}
MIDNIGHT = time(0)
OPEN_END = date(9999, 12, 30)  # a closure without planned reopening
FHIR_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRE_RE = re.compile(r"(TRE[_-]R\d+)")
TIME_RE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?$")
DIGITS_RE = re.compile(r"\D")
TERRITORY = {"1": "region", "2": "departement", "3": "commune"}  # TRE_R201 (4-6 not used)
PHONE_CHANNELS = {"1", "2"}  # TRE_R200: mobile, fixe
MAIL_CHANNEL, WEB_CHANNEL = "3", "4"
MSS_DOMAIN = "mssante.fr"
SD_SENSITIVE = ("https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
                "ror-healthcareservice-sensitive-unit")


def mapping_path() -> Path:
    return config.project_root() / "knowledge" / "data" / "ror-mapping.yaml"


# --------------------------------------------------------------------------------------------
# Mapping table


@dataclass(frozen=True)
class Mapping:
    """``knowledge/data/ror-mapping.yaml``: national codes -> Aiguillage codes."""

    types: dict[str, dict[str, str]]  # code system ("TRE_R66") -> code -> resource type
    publics: dict[str, dict[str, str]]
    fonctionnement: str
    ouverture: frozenset[str]
    defaults: dict[str, Any]
    par_type: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, path: Path | None = None, vocabulary: Vocabulary | None = None) -> "Mapping":
        path = Path(path or mapping_path())
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        vocab = vocabulary or Vocabulary.default()
        m = cls(
            types={k: {str(c): t for c, t in (v or {}).items()} for k, v in doc["types"].items()},
            publics={k: {str(c): p for c, p in (v or {}).items()}
                     for k, v in doc["publics"].items()},
            fonctionnement=str(doc["horaires"]["fonctionnement"]),
            ouverture=frozenset(str(c) for c in doc["horaires"]["ouverture"]),
            defaults=doc["defaults"], par_type=doc.get("par_type") or {},
        )
        bad = [f"type {t}" for v in m.types.values() for t in v.values()
               if t not in vocab.resource_types]
        bad += [f"public {p}" for v in m.publics.values() for p in v.values()
                if p not in vocab.publics]
        for t, extra in [(None, m.defaults), *m.par_type.items()]:
            if t is not None and t not in vocab.resource_types:
                bad.append(f"type {t}")
            bad += [f"mission {x}" for x in extra.get("missions", ()) if x not in vocab.missions]
            bad += [f"public {x}" for x in extra.get("publics", ()) if x not in vocab.publics]
        if bad:
            raise DirectoryDataError([Problem(path.name, f"code inconnu du vocabulaire : {b}")
                                      for b in bad])
        return m

    def for_type(self, type_: str, key: str) -> Any:
        return (self.par_type.get(type_) or {}).get(key, self.defaults[key])


# --------------------------------------------------------------------------------------------
# Report


@dataclass
class RorReport:
    """What an import did (or would do, with ``dry_run``)."""

    source: str
    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (resource, reason)
    ignored: Counter = field(default_factory=Counter)  # resource type -> count
    unmapped: Counter = field(default_factory=Counter)  # "TRE_R66#999" -> offers

    def summary(self) -> str:
        """French report printed by the command line."""
        head = "Import ROR (simulation, rien n'est écrit)" if self.dry_run else "Import ROR"
        lines = [
            f"{head} depuis {self.source} :",
            f"créées {len(self.created)}, mises à jour {len(self.updated)}, "
            f"inchangées {len(self.unchanged)}, retirées {len(self.withdrawn)}, "
            f"ignorées {len(self.skipped)}",
        ]
        for label, ids in (("créées", self.created), ("mises à jour", self.updated),
                           ("retirées", self.withdrawn)):
            if ids:
                lines.append(f"{label} : {', '.join(ids)}")
        for ref, reason in self.skipped:
            lines.append(f"- ignorée {ref} : {reason}")
        for rtype, n in sorted(self.ignored.items()):
            lines.append(f"- {n} {NOT_IMPORTED.get(rtype, f'ressource(s) {rtype} non lue(s)')}")
        if self.unmapped:
            codes = ", ".join(f"{c} ({n})" for c, n in sorted(self.unmapped.items()))
            lines.append(f"codes nationaux sans correspondance (à ajouter dans "
                         f"knowledge/data/ror-mapping.yaml) : {codes}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Reading the files


def read_resources(path: Path) -> list[tuple[str, dict]]:
    """(file name, resource) for every resource of a Bundle, resource or NDJSON file/folder."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".ndjson", ".json"))
        if not files:
            raise DirectoryDataError([Problem(str(path), "aucun fichier .ndjson ou .json")])
    elif path.is_file():
        files = [path]
    else:
        raise DirectoryDataError([Problem(str(path), "fichier ou dossier introuvable")])
    out: list[tuple[str, dict]] = []
    problems: list[Problem] = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(f.name, f"pas du texte UTF-8 (octet {exc.start})"))
            continue
        if f.suffix == ".ndjson":
            docs = []
            for n, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    try:
                        docs.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        problems.append(Problem(f.name, f"ligne {n} : JSON invalide ({exc.msg})"))
        else:
            try:
                docs = [json.loads(text)]
            except json.JSONDecodeError as exc:
                problems.append(Problem(f.name, f"JSON invalide (ligne {exc.lineno}, colonne "
                                                f"{exc.colno}) : {exc.msg}"))
                continue
        for doc in docs:
            if isinstance(doc, dict) and doc.get("resourceType") == "Bundle":
                entries = doc.get("entry") or []
                if not isinstance(entries, list):
                    problems.append(Problem(f.name, "Bundle.entry doit être une liste",
                                            field="Bundle.entry"))
                    continue
                for i, entry in enumerate(entries):
                    res = entry.get("resource") if isinstance(entry, dict) else None
                    if not isinstance(res, dict):
                        problems.append(Problem(f.name, "entrée sans ressource",
                                                field=f"Bundle.entry[{i}].resource"))
                    else:
                        out.append((f.name, res))
            elif isinstance(doc, dict) and isinstance(doc.get("resourceType"), str):
                out.append((f.name, doc))
            else:
                problems.append(Problem(f.name, "ressource FHIR attendue (resourceType manquant)"))
    if problems:
        raise DirectoryDataError(problems)
    return out


# --------------------------------------------------------------------------------------------
# FHIR helpers


class _Malformed(Exception):
    def __init__(self, element: str, message: str):
        super().__init__(message)
        self.element, self.message = element, message


def _list(value: Any, element: str) -> list:
    if value is None:
        return []
    if isinstance(value, dict):  # a 0..1 element some producers write as an object
        return [value]
    if not isinstance(value, list):
        raise _Malformed(element, f"liste attendue, trouvé {type(value).__name__}")
    return value


def _exts(node: dict, name: str, element: str) -> list[dict]:
    """Extensions of ``node`` whose URL ends with ``name`` (ROR URL, old or new base)."""
    out = []
    for i, ext in enumerate(_list(node.get("extension"), f"{element}.extension")):
        if not isinstance(ext, dict) or not isinstance(ext.get("url"), str):
            raise _Malformed(f"{element}.extension[{i}]", "extension sans url")
        url = ext["url"]
        if url == name or url.rstrip("/").rsplit("/", 1)[-1] == name:
            out.append(ext)
    return out


def _codings(concept: Any, element: str) -> list[tuple[str, str, str]]:
    """(code system short name such as "TRE_R66", code, display) of a CodeableConcept."""
    if concept is None:
        return []
    if not isinstance(concept, dict):
        raise _Malformed(element, "CodeableConcept attendu")
    out = []
    for i, coding in enumerate(_list(concept.get("coding"), f"{element}.coding")):
        if not isinstance(coding, dict) or coding.get("code") is None:
            raise _Malformed(f"{element}.coding[{i}]", "coding sans code")
        system = str(coding.get("system") or "")
        match = TRE_RE.search(system)
        name = match.group(1).replace("-", "_") if match else system
        out.append((name, str(coding["code"]), str(coding.get("display") or "")))
    return out


def _code(concept: Any, element: str) -> str | None:
    codes = _codings(concept, element)
    return codes[0][1] if codes else None


def _date(value: Any, element: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Malformed(element, f"date attendue, trouvé {value!r}")
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise _Malformed(element, f"{value!r} n'est pas une date FHIR") from None


def _time(value: Any, element: str) -> time:
    match = TIME_RE.match(value) if isinstance(value, str) else None
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise _Malformed(element, f"{value!r} n'est pas une heure hh:mm:ss")
    hour = int(match.group(1))
    return MIDNIGHT if hour == 24 else time(hour, int(match.group(2)))


def _phone(value: str) -> str:
    digits = DIGITS_RE.sub("", value)
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    if len(digits) == 10 and digits.startswith("0"):
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return value.strip()


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


# --------------------------------------------------------------------------------------------
# Parsing


@dataclass
class Parsed:
    """Rows of the entries to import (by service id) and the report so far."""

    rows: dict[str, dict[str, Any]]  # id -> {"service": row, "missions": [...], ...}
    report: RorReport


class _Offer:
    """One HealthcareService being read; ``skip`` records why it is left out."""

    def __init__(self, file: str, res: dict, number: int):
        self.file, self.res = file, res
        rid = res.get("id")
        self.ref = f"{OFFER}/{rid}" if rid else f"{OFFER} n°{number} de {file} (sans id)"


def parse(path: Path, *, gazetteer: Gazetteer | None = None,
          vocabulary: Vocabulary | None = None, mapping: Mapping | None = None) -> Parsed:
    """Reads and maps an extraction; raises DirectoryDataError listing every malformed
    resource (nothing is written by this function)."""
    gaz = gazetteer or Gazetteer.default()
    vocab = vocabulary or Vocabulary.default()
    mapping = mapping or Mapping.load(vocabulary=vocab)
    path = Path(path)
    resources = read_resources(path)
    report = RorReport(source=path.name)
    context: dict[str, dict] = {}
    offers: list[_Offer] = []
    problems: list[Problem] = []
    for file, res in resources:
        rtype, rid = res.get("resourceType"), res.get("id")
        if rid is not None and not isinstance(rid, str):
            problems.append(Problem(file, "id doit être un texte", service_id=str(rid),
                                    field=f"{rtype}.id"))
            continue
        if rtype in CONTEXT_TYPES:
            context[f"{rtype}/{rid}"] = res
        elif rtype == OFFER:
            offers.append(_Offer(file, res, len(offers) + 1))
        else:
            report.ignored[rtype] += 1
    reader = _Reader(gaz, vocab, mapping, context, report)
    rows: dict[str, dict] = {}
    for offer in offers:
        try:
            entry = reader.offer(offer)
        except _Malformed as exc:
            problems.append(Problem(offer.file, exc.message, service_id=offer.ref,
                                    field=exc.element))
            continue
        if entry is None:
            continue
        sid = entry["service"]["id"]
        if sid in rows:
            report.skipped.append((offer.ref, f"identifiant d'offre déjà lu ({sid})"))
            continue
        rows[sid] = entry
    if problems:
        raise DirectoryDataError(problems)
    return Parsed(rows, report)


class _Reader:
    def __init__(self, gaz: Gazetteer, vocab: Vocabulary, mapping: Mapping,
                 context: dict[str, dict], report: RorReport):
        self.gaz, self.vocab, self.mapping = gaz, vocab, mapping
        self.context, self.report = context, report
        self.region_deps = set(region_departements(gaz))

    def _ref(self, value: Any, element: str, rtype: str) -> dict | None:
        refs = _list(value, element)
        for i, ref in enumerate(refs):
            if not isinstance(ref, dict):
                raise _Malformed(f"{element}[{i}]", "Reference attendue")
            target = ref.get("reference")
            if isinstance(target, str):
                key = "/".join(target.rstrip("/").split("/")[-2:])
                if key.startswith(rtype + "/") and key in self.context:
                    return self.context[key]
        return None

    def _commune(self, code: str | None) -> str | None:
        if not code:
            return None
        try:
            self.gaz.commune(code)
        except KeyError:
            return None
        return code

    def offer(self, o: _Offer) -> dict | None:
        res, E = o.res, OFFER
        skip = self.report.skipped
        meta = res.get("meta") or {}
        if not isinstance(meta, dict):
            raise _Malformed(f"{E}.meta", "objet attendu")
        updated = _date(meta.get("lastUpdated"), f"{E}.meta.lastUpdated")
        identifiers = _list(res.get("identifier"), f"{E}.identifier")
        ror_id = next((i.get("value") for i in identifiers
                       if isinstance(i, dict) and isinstance(i.get("value"), str)
                       and i["value"].strip()), None)
        name = res.get("name")
        if name is not None and not isinstance(name, str):
            raise _Malformed(f"{E}.name", "texte attendu")
        missing = [f for f, v in (("identifier", ror_id), ("name", name),
                                  ("meta.lastUpdated", updated)) if not v]
        org = self._ref(res.get("providedBy"), f"{E}.providedBy", "Organization")
        loc = self._ref(res.get("location"), f"{E}.location", "Location")

        # Type: the offer's activities, then its organisation's category.
        activities = [c for c in _codings_list(res.get("specialty"), f"{E}.specialty")
                      if c[0] == "TRE_R211"]
        categories = _codings_list(res.get("category"), f"{E}.category")
        if org:
            categories += _codings_list(org.get("type"), "Organization.type")
        type_ = None
        for system in ("TRE_R211", "TRE_R244", "TRE_R66"):
            pool = activities if system == "TRE_R211" else categories
            type_ = next((self.mapping.types.get(system, {}).get(code)
                          for s, code, _ in pool
                          if s == system and code in self.mapping.types.get(system, {})), None)
            if type_:
                break
        # Structure first: a malformed resource is an error even when it would be skipped.
        publics = self._publics(res)
        horaires, permanent = self._hours(res)
        fermetures = self._closures(res)
        zones = self._zones(res)
        contacts, phones, mails, mss, webs = self._contacts(res, org)
        sensitive = any(x.get("valueBoolean") is True
                        for x in _exts(res, "ror-healthcareservice-sensitive-unit", E))
        if sensitive:  # uniteSensible: the whole description is confidential
            skip.append((o.ref, "unité sensible : offre confidentielle, jamais diffusée"))
            return None
        if missing:
            skip.append((o.ref, f"champ manquant : {', '.join(missing)}"))
            return None
        if type_ is None:
            codes = sorted({f"{s}#{c}" for s, c, _ in categories + activities})
            for code in codes:
                self.report.unmapped[code] += 1
            skip.append((o.ref, "catégorie inconnue"
                         + (f" ({', '.join(codes)})" if codes else " (aucun code)")))
            return None

        # Place: Location address, commune (COG) and position.
        adresse, commune, position = None, None, None
        for place, label in ((loc, "Location"), (org, "Organization")):
            if not place:
                continue
            if adresse is None:
                adresse = _address(place.get("address"), f"{label}.address")
            if label == "Location":
                cog = next((_code(x.get("valueCodeableConcept"), f"{label}.extension")
                            for x in _exts(place, "ror-commune-cog", label)), None)
                commune = self._commune(cog)
                pos = place.get("position")
                if pos is not None:
                    lat, lon = (pos.get("latitude"), pos.get("longitude")) \
                        if isinstance(pos, dict) else (None, None)
                    if not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                               for v in (lat, lon)):
                        raise _Malformed("Location.position", "latitude et longitude attendues")
                    position = (float(lat), float(lon))

        if not zones and commune:
            zones = [{"kind": "commune", "code": commune}]
        if not zones:
            skip.append((o.ref, "hors région (zone d'intervention et lieu hors "
                                "Centre-Val de Loire)"))
            return None

        for i, tel in enumerate(_list(res.get("telecom"), f"{E}.telecom")):
            el = f"{E}.telecom[{i}]"
            if not isinstance(tel, dict) or not isinstance(tel.get("value"), str):
                raise _Malformed(el, "telecom sans valeur")
            level = next((_code(x.get("valueCodeableConcept"), el) for x in
                          _exts(tel, "ror-telecom-confidentiality-level", el)), ACCES_LIBRE)
            if level != ACCES_LIBRE:
                continue
            value = tel["value"].strip()
            (mss if value.lower().endswith(MSS_DOMAIN) else mails).append(value)
        if not (phones or mss or mails):
            skip.append((o.ref, "champ manquant : aucun moyen de contact en accès libre"))
            return None

        codes, low, high = publics
        publics = [{"public": p, "age_min": low, "age_max": high}
                   for p in codes or self.mapping.for_type(type_, "publics")]
        secteurs = [{"code": x["valueString"].strip()}
                    for x in _exts(res, "ror-healthcareservice-psychiatric-sector", E)
                    if isinstance(x.get("valueString"), str) and x["valueString"].strip()]
        finess = None
        if org:
            for ident in _list(org.get("identifier"), "Organization.identifier"):
                if isinstance(ident, dict) and "finess" in str(ident.get("system", "")).lower():
                    finess = str(ident.get("value") or "") or None
        comment = res.get("comment")
        service = {
            "id": f"ror-{_slug(ror_id)}"[:64], "type": type_, "nom": name.strip()[:200],
            "description": comment.strip() if isinstance(comment, str) else "",
            "audience": self.mapping.for_type(type_, "audience"),
            "telephone": phones[0] if phones else None,
            "messagerie_securisee": mss[0] if mss else None,
            "email": mails[0] if mails else None,
            "adresse": adresse, "commune_insee": commune,
            "site_web": webs[0] if webs else None,
            "permanent": permanent, "ferme_jours_feries": not permanent,
            "source": f"ROR (FHIR) – {o.file}", "verifie_le": updated, "exemple": False,
            "origine": ORIGIN_ROR, "ror_id": ror_id[:64], "finess": finess,
            "champ_activite": _code(res.get("type") if not isinstance(res.get("type"), list)
                                    else (res["type"] or [None])[0], f"{E}.type"),
            "activites": ",".join(c for _, c, _ in activities)[:300] or None,
            "latitude": position[0] if position else None,
            "longitude": position[1] if position else None,
            "mis_a_jour": str(meta.get("lastUpdated"))[:40],
        }
        return {
            "service": service,
            "missions": [{"mission": m} for m in self.mapping.for_type(type_, "missions")],
            "publics": publics, "besoins": [], "zones": zones, "horaires": horaires,
            "fermetures": fermetures, "contacts": contacts, "secteurs": secteurs,
        }

    def _zones(self, res: dict) -> list[dict]:
        out: list[dict] = []
        for i, ext in enumerate(_exts(res, "ror-territorial-division", OFFER)):
            el = f"{OFFER}.extension:ror-territorial-division[{i}]"
            kind = code = None
            for sub in _list(ext.get("extension"), el):
                if not isinstance(sub, dict):
                    raise _Malformed(el, "extension attendue")
                if sub.get("url") == "typeTerritorialDivision":
                    kind = TERRITORY.get(_code(sub.get("valueCodeableConcept"), el) or "")
                elif sub.get("url") == "codeTerritorialDivision":
                    code = _code(sub.get("valueCodeableConcept"), el)
            zone = None
            if kind == "region" and code == REGION_CODE:
                zone = {"kind": "region", "code": REGION_CODE}
            elif kind == "departement" and code in self.region_deps:
                zone = {"kind": "departement", "code": code}
            elif kind == "commune" and self._commune(code):
                zone = {"kind": "commune", "code": code}
            if zone and zone not in out:
                out.append(zone)
        return out

    def _publics(self, res: dict) -> tuple[list[str], int | None, int | None]:
        """Mapped public codes and the age range (None: no bound)."""
        publics: list[str] = []
        low = high = None
        for ext in _exts(res, "ror-healthcareservice-patient-type", OFFER):
            el = f"{OFFER}.extension:ror-healthcareservice-patient-type"
            for sub in _list(ext.get("extension"), el):
                if not isinstance(sub, dict):
                    raise _Malformed(el, "extension attendue")
                if sub.get("url") == "supportedPatientInfo":
                    for system, code, _ in _codings(sub.get("valueCodeableConcept"),
                                                    f"{el}.supportedPatientInfo"):
                        mapped = self.mapping.publics.get(system, {}).get(code)
                        if mapped and mapped not in publics:
                            publics.append(mapped)
                        elif not mapped:
                            self.report.unmapped[f"{system}#{code}"] += 1
                elif sub.get("url") == "ageRange":
                    rng = sub.get("valueRange")
                    if not isinstance(rng, dict):
                        raise _Malformed(f"{el}.ageRange", "valueRange attendu")
                    low = _age(rng.get("low"), f"{el}.ageRange.low")
                    high = _age(rng.get("high"), f"{el}.ageRange.high")
        if low is not None and high is not None and low > high:
            raise _Malformed(f"{OFFER}.extension:ror-healthcareservice-patient-type.ageRange",
                             f"âge minimal {low} supérieur à l'âge maximal {high}")
        low = None if low in (None, 0) else low
        high = None if high is None or high >= 120 else high
        return publics, low, high

    def _contacts(self, res: dict, org: dict | None):
        contacts: list[dict] = []
        phones: list[str] = []
        mails: list[str] = []
        mss: list[str] = []
        webs: list[str] = []
        for i, ext in enumerate(_exts(res, "ror-healthcareservice-contact", OFFER)):
            el = f"{OFFER}.extension:ror-healthcareservice-contact[{i}]"
            purpose, level, telecoms = "Contact", ACCES_LIBRE, []
            for sub in _list(ext.get("extension"), el):
                if not isinstance(sub, dict):
                    raise _Malformed(el, "extension attendue")
                url = str(sub.get("url", ""))
                if url == "purposeContact":
                    codes = _codings(sub.get("valueCodeableConcept"), f"{el}.purposeContact")
                    purpose = (codes[0][2] or f"Contact {codes[0][1]}") if codes else purpose
                elif url.endswith("ror-confidentiality-level"):
                    level = _code(sub.get("valueCodeableConcept"), el) or ACCES_LIBRE
                elif url.endswith("ror-healthcareservice-contact-telecom"):
                    channel, value, tlevel = None, None, ACCES_LIBRE
                    for t in _list(sub.get("extension"), f"{el}.telecom"):
                        turl = str(t.get("url", "")) if isinstance(t, dict) else ""
                        if turl.endswith("ror-telecom-communication-channel"):
                            channel = _code(t.get("valueCodeableConcept"), f"{el}.telecom")
                        elif turl == "telecomAddress":
                            value = t.get("valueString")
                        elif turl.endswith("ror-telecom-confidentiality-level"):
                            tlevel = _code(t.get("valueCodeableConcept"), f"{el}.telecom")
                    if not isinstance(value, str) or not value.strip():
                        raise _Malformed(f"{el}.telecom", "telecomAddress manquant")
                    telecoms.append((channel, value.strip(), tlevel))
            row = {"fonction": purpose[:120], "telephone": None, "email": None,
                   "messagerie_securisee": None, "confidentialite": level}
            for channel, value, tlevel in telecoms:
                public = level == ACCES_LIBRE and tlevel == ACCES_LIBRE
                if channel in PHONE_CHANNELS:
                    row["telephone"] = row["telephone"] or _phone(value)
                    if public:
                        phones.append(_phone(value))
                elif channel == MAIL_CHANNEL:
                    is_mss = value.lower().endswith(MSS_DOMAIN)
                    key = "messagerie_securisee" if is_mss else "email"
                    row[key] = row[key] or value
                    if public:
                        (mss if is_mss else mails).append(value)
                elif channel == WEB_CHANNEL and public:
                    webs.append(value)
                if tlevel != ACCES_LIBRE:
                    row["confidentialite"] = tlevel  # the whole contact is then kept private
            if row["telephone"] or row["email"] or row["messagerie_securisee"]:
                contacts.append(row)
        if org:  # Organization.contact (standard FHIR ContactPoint) as a fallback
            for i, c in enumerate(_list(org.get("contact"), "Organization.contact")):
                el = f"Organization.contact[{i}]"
                if not isinstance(c, dict):
                    raise _Malformed(el, "contact attendu")
                level = next((_code(x.get("valueCodeableConcept"), el) for x in
                              _exts(c, "ror-contact-confidentiality-level", el)), ACCES_LIBRE)
                for tel in _list(c.get("telecom"), f"{el}.telecom"):
                    if not isinstance(tel, dict) or not isinstance(tel.get("value"), str):
                        raise _Malformed(f"{el}.telecom", "telecom sans valeur")
                    tlevel = next((_code(x.get("valueCodeableConcept"), el) for x in
                                   _exts(tel, "ror-telecom-confidentiality-level", el)),
                                  ACCES_LIBRE)
                    if level == ACCES_LIBRE and tlevel == ACCES_LIBRE \
                            and tel.get("system") == "phone":
                        phones.append(_phone(tel["value"]))
        return contacts, phones, mails, mss, webs

    def _hours(self, res: dict) -> tuple[list[dict], bool]:
        slots: list[dict] = []
        for i, at in enumerate(_list(res.get("availableTime"), f"{OFFER}.availableTime")):
            el = f"{OFFER}.availableTime[{i}]"
            if not isinstance(at, dict):
                raise _Malformed(el, "objet attendu")
            kind = next((_code(x.get("valueCodeableConcept"), el)
                         for x in _exts(at, "ror-available-time-type-of-time", el)), None)
            days: list[int] = []
            for d in _list(at.get("daysOfWeek"), f"{el}.daysOfWeek"):
                if d not in FHIR_DAYS:
                    raise _Malformed(f"{el}.daysOfWeek", f"{d!r} n'est pas un jour FHIR")
                days.append(FHIR_DAYS.index(d))
            for x in _exts(at, "ror-available-time-number-days-of-week", el):
                try:
                    n = int(x.get("valueInteger"))
                except (TypeError, ValueError):
                    n = 0
                if not 1 <= n <= 7:
                    raise _Malformed(f"{el}.extension:ror-available-time-number-days-of-week",
                                     f"{x.get('valueInteger')!r} n'est pas un jour (1 à 7)")
                days.append(n - 1)
            start = end = None
            for x in _exts(at, "ror-available-time-effective-opening-closing-date", el):
                period = x.get("valuePeriod") or {}
                start = _date(period.get("start"), f"{el}.effectivePeriod.start")
                end = _date(period.get("end"), f"{el}.effectivePeriod.end")
            if at.get("allDay") is True:
                debut, fin = time(0), MIDNIGHT
            else:
                debut = _time(at.get("availableStartTime"), f"{el}.availableStartTime")
                fin = _time(at.get("availableEndTime"), f"{el}.availableEndTime")
                if fin != MIDNIGHT and fin <= debut:
                    raise _Malformed(f"{el}.availableEndTime", "fin avant le début")
            if not days:
                raise _Malformed(el, "aucun jour (daysOfWeek ou "
                                     "ror-available-time-number-days-of-week)")
            code = kind or self.mapping.fonctionnement
            for day in sorted(set(days)):
                slots.append({"jour": day, "debut": debut, "fin": fin, "code": code,
                              "debut_effectif": start, "fin_effectif": end})
        # Opening = "Horaire de fonctionnement" when given, else the other opening types.
        codes = {s["code"] for s in slots}
        opening = {self.mapping.fonctionnement} if self.mapping.fonctionnement in codes \
            else self.mapping.ouverture
        rows = []
        for s in slots:
            code = s.pop("code")
            s["type_creneau"] = SLOT_OPENING if code in opening else f"R252-{code}"[:20]
            rows.append(s)
        current = [s for s in rows if s["type_creneau"] == SLOT_OPENING]
        try:  # same checks as the hours module (overlaps) on the slots in force together
            Schedule(slots=tuple(Slot(s["jour"], s["debut"], s["fin"]) for s in current
                                 if s["fin_effectif"] is None))
        except ValueError as exc:
            raise _Malformed(f"{OFFER}.availableTime", f"créneaux incohérents ({exc})") from None
        full = {s["jour"] for s in current if s["debut"] == time(0) and s["fin"] == MIDNIGHT
                and s["debut_effectif"] is None and s["fin_effectif"] is None}
        permanent = full == set(range(7))
        if permanent:
            rows = [s for s in rows if s["type_creneau"] != SLOT_OPENING]
        rows.sort(key=lambda s: (s["jour"], s["debut"], s["type_creneau"]))
        return rows, permanent

    def _closures(self, res: dict) -> list[dict]:
        out = []
        for i, na in enumerate(_list(res.get("notAvailable"), f"{OFFER}.notAvailable")):
            el = f"{OFFER}.notAvailable[{i}]"
            if not isinstance(na, dict):
                raise _Malformed(el, "objet attendu")
            during = na.get("during") or {}
            start = _date(during.get("start"), f"{el}.during.start")
            reopening = _date(during.get("end"), f"{el}.during.end")
            if start is None:
                continue  # a description without dates cannot close anything
            if reopening is not None and reopening <= start:
                raise _Malformed(f"{el}.during.end", "réouverture pas après la fermeture")
            motif = na.get("description")
            out.append({
                "debut": start, "fin": start if reopening else OPEN_END,
                "motif": (motif.strip() if isinstance(motif, str) and motif.strip()
                          else "Fermeture")[:200],
                "reouverture_prevue": reopening,
            })
        return out


def _codings_list(value: Any, element: str) -> list[tuple[str, str, str]]:
    out = []
    for i, concept in enumerate(_list(value, element)):
        out += _codings(concept, f"{element}[{i}]")
    return out


def _age(quantity: Any, element: str) -> int | None:
    if quantity is None:
        return None
    value = quantity.get("value") if isinstance(quantity, dict) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 150:
        raise _Malformed(element, f"âge attendu, trouvé {quantity!r}")
    return int(value)


def _address(addr: Any, element: str) -> str | None:
    if addr is None:
        return None
    addr = addr[0] if isinstance(addr, list) and addr else addr
    if not isinstance(addr, dict):
        raise _Malformed(element, "Address attendue")
    lines = [x for x in _list(addr.get("line"), f"{element}.line") if isinstance(x, str)]
    city = " ".join(x for x in (addr.get("postalCode"), addr.get("city")) if isinstance(x, str))
    text = ", ".join(x.strip() for x in [*lines, city] if x and x.strip())
    if city and lines and city.lower() in lines[-1].lower():  # "7 rue … 78000 Versailles"
        text = ", ".join(x.strip() for x in lines)
    return text[:300] or None


# --------------------------------------------------------------------------------------------
# Writing


def fingerprint(entry: dict) -> str:
    data = json.dumps(entry, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def sync(engine, parsed: Parsed, *, at: datetime, dry_run: bool = False) -> RorReport:
    """Applies ``parsed`` to the database in one transaction (or only reports, ``dry_run``).

    New offers are created, changed ones updated, identical ones left alone; ROR entries of
    the database missing from this extraction are withdrawn (kept, never served).
    """
    report = parsed.report
    report.dry_run = dry_run
    with engine.begin() as conn:
        existing = {r["id"]: r for r in conn.execute(
            select(SERVICE.c.id, SERVICE.c.origine, SERVICE.c.empreinte, SERVICE.c.retire_le)
        ).mappings()}
        clash = [sid for sid in parsed.rows
                 if sid in existing and existing[sid]["origine"] != ORIGIN_ROR]
        if clash:
            raise DirectoryDataError([Problem(report.source, "identifiant déjà utilisé par une "
                                                             "entrée YAML", service_id=sid)
                                      for sid in clash])
        writes: list[tuple[str, dict]] = []
        for sid, entry in sorted(parsed.rows.items()):
            digest = fingerprint(entry)
            old = existing.get(sid)
            if old is None:
                report.created.append(sid)
            elif old["empreinte"] == digest and old["retire_le"] is None:
                report.unchanged.append(sid)
                continue
            else:
                report.updated.append(sid)
            writes.append((sid, {**entry, "service": {**entry["service"], "empreinte": digest,
                                                       "retire_le": None, "retire_par": None}}))
        report.withdrawn = sorted(
            sid for sid, r in existing.items()
            if r["origine"] == ORIGIN_ROR and r["retire_le"] is None and sid not in parsed.rows)
        if dry_run:
            conn.rollback()
            return report
        run_id = conn.execute(insert(IMPORT).values(
            at=at.replace(tzinfo=None), source=report.source[:300],
            created=len(report.created), updated=len(report.updated),
            unchanged=len(report.unchanged), withdrawn=len(report.withdrawn),
            skipped=len(report.skipped))).inserted_primary_key[0]
        ids = [sid for sid, _ in writes]
        for table in CHILD_TABLES.values():
            if ids:
                conn.execute(table.delete().where(table.c.service_id.in_(ids)))
        if ids:
            conn.execute(SERVICE.delete().where(SERVICE.c.id.in_(ids)))
            conn.execute(insert(SERVICE), [e["service"] for _, e in writes])
        for key, table in CHILD_TABLES.items():
            rows = [{"service_id": sid, "rang": rang, **child}
                    for sid, e in writes for rang, child in enumerate(e[key])]
            if rows:
                conn.execute(insert(table), rows)
        if report.withdrawn:
            conn.execute(update(SERVICE).where(SERVICE.c.id.in_(report.withdrawn))
                         .values(retire_le=at.replace(tzinfo=None), retire_par=run_id))
    return report


def last_import_id(conn) -> int | None:
    return conn.execute(select(func.max(IMPORT.c.id))).scalar()

