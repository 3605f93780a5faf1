"""Orientation: from a free-text situation to ranked services, reasons, payload and answer.

This is the only module that combines the others (situation, triage, directory, hours).
The Rasa actions, the operator console and the API all call `orient()`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Sequence

from knowledge.directory import Directory, Service
from knowledge.gazetteer import Commune, Gazetteer
from knowledge.geo import distance_km, load_centres
from knowledge.hours import current_time, to_iso
from knowledge.situation import Situation, analyse
from knowledge.text import fold
from knowledge.triage import emergency_line, Rules, Triage
from knowledge.vocabulary import Vocabulary

MAX_RECOMMANDATIONS = 3
ZONE_RANK = {"commune": 0, "epci": 1, "departement": 2, "region": 3}
# Teams that go to people without a fixed home (EMPP): where none covers the commune, the nearest
# team of the department is still the one to call for advice or a visit, and the answer says so.
REACH_OUT_TYPES = frozenset({"EMPP"})
HOMONYM_SHARE = 0.85   # population share that lets one of two homonyms stand for both (the other named)


@dataclass
class Recommendation:
    """One service proposed to the user, with its state at the time of the answer."""

    service: Service
    pourquoi: str
    ouvert: bool
    prochaine_ouverture: datetime | None
    horaires_du_jour: str
    statut: str  # "ouvert jusqu'à 17h30", "fermé, ouvre lundi à 9h"
    departements: list[str] = field(default_factory=list)
    distance_km: float | None = None  # from the commune asked about, when both are located
    releve: str | None = None          # the type this service stands in for where none serves (CLIC)

    def payload(self) -> dict:
        s = self.service
        return {
            "id": s.id,
            "type": s.type,
            "nom": s.nom,
            "departements": self.departements,
            "telephone": s.telephone,
            "messagerie_securisee": s.messagerie_securisee,
            "adresse": s.adresse,
            "ouvert_maintenant": self.ouvert,
            "prochaine_ouverture": to_iso(self.prochaine_ouverture) if self.prochaine_ouverture else None,
            "horaires_du_jour": self.horaires_du_jour,
            "statut": self.statut,
            "pourquoi": self.pourquoi,
            "exemple": s.exemple,
            "distance_km": round(self.distance_km, 1) if self.distance_km is not None else None,
            "verifie_le": s.verifie_le.isoformat(),
            "source": s.source,
        }


@dataclass
class Orientation:
    """The result of `orient()`: what was understood, the triage, and what to propose."""

    situation: Situation
    triage: Triage
    recommandations: list[Recommendation]
    at: datetime
    ouverts_maintenant: list[dict] = field(default_factory=list)  # fallbacks when the best is closed
    # A postal code shared by several communes answered for its main commune: the few communes
    # whose first service differs, with that service (``Orienter.place_with_exceptions``).
    exceptions: list[tuple[Commune, Service]] = field(default_factory=list)

    @property
    def commune(self) -> Commune | None:
        return self.situation.commune

    @property
    def needs_place(self) -> bool:
        """True when a local answer needs a commune or department we do not have."""
        return self.situation.commune is None and self.situation.departement is None

    def payload(self) -> dict:
        """The `custom` payload of ../shared/orientation-contract.md."""
        urgence = self.triage.urgences[0] if self.triage.urgences else None
        c = self.situation.commune
        return {
            "orientation": {
                "urgence": {"numero": urgence.numero, "libelle": urgence.libelle} if urgence else None,
                "urgences": [{"numero": u.numero, "libelle": u.libelle} for u in self.triage.urgences],
                "niveau": self.triage.niveau,
                "commune": (
                    {"code_insee": c.code_insee, "nom": c.nom, "departement": c.departement} if c else None
                ),
                "motifs": list(self.triage.motifs),
                "recommandations": [r.payload() for r in self.recommandations],
                "ouverts_maintenant": list(self.ouverts_maintenant),
                "ticket": None,
            }
        }

    def message(self, *, emergencies: bool = True) -> str:
        """A French answer read in five seconds: emergencies, then who to call and why, then
        contacts and hours; the complexity reasons stay in the payload's ``motifs``.
        ``emergencies=False`` leaves out the emergency lines (already said earlier in the dialogue)."""
        lines: list[str] = []
        if emergencies:
            lines.extend(emergency_line(u) for u in self.triage.urgences)
        if self.recommandations:
            first, *others = self.recommandations
            lines.append(f"Appelez {first.service.nom} ({first.service.type}) : {self.first_reason()}.")
            lines.append(_contact_line(first))
            if self.exceptions:
                lines.append("Sauf pour " + " ; ".join(
                    f"{_name(c, self.situation.commune)} : {s.nom}" + (f" (Tél. {s.telephone})" if s.telephone else "")
                    for c, s in self.exceptions) + ".")
            lines.append(f"Pourquoi : {first.pourquoi}")
            if others:
                lines.append("Autres possibilités :")
                lines.extend(f"• {_contact_line(r, named=True)}" for r in others)
        elif not self.triage.urgences:
            where = self._where()
            lines.append(
                f"Je n'ai pas trouvé de service adapté{where} dans l'annuaire. "
                "Le DAC de votre département peut vous orienter."
            )
        if self.ouverts_maintenant:
            now_txt = " ; ".join(f"{o['numero']} ({o['libelle']})" for o in self.ouverts_maintenant)
            lines.append(f"Le service est fermé et la demande ne peut pas attendre : joignable maintenant, {now_txt}.")
        if self.triage.niveau == 3 and self.recommandations:
            lines.append("Souhaitez-vous que j'ouvre une demande d'appui auprès du DAC ?")
        if any(r.service.exemple for r in self.recommandations):
            lines.append("(Annuaire d'exemple : coordonnées fictives.)")
        return "\n".join(lines)

    def first_reason(self) -> str:
        """Why the first service, in a few plain words (no level or dimension jargon)."""
        first = self.recommandations[0].service
        if self.recommandations[0].releve:
            return f"pas de {self.recommandations[0].releve} ici, il informe et oriente à sa place"
        if first.type in self.situation.types_deduits:
            return self.situation.types_deduits[first.type]
        if first.type in self.situation.types and not (first.type == "DAC" and self.triage.niveau == 3):
            return "le service demandé"
        if first.type == "DAC" and self.triage.niveau == 3:
            return "situation complexe, le DAC évalue, coordonne les intervenants et peut suivre la situation"
        if first.type in self.triage.types[:1] and self.triage.motifs:
            said = {u.motif for u in self.triage.urgences}
            motif = next((m for m in self.triage.motifs if m not in said and not m.startswith(
                ("urgence", "situation complexe", "complexité"))), "")
            motif = motif.removeprefix("information : ").split(" : ")[0]
            if motif:
                return motif
        return "service compétent pour cette demande"

    def _where(self) -> str:
        if self.situation.commune:
            return f" pour {self.situation.commune.nom}"
        if self.situation.departement:
            return f" dans le département {self.situation.departement.nom}"
        return ""


def _name(c: Commune, main: Commune | None) -> str:
    """A commune's name, with its department when it is the homonym of the one answered for."""
    return f"{c.nom} ({c.departement})" if main is not None and c.nom == main.nom else c.nom


