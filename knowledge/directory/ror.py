"""Import of a national ROR extraction (FHIR R4, ANS profiles): reading and mapping.

Reads a FHIR ``Bundle`` (JSON), a single resource, or ``$export`` NDJSON (a file or a folder
of ``*.ndjson``/``*.json``) holding RORHealthcareService, ROROrganization, RORLocation and
RORPractitionerRole resources. Each HealthcareService becomes one directory entry (its
Organization and Location give FINESS, category, address, commune and position); national
codes are turned into Aiguillage's vocabulary by ``knowledge/data/ror-mapping.yaml``
(``ror_mapping``).

``parse`` validates everything first (a malformed resource is a ``Problem`` naming the file,
the resource and the element); ``ror_sync.sync`` then writes in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.contact import is_mss_address
from knowledge.directory.errors import DirectoryDataError, Problem
from knowledge.directory.fhir import (
    Malformed,
    address,
    age,
    as_list,
    code_of,
    codings,
    codings_list,
    extensions,
    fhir_date,
    phone,
    read_resources,
    slug,
)
from knowledge.directory.model import region_departements
from knowledge.directory.ror_hours import available_time, closures
from knowledge.directory.ror_mapping import Mapping, RorReport
from knowledge.directory.tables import ACCES_LIBRE, ORIGIN_ROR, REGION_CODE
from knowledge.gazetteer import Gazetteer
from knowledge.vocabulary import Vocabulary

__all__ = ["Mapping", "Parsed", "RorReport", "parse", "read_resources"]

OFFER = "HealthcareService"
CONTEXT_TYPES = ("Organization", "Location")
TERRITORY = {"1": "region", "2": "departement", "3": "commune"}  # TRE_R201 (4-6 not used)
PHONE_CHANNELS = {"1", "2"}  # TRE_R200: mobile, fixe
MAIL_CHANNEL, WEB_CHANNEL = "3", "4"
SD_SENSITIVE = ("https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
                "ror-healthcareservice-sensitive-unit")


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
        except Malformed as exc:
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
        refs = as_list(value, element)
        for i, ref in enumerate(refs):
            if not isinstance(ref, dict):
                raise Malformed(f"{element}[{i}]", "Reference attendue")
            target = ref.get("reference")
            if isinstance(target, str):
                key = "/".join(target.rstrip("/").split("/")[-2:])
                if key.startswith(rtype + "/") and key in self.context:
                    return self.context[key]
        return None

    def _org_chain(self, org: dict | None, depth: int = 4) -> list[dict]:
        """``org`` and the organisations it is ``partOf`` (OI → EG → EJ), nearest first."""
        chain: list[dict] = []
        while org is not None and org not in chain and len(chain) < depth:
            chain.append(org)
            org = self._ref(org.get("partOf"), "Organization.partOf", "Organization")
        return chain

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
            raise Malformed(f"{E}.meta", "objet attendu")
        updated = fhir_date(meta.get("lastUpdated"), f"{E}.meta.lastUpdated")
        identifiers = as_list(res.get("identifier"), f"{E}.identifier")
        ror_id = next((i.get("value") for i in identifiers
                       if isinstance(i, dict) and isinstance(i.get("value"), str)
                       and i["value"].strip()), None)
        name = res.get("name")
        if name is not None and not isinstance(name, str):
            raise Malformed(f"{E}.name", "texte attendu")
        missing = [f for f, v in (("identifier", ror_id), ("name", name),
                                  ("meta.lastUpdated", updated)) if not v]
        org = self._ref(res.get("providedBy"), f"{E}.providedBy", "Organization")
        loc = self._ref(res.get("location"), f"{E}.location", "Location")

        # Type: the offer's activities, then its organisation's category.
        activities = [c for c in codings_list(res.get("specialty"), f"{E}.specialty")
                      if c[0] == "TRE_R211"]
        categories = codings_list(res.get("category"), f"{E}.category")
        orgs = self._org_chain(org)  # the internal organisation, then its entité géographique…
        for o_ in orgs:
            categories += codings_list(o_.get("type"), "Organization.type")
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
        horaires, permanent = available_time(res, self.mapping)
        fermetures = closures(res)
        zones = self._zones(res)
        contacts, phones, mails, mss, webs = self._contacts(res, org)
        for kind, value in self._telecoms(res):  # boiteLettreMSS and other offer telecoms
            {"phone": phones, "mss": mss, "email": mails, "url": webs}[kind].append(value)
        sensitive = any(x.get("valueBoolean") is True
                        for x in extensions(res, "ror-healthcareservice-sensitive-unit", E))
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
                adresse = address(place.get("address"), f"{label}.address")
            if label == "Location":
                cog = next((code_of(x.get("valueCodeableConcept"), f"{label}.extension")
                            for x in extensions(place, "ror-commune-cog", label)), None)
                commune = self._commune(cog)
                pos = place.get("position")
                if pos is not None:
                    lat, lon = (pos.get("latitude"), pos.get("longitude")) \
                        if isinstance(pos, dict) else (None, None)
                    if not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                               for v in (lat, lon)):
                        raise Malformed("Location.position", "latitude et longitude attendues")
                    position = (float(lat), float(lon))

        if not zones and commune:
            zones = [{"kind": "commune", "code": commune}]
        if not zones:
            skip.append((o.ref, "hors région (zone d'intervention et lieu hors "
                                "Centre-Val de Loire)"))
            return None

        if not (phones or mss or mails):
            skip.append((o.ref, "champ manquant : aucun moyen de contact en accès libre"))
            return None

        codes, low, high = publics
        publics = [{"public": p, "age_min": low, "age_max": high}
                   for p in codes or self.mapping.for_type(type_, "publics")]
        secteurs = [{"code": x["valueString"].strip()}
                    for x in extensions(res, "ror-healthcareservice-psychiatric-sector", E)
                    if isinstance(x.get("valueString"), str) and x["valueString"].strip()]
        finess = None
        for o_ in orgs:
            for ident in as_list(o_.get("identifier"), "Organization.identifier"):
                if isinstance(ident, dict) and "finess" in str(ident.get("system", "")).lower():
                    finess = finess or str(ident.get("value") or "") or None
        comment = res.get("comment")
        service = {
            "id": f"ror-{slug(ror_id)}"[:64], "type": type_, "nom": name.strip()[:200],
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
            "champ_activite": code_of(res.get("type") if not isinstance(res.get("type"), list)
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

    def _telecoms(self, res: dict) -> list[tuple[str, str]]:
        """("phone" | "mss" | "email" | "url", value) of the offer's telecoms in accès libre."""
        out = []
        for i, tel in enumerate(as_list(res.get("telecom"), f"{OFFER}.telecom")):
            el = f"{OFFER}.telecom[{i}]"
            if not isinstance(tel, dict) or not isinstance(tel.get("value"), str):
                raise Malformed(el, "telecom sans valeur")
            level = next((code_of(x.get("valueCodeableConcept"), el) for x in
                          extensions(tel, "ror-telecom-confidentiality-level", el)), ACCES_LIBRE)
            channel = next((code_of(x.get("valueCodeableConcept"), el) for x in
                            extensions(tel, "ror-telecom-communication-channel", el)), None)
            if level != ACCES_LIBRE:
                continue
            value = tel["value"].strip()
            if channel in PHONE_CHANNELS or tel.get("system") == "phone":
                out.append(("phone", phone(value)))
            elif channel == WEB_CHANNEL or tel.get("system") == "url":
                out.append(("url", value))
            else:
                out.append(("mss" if is_mss_address(value) else "email", value))
        return out

    def _zones(self, res: dict) -> list[dict]:
        out: list[dict] = []
        for i, ext in enumerate(extensions(res, "ror-territorial-division", OFFER)):
            el = f"{OFFER}.extension:ror-territorial-division[{i}]"
            kind = code = None
            for sub in as_list(ext.get("extension"), el):
                if not isinstance(sub, dict):
                    raise Malformed(el, "extension attendue")
                if sub.get("url") == "typeTerritorialDivision":
                    kind = TERRITORY.get(code_of(sub.get("valueCodeableConcept"), el) or "")
                elif sub.get("url") == "codeTerritorialDivision":
                    code = code_of(sub.get("valueCodeableConcept"), el)
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
        for ext in extensions(res, "ror-healthcareservice-patient-type", OFFER):
            el = f"{OFFER}.extension:ror-healthcareservice-patient-type"
            for sub in as_list(ext.get("extension"), el):
                if not isinstance(sub, dict):
                    raise Malformed(el, "extension attendue")
                if sub.get("url") == "supportedPatientInfo":
                    for system, code, _ in codings(sub.get("valueCodeableConcept"),
                                                    f"{el}.supportedPatientInfo"):
                        mapped = self.mapping.publics.get(system, {}).get(code)
                        if mapped and mapped not in publics:
                            publics.append(mapped)
                        elif not mapped:
                            self.report.unmapped[f"{system}#{code}"] += 1
                elif sub.get("url") == "ageRange":
                    rng = sub.get("valueRange")
                    if not isinstance(rng, dict):
                        raise Malformed(f"{el}.ageRange", "valueRange attendu")
                    low = age(rng.get("low"), f"{el}.ageRange.low")
                    high = age(rng.get("high"), f"{el}.ageRange.high")
        if low is not None and high is not None and low > high:
            raise Malformed(f"{OFFER}.extension:ror-healthcareservice-patient-type.ageRange",
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
        for i, ext in enumerate(extensions(res, "ror-healthcareservice-contact", OFFER)):
            el = f"{OFFER}.extension:ror-healthcareservice-contact[{i}]"
            purpose, level, telecoms = "Contact", ACCES_LIBRE, []
            for sub in as_list(ext.get("extension"), el):
                if not isinstance(sub, dict):
                    raise Malformed(el, "extension attendue")
                url = str(sub.get("url", ""))
                if url == "purposeContact":
                    codes = codings(sub.get("valueCodeableConcept"), f"{el}.purposeContact")
                    purpose = (codes[0][2] or f"Contact {codes[0][1]}") if codes else purpose
                elif url.endswith("ror-confidentiality-level"):
                    level = code_of(sub.get("valueCodeableConcept"), el) or ACCES_LIBRE
                elif url.endswith("ror-healthcareservice-contact-telecom"):
                    channel, value, tlevel = None, None, ACCES_LIBRE
                    for t in as_list(sub.get("extension"), f"{el}.telecom"):
                        turl = str(t.get("url", "")) if isinstance(t, dict) else ""
                        if turl.endswith("ror-telecom-communication-channel"):
                            channel = code_of(t.get("valueCodeableConcept"), f"{el}.telecom")
                        elif turl == "telecomAddress":
                            value = t.get("valueString")
                        elif turl.endswith("ror-telecom-confidentiality-level"):
                            tlevel = code_of(t.get("valueCodeableConcept"), f"{el}.telecom")
                    if not isinstance(value, str) or not value.strip():
                        raise Malformed(f"{el}.telecom", "telecomAddress manquant")
                    telecoms.append((channel, value.strip(), tlevel))
            row = {"fonction": purpose[:120], "telephone": None, "email": None,
                   "messagerie_securisee": None, "confidentialite": level}
            for channel, value, tlevel in telecoms:
                public = level == ACCES_LIBRE and tlevel == ACCES_LIBRE
                if channel in PHONE_CHANNELS:
                    row["telephone"] = row["telephone"] or phone(value)
                    if public:
                        phones.append(phone(value))
                elif channel == MAIL_CHANNEL:
                    is_mss = is_mss_address(value)
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
            for i, c in enumerate(as_list(org.get("contact"), "Organization.contact")):
                el = f"Organization.contact[{i}]"
                if not isinstance(c, dict):
                    raise Malformed(el, "contact attendu")
                level = next((code_of(x.get("valueCodeableConcept"), el) for x in
                              extensions(c, "ror-contact-confidentiality-level", el)), ACCES_LIBRE)
                for tel in as_list(c.get("telecom"), f"{el}.telecom"):
                    if not isinstance(tel, dict) or not isinstance(tel.get("value"), str):
                        raise Malformed(f"{el}.telecom", "telecom sans valeur")
                    tlevel = next((code_of(x.get("valueCodeableConcept"), el) for x in
                                   extensions(tel, "ror-telecom-confidentiality-level", el)),
                                  ACCES_LIBRE)
                    if level == ACCES_LIBRE and tlevel == ACCES_LIBRE \
                            and tel.get("system") == "phone":
                        phones.append(phone(tel["value"]))
        return contacts, phones, mails, mss, webs