def _contact_line(r: Recommendation, *, named: bool = False) -> str:
    """Distance, phone, secure mail, open status and today's hours of a service; ``named`` puts
    its name and type first (the "Autres possibilités" lines)."""
    s = r.service
    parts = [f"{s.nom} ({s.type})"] if named else []
    if r.distance_km is not None and r.distance_km >= 1:
        parts.append(f"à {r.distance_km:.0f} km")
    if s.telephone:
        parts.append(f"Tél. {s.telephone}")
    if s.messagerie_securisee:
        parts.append(f"MSSanté {s.messagerie_securisee}")
    status = r.statut
    if r.horaires_du_jour and not s.schedule.permanent:
        status += f" (aujourd'hui : {r.horaires_du_jour})"
    parts.append(status)
    return " — ".join(parts)


class Orienter:
    """Holds the loaded knowledge (directory, gazetteer, vocabulary, rules) once per process."""

    def __init__(
        self,
        directory: Directory | None = None,
        gazetteer: Gazetteer | None = None,
        vocabulary: Vocabulary | None = None,
        rules: Rules | None = None,
        centres: dict | None = None,
    ) -> None:
        self.directory = directory or Directory()
        self.gazetteer = gazetteer or Gazetteer.default()
        self.vocabulary = vocabulary or Vocabulary.default()
        self.rules = rules or Rules.default()
        self.centres = load_centres() if centres is None else centres

    def orient(
        self,
        text: str,
        *,
        commune: str | None = None,
        departement: str | None = None,
        types: Sequence[str] = (),
        at: datetime | None = None,
        ouvert_seulement: bool = False,
    ) -> Orientation:
        """Analyse `text`, triage it and rank the services serving the place.

        `commune` (INSEE code) or `departement` override the place read from the text (a form
        answer, a correction, the console's filter). `types` adds resource types to look for
        first (the console's type filter).
        """
        situation = analyse(text, gazetteer=self.gazetteer, vocabulary=self.vocabulary)
        if commune:
            situation.commune = self.gazetteer.commune(commune)
            situation.departement = self.gazetteer.departement(situation.commune.departement)
            situation.hors_region = None
            situation.ambiguite = ()
        elif departement:
            situation.departement = self.gazetteer.departement(departement)
            situation.commune = None
            situation.hors_region = None
        for t in types:
            if t not in situation.types:
                situation.types.append(t)
            if t not in situation.types_filtre:
                situation.types_filtre.append(t)
        return self.orient_situation(situation, at=at, ouvert_seulement=ouvert_seulement)

    def orient_situation(self, situation: Situation, *, at: datetime | None = None,
                         ouvert_seulement: bool = False, triage: Triage | None = None) -> Orientation:
        """Triage and rank for a Situation already read (the turn reads its message once).

        `triage` is the situation's triage when the caller already has it (``Turn.triage``): the
        triage reads only the text, never the place, so one triage serves every candidate place."""
        at = at or current_time()
        triage = triage or self.rules.triage(situation)
        recos = self._recommend(situation, triage, at, ouvert_seulement)
        result = Orientation(situation, triage, recos, at)
        result.ouverts_maintenant = self._open_now_fallbacks(result)
        return result

    def place_decides(self, situation: Situation, at: datetime | None = None,
                      triage: Triage | None = None) -> Commune | None:
        """Which of ``situation.ambiguite`` to answer for, or None when it matters.

        When every candidate commune gets the same first service (one SSIAD covering all the
        communes of a postal code, a departmental DAC or MDPH), the answer does not depend on
        the commune: the most populous candidate stands for them all. Otherwise None (ask).
        """
        decided = self.place_with_exceptions(situation, at, triage=triage)
        return decided[0] if decided is not None and not decided[1] else None

    def place_with_exceptions(self, situation: Situation, at: datetime | None = None, share: float = 0.75,
                              triage: Triage | None = None) -> tuple[Commune, list[tuple[Commune, Service]]] | None:
        """The commune to answer for among ``situation.ambiguite``, and the exceptions.

        The most populous candidate stands for them all when its first service is also the first
        service of candidates holding at least `share` of their population ("ssiad 41200": the
        SSIAD of Romorantin, except Millançay's); the other candidates come back with their own
        first service, to be said in the answer. None when no service dominates (ask). Homonyms
        in several departments are answered for the larger one only when it holds HOMONYM_SHARE of
        their population ("Vineuil": Vineuil (41), the other Vineuil (36) named with its service).
        """
        triage = triage or self.rules.triage(situation)
        firsts: dict[Commune, Service | None] = {}
        for c in situation.ambiguite[:10]:
            one = replace(situation, commune=c, departement=self.gazetteer.departement(c.departement),
                          ambiguite=(), publics=set(situation.publics), besoins=set(situation.besoins),
                          types=list(situation.types), types_filtre=list(situation.types_filtre))
            o = self.orient_situation(one, at=at, triage=triage)
            firsts[c] = o.recommandations[0].service if o.recommandations else None
        if not firsts or None in firsts.values():
            return None
        main = max(firsts, key=lambda c: (c.population, c.code_insee))
        same = [c for c in firsts if firsts[c].id == firsts[main].id]
        total = sum(c.population for c in firsts) or 1
        if len(situation.ambiguite) > len(firsts):
            share = 1.0   # candidates not all compared: unanimity
        elif len({c.departement for c in firsts}) > 1:
            share = max(share, HOMONYM_SHARE)   # homonyms: the much larger one, the other named after
        if sum(c.population for c in same) / total < share or len(firsts) - len(same) > 2:
            return None
        others = sorted((c for c in firsts if c not in same), key=lambda c: (-c.population, c.nom))
        return main, [(c, firsts[c]) for c in others]

    # -- ranking ---------------------------------------------------------------------------

    def _candidates(self, situation: Situation) -> list[Service]:
        if situation.commune is not None:
            return self.directory.serving(situation.commune)
        if situation.departement is not None:
            return self.directory.in_departement(situation.departement.code)
        if situation.hors_region:
            return []
        # No place: the regional resources (CRA, CMRR, networks) still answer.
        return [s for s in self.directory.all() if any(z.kind == "region" for z in s.zones)]

    def _wanted_types(self, situation: Situation, triage: Triage) -> list[str]:
        wanted: list[str] = []
        for u in triage.urgences:
            wanted.extend(u.types)
        wanted.extend(situation.types_filtre)     # a filter of the console or the API comes first
        if triage.niveau == 3:
            wanted.extend(triage.types)       # the DAC first, named services after it
            wanted.extend(situation.types)
        else:
            wanted.extend(situation.types)
            wanted.extend(triage.types)
        seen: set[str] = set()
        return [t for t in wanted if not (t in seen or seen.add(t))]

    def _recommend(
        self, situation: Situation, triage: Triage, at: datetime, ouvert_seulement: bool
    ) -> list[Recommendation]:
        candidates = self._candidates(situation)
        by_type: dict[str, list[Service]] = {}
        for s in candidates:
            by_type.setdefault(s.type, []).append(s)
        recos: list[Recommendation] = []
        for t in self._wanted_types(situation, triage):
            services = [s for s in by_type.get(t, []) if _fits_age(s, situation.age)]
            if not services:   # none of this type here: the types that stand in for it (CLIC → DAC)
                term = self.vocabulary.resource_types.get(t)
                services = [s for r in (term.relais if term else ()) for s in by_type.get(r, [])
                            if _fits_age(s, situation.age) and all(x.service.id != s.id for x in recos)]
            outside = not services and t in REACH_OUT_TYPES and situation.commune is not None
            if outside:
                services = [s for s in self.directory.in_departement(situation.commune.departement, types=[t])
                            if _fits_age(s, situation.age)]
            if ouvert_seulement:
                services = [s for s in services if s.schedule.is_open(at)]
            if not services:
                continue
            distance = self._distances(services, situation)
            best = min(services, key=lambda s: _rank(s, situation, distance.get(s.id)))
            if any(x.service.id == best.id for x in recos):
                continue
            rec = self._recommendation(best, situation, triage, at, explicit=best.type in situation.types)
            if outside:
                rec.pourquoi = rec.pourquoi.replace(f" ; intervient à {situation.commune.nom}", "") + \
                    f" Hors de son secteur habituel ({situation.commune.nom}) : l'équipe du département, pour avis ou visite."
            if best.type != t:
                rec.releve = t
                rec.pourquoi = f"Pas de {t} ici : {rec.pourquoi[0].lower()}{rec.pourquoi[1:]}"
            rec.distance_km = distance.get(best.id)
            recos.append(rec)
            if len(recos) >= MAX_RECOMMANDATIONS:
                break
        dacs = [s for s in by_type.get("DAC", []) if not ouvert_seulement or s.schedule.is_open(at)]
        if not recos and not any(not u.conditionnel for u in triage.urgences) and dacs:
            # Nothing of the wanted types here: the DAC of the place orients (never an empty answer).
            best = min(dacs, key=lambda s: _rank(s, situation))
            recos.append(self._recommendation(best, situation, triage, at, explicit=False))
        return recos

    def _recommendation(
        self, s: Service, situation: Situation, triage: Triage, at: datetime, explicit: bool
    ) -> Recommendation:
        is_open = s.schedule.is_open(at)
        return Recommendation(
            service=s,
            pourquoi=self._why(s, situation, triage, explicit),
            ouvert=is_open,
            prochaine_ouverture=None if is_open else s.schedule.next_opening(at),
            horaires_du_jour=s.schedule.day_text(at.date()),
            statut=s.schedule.status_text(at),
            departements=s.departements(self.gazetteer),
        )

    def _position(self, code_insee: str | None):
        if not code_insee:
            return None
        return self.centres.get(code_insee) or self.directory.commune_position(code_insee)

    def _distances(self, services: list[Service], situation: Situation) -> dict[str, float]:
        """Kilometres from the commune asked about to each located service."""
        origin = self._position(situation.commune.code_insee) if situation.commune else None
        if origin is None:
            return {}
        out = {}
        for s in services:
            where = s.position or self._position(s.commune_insee)
            if where is not None:
                out[s.id] = distance_km(origin, where)
        return out

    def regional_types(self) -> frozenset[str]:
        """Resource types whose every service covers the whole region (CRA, CMRR, networks)."""
        if getattr(self, "_regional", None) is None:
            by_type: dict[str, bool] = {}
            for s in self.directory.all():
                regional = any(z.kind == "region" for z in s.zones)
                by_type[s.type] = by_type.get(s.type, True) and regional
            self._regional = frozenset(t for t, r in by_type.items() if r)
        return self._regional

    def nearest(self, type_: str, *, commune: str | None = None, departement: str | None = None) -> Service | None:
        """The most local service of `type_` serving a commune (INSEE code) or a department."""
        if commune:
            services = self.directory.serving(self.gazetteer.commune(commune), types=[type_])
        elif departement:
            services = self.directory.in_departement(departement, types=[type_])
        else:
            return None
        return min(services, key=lambda s: (_zone_rank(s), s.nom), default=None)

    def service_payload(self, service: Service, at: datetime) -> dict:
        """Payload for an answer about one named service (contact or hours question)."""
        label = self.vocabulary.label("type", service.type)
        situation = analyse("", gazetteer=self.gazetteer, vocabulary=self.vocabulary)
        triage = Triage(urgences=[], niveau=1, motifs=[], types=[service.type], dimensions={}, regles=[])
        rec = self._recommendation(service, situation, triage, at, explicit=True)
        rec.pourquoi = f"Service demandé : {label}."
        return Orientation(situation, triage, [rec], at).payload()

    def _why(self, s: Service, situation: Situation, triage: Triage, explicit: bool) -> str:
        label = self.vocabulary.label("type", s.type)
        place = situation.commune.nom if situation.commune else (
            situation.departement.nom if situation.departement else ""
        )
        matched = [self.vocabulary.label("besoin", b) for b in s.besoins if b in situation.besoins]
        if explicit:
            head = f"vous avez demandé : {label}"
        elif any(s.type in u.types for u in triage.urgences):
            head = f"{label}, à saisir en complément de l'appel d'urgence"
        elif s.type == "DAC" and triage.niveau == 3:
            head = "situation complexe qui relève de l'appui à la coordination (évaluation, concertation, gestion de cas)"
        else:
            head = label
        reason = head[0].upper() + head[1:]
        if matched:
            reason += f" ; compétent pour : {', '.join(matched[:3])}"
        if place:
            reason += f" ; intervient à {place}" if situation.commune else f" ; intervient dans le département {place}"
        if s.secteurs_psy:
            reason += f" ; secteur de psychiatrie {', '.join(s.secteurs_psy)}"
        return reason + "."

    def _open_now_fallbacks(self, result: Orientation) -> list[dict]:
        """When the best service is closed and the need cannot wait, what is reachable now."""
        if not result.recommandations or result.recommandations[0].ouvert:
            return []
        if result.situation.urgence_temps not in ("immediat", "aujourd_hui"):
            return []
        fallbacks = list(self.rules.open_now_fallbacks(result.at))
        for s in self._candidates(result.situation):  # e.g. the regional line's extended hours
            if s.id != result.recommandations[0].service.id and s.type == "DAC" and s.schedule.is_open(result.at):
                fallbacks.append({"numero": s.telephone, "libelle": s.nom, "motif": "ouvert maintenant"})
        return fallbacks


def _fits_age(s: Service, age: int | None) -> bool:
    return s.admits(age)


def _zone_rank(s: Service) -> int:
    """0 for a commune-level zone … 3 for the region: the most local service comes first."""
    return min((ZONE_RANK.get(z.kind, 9) for z in s.zones), default=9)


# Themes of the thematic networks and resource centres: a service whose name or description
# names the theme the message names comes first among services of the same type.
THEMES = {
    "sclerose_en_plaques": ("sclerose en plaques", "sep"),
    "parkinson": ("parkinson",),
    "diabete": ("diabete", "diabetique", "diabetes"),
    "obesite": ("obesite", "obese", "bariatrique"),
    "cancer": ("cancer", "cancero", "oncolog", "tumeur", "chimio", "metasta"),
    "douleur": ("douleur", "douloureu", "algolog"),
}
_THEME_RE = {k: re.compile(r"\b(?:" + "|".join(map(re.escape, v)) + r")") for k, v in THEMES.items()}


def _themes(text: str) -> set[str]:
    folded = fold(text or "")
    return {k for k, rx in _THEME_RE.items() if rx.search(folded)}


def _rank(s: Service, situation: Situation, distance: float | None = None) -> tuple:
    """A CMP of a psychiatric sector first (the sector decides), then the most specific zone, the
    theme named, the nearest (unknown distance last), most needs in common, name for stability."""
    common = len(set(s.besoins) & situation.besoins)
    publics = len({p.public for p in s.publics} & situation.publics)
    sector = 0 if s.type == "CMP" and s.secteurs_psy else 1
    theme = len(_themes(f"{s.nom} {s.description}") & _themes(situation.text))
    far = distance if distance is not None else float("inf")
    return (sector, _zone_rank(s), -theme, far, -common, -publics, s.nom)


_default: Orienter | None = None


def default_orienter() -> Orienter:
    """One Orienter per process (loads the directory cache, gazetteer, vocabulary, rules once)."""
    global _default
    if _default is None:
        _default = Orienter()
    return _default


def orient(text: str, **kwargs) -> Orientation:
    """Module-level shortcut on the default Orienter (see `Orienter.orient`)."""
    return default_orienter().orient(text, **kwargs)

