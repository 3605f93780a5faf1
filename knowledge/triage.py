"""Triage: emergencies first, then complexity and the graded level of response.

The rules live in `knowledge/data/triage.yaml` (readable by a coordinator, see docs/triage.md)
and are validated when loaded: any error raises `RulesError` naming the rule.

- Emergencies (section `urgences`, the signs reader and the learned net) are detected by
  `knowledge.emergencies`; `Emergency` and `emergency_line` are re-exported here.
- Complexity is scored per dimension (health, mental health, autonomy, social, environment and
  caregivers, adherence, number of professionals) from the needs and publics the situation
  analyser found and from the rules' cue phrases.
- The level (1 information, 2 specialised service, 3 DAC support / case management) and the
  resource types come from the first matching rule of `niveaux`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.asked_service import asked_rule
from knowledge.cues import Cues
from knowledge.cues import live as _live
from knowledge.emergencies import Emergency, EmergencyRules, emergency_line
from knowledge.hours import as_paris, jour_ferie
from knowledge.numbers import KNOWN_NUMBERS, VITAL_NUMBERS
from knowledge.request_cues import said_simple
from knowledge.triage_checks import RulesError, Validator, check_levels
from knowledge.vocabulary import Vocabulary, fold_aligned

DEFAULT_PATH = Path(__file__).parent / "data" / "triage.yaml"

__all__ = ["DEFAULT_PATH", "KNOWN_NUMBERS", "Emergency", "Rules", "RulesError", "Triage", "emergency_line"]

_CONDITION_KEYS = {
    "publics", "besoins", "besoins_un_de", "publics_ou_besoins", "dimensions_min",
    "dimensions_max", "score_min", "score_max", "age_min", "age_max", "aucun_besoin", "type_nomme",
    "dimensions_au_moins", "publics_exclus", "dimensions_nulles",
}
_RANGES = (("dimensions_min", "dimensions_max"), ("score_min", "score_max"), ("age_min", "age_max"))


@dataclass
class Triage:
    urgences: list[Emergency]          # ordered, most serious first
    niveau: int | None                 # 1, 2, 3; None when only an emergency applies
    motifs: list[str]                  # French reasons, short
    types: list[str]                   # resource types to propose, best first
    dimensions: dict[str, int]         # complexity score per dimension (0–2)
    regles: list[str]                  # ids of the rules that fired


# ---------------------------------------------------------------------------------------------
# Compiled rules


@dataclass
class _Dimension:
    code: str
    libelle: str
    besoins: dict[str, int]
    publics: dict[str, int]
    groups: list[tuple[int, Cues]]
    seuils: tuple[int, int]
    types_nommes: int


@dataclass
class _LevelRule:
    id: str
    priorite: int
    si: dict
    niveau: int
    types: tuple[str, ...]
    motif: str
    order: int

    @property
    def fallback(self) -> bool:
        """Default or "no need found" rule: it gives no level when an emergency applies."""
        return not self.si or bool(self.si.get("aucun_besoin"))


class Rules:
    """Validated triage rules. Build with `Rules.default()` or `Rules.load(path)`."""

    def __init__(self, data: Any, *, source: str = "triage.yaml", vocabulary=None):
        vocabulary = vocabulary or Vocabulary.default()
        self.source = source
        self.vocabulary = vocabulary
        self._v = Validator(source, vocabulary)
        data = self._v.mapping(data, "le fichier")
        self._v.keys(data, "le fichier", required={"numeros", "urgences", "dimensions", "niveaux"},
                     optional={"version", "listes", "permanence_des_soins", "service_demande"})
        self.numeros = self._load_numbers(data["numeros"])
        self.listes = self._load_lists(data.get("listes") or {})
        self.emergency_rules = EmergencyRules(data["urgences"], numeros=self.numeros, v=self._v,
                                              expand=self._expand)
        self.dimensions = self._load_dimensions(data["dimensions"])
        self.niveaux = self._load_levels(data["niveaux"])
        self.service_demande = self._load_asked(data.get("service_demande") or {})
        self.pds = self._load_pds(data.get("permanence_des_soins"))

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path, *, vocabulary=None) -> "Rules":
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RulesError(f"{path.name} : YAML illisible : {exc}") from None
        return cls(data, source=path.name, vocabulary=vocabulary)

    @classmethod
    def default(cls) -> "Rules":
        return _default_rules()

    def _load_numbers(self, raw) -> dict[str, dict]:
        v = self._v
        raw = v.mapping(raw, "numeros")
        out = {}
        for numero, info in raw.items():
            numero = str(numero)
            where = f"numeros '{numero}'"
            if numero not in KNOWN_NUMBERS:
                raise v.error(where, f"numéro inconnu (numéros du contrat : {', '.join(KNOWN_NUMBERS)})")
            info = v.mapping(info, where)
            v.keys(info, where, required={"libelle", "disponibilite"},
                   optional={"permanent", "horaires"})
            v.text(info["libelle"], where, "libelle")
            horaires = info.get("horaires")
            span = None
            if horaires is not None:
                m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", str(horaires))
                if not m:
                    raise v.error(where, f"horaires '{horaires}' : format attendu HH:MM-HH:MM")
                span = (time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4])))
            out[numero] = {"libelle": info["libelle"], "disponibilite": info["disponibilite"],
                           "permanent": bool(info.get("permanent", False)), "horaires": span}
        return out

    def _load_lists(self, raw) -> dict[str, list[str]]:
        raw = self._v.mapping(raw, "listes")
        out = {}
        for name, phrases in raw.items():
            out[str(name)] = self._v.phrases(phrases, f"listes '{name}'", allow_refs=False)
        return out

    def _expand(self, phrases: list[str], where: str) -> Cues:
        out: list[str] = []
        for p in phrases:
            if p.startswith("@"):
                name = p[1:]
                if name not in self.listes:
                    raise self._v.error(where, f"liste inconnue '@{name}'")
                out.extend(self.listes[name])
            else:
                out.append(p)
        return Cues(out)

    def _load_dimensions(self, raw) -> list[_Dimension]:
        v = self._v
        dims: list[_Dimension] = []
        seen: set[str] = set()
        for i, item in enumerate(v.sequence(raw, "dimensions")):
            where = v.rule_name("dimensions", i, item, key="code")
            item = v.mapping(item, where)
            v.keys(item, where, required={"code", "libelle"},
                   optional={"besoins", "publics", "signes", "seuils", "types_nommes"})
            code = v.ident(item["code"], where, seen)
            besoins = v.weights(item.get("besoins") or {}, "besoin", where)
            publics = v.weights(item.get("publics") or {}, "public", where)
            groups = []
            for j, g in enumerate(v.sequence(item.get("signes") or [], where + " signes")):
                g = v.mapping(g, f"{where} signes[{j}]")
                v.keys(g, f"{where} signes[{j}]", required={"points", "phrases"}, optional=set())
                groups.append((v.integer(g["points"], where, "points"),
                               self._expand(v.phrases(g["phrases"], where), where)))
            seuils = item.get("seuils", [1, 2])
            if (not isinstance(seuils, list) or len(seuils) != 2
                    or not all(isinstance(s, int) and s > 0 for s in seuils) or seuils[0] > seuils[1]):
                raise v.error(where, "seuils : deux entiers positifs croissants attendus, ex. [1, 2]")
            if not (besoins or publics or groups or item.get("types_nommes")):
                raise v.error(where, "la dimension ne peut jamais être touchée (ni besoins, ni publics, ni signes)")
            dims.append(_Dimension(code, v.text(item["libelle"], where, "libelle"), besoins, publics,
                                   groups, (seuils[0], seuils[1]),
                                   v.integer(item.get("types_nommes", 0), where, "types_nommes")))
        return dims

    def _load_levels(self, raw) -> list[_LevelRule]:
        v = self._v
        rules: list[_LevelRule] = []
        seen: set[str] = set()
        for i, item in enumerate(v.sequence(raw, "niveaux")):
            where = v.rule_name("niveaux", i, item)
            item = v.mapping(item, where)
            v.keys(item, where, required={"id", "priorite", "si", "niveau", "types", "motif"},
                   optional=set())
            rid = v.ident(item["id"], where, seen)
            si = v.mapping(item["si"] if item["si"] is not None else {}, where + " si")
            v.keys(si, where + " si", required=set(), optional=_CONDITION_KEYS)
            cond: dict[str, Any] = {}
            for key in ("publics", "besoins", "besoins_un_de", "publics_ou_besoins", "publics_exclus"):
                if key in si:
                    kind = {"publics": "public", "publics_exclus": "public",
                            "publics_ou_besoins": "public_ou_besoin"}.get(key, "besoin")
                    codes = v.codes(si[key], kind, where)
                    if not codes:
                        raise v.error(where, f"{key} est vide")
                    cond[key] = frozenset(codes)
            for lo, hi in _RANGES:
                for key in (lo, hi):
                    if key in si:
                        cond[key] = v.integer(si[key], where, key)
                if lo in cond and hi in cond and cond[lo] > cond[hi]:
                    raise v.error(where, f"règle inatteignable : {lo} ({cond[lo]}) > {hi} ({cond[hi]})")
            if "dimensions_au_moins" in si:
                wanted = v.mapping(si["dimensions_au_moins"], where + " dimensions_au_moins")
                codes = {d.code for d in self.dimensions}
                for code, value in wanted.items():
                    if code not in codes:
                        raise v.error(where, f"dimension inconnue '{code}'")
                    if v.integer(value, where, code) not in (1, 2):
                        raise v.error(where, f"dimensions_au_moins {code} : 1 ou 2 attendu")
                cond["dimensions_au_moins"] = tuple(sorted(wanted.items()))
            if "dimensions_nulles" in si:
                codes = {d.code for d in self.dimensions}
                wanted = [str(c) for c in (si["dimensions_nulles"] or [])]
                if not wanted or any(c not in codes for c in wanted):
                    raise v.error(where, f"dimensions_nulles : dimensions connues attendues ({', '.join(sorted(codes))})")
                cond["dimensions_nulles"] = frozenset(wanted)
            for key in ("aucun_besoin", "type_nomme"):
                if key in si:
                    if si[key] is not True:
                        raise v.error(where, f"{key} : seule la valeur true est permise")
                    cond[key] = True
            if cond.get("aucun_besoin") and ({"besoins", "besoins_un_de"} & set(cond)):
                raise v.error(where, "règle inatteignable : aucun_besoin avec une condition sur les besoins")
            niveau = item["niveau"]
            if niveau not in (1, 2, 3):
                raise v.error(where, f"niveau {niveau!r} : 1, 2 ou 3 attendu")
            types = tuple(v.codes(item["types"] or [], "type", where))
            if not types and not cond.get("type_nomme"):
                raise v.error(where, "aucun type de service à proposer")
            rules.append(_LevelRule(rid, v.integer(item["priorite"], where, "priorite"), cond,
                                    niveau, types, v.text(item["motif"], where, "motif"), i))
        rules.sort(key=lambda r: (-r.priorite, r.order))
        check_levels(rules, v)
        if not any(not r.si for r in rules):
            raise v.error("niveaux", "il faut une règle par défaut (si: {}) pour les situations non prévues")
        return rules

    def _load_asked(self, raw) -> dict:
        """When a service named by the user comes before the DAC (section ``service_demande``)."""
        v, where = self._v, "service_demande"
        raw = v.mapping(raw, where)
        v.keys(raw, where, required=set(), optional={"hors_dimensions", "vraiment_complexe", "dimensions_du_service"})
        codes = {d.code for d in self.dimensions}
        hors = [str(c) for c in (raw.get("hors_dimensions") or [])]
        own = {str(t): frozenset(map(str, dims or [])) for t, dims in v.mapping(
            raw.get("dimensions_du_service") or {}, where + " dimensions_du_service").items()}
        v.codes(list(own), "type", where + " dimensions_du_service")
        if any(not d <= codes for d in own.values()):
            raise v.error(where, f"dimensions_du_service : dimensions connues attendues ({', '.join(sorted(codes))})")
        criteria = []
        for i, crit in enumerate(v.sequence(raw.get("vraiment_complexe") or [], where)):
            w = f"{where} vraiment_complexe[{i}]"
            crit = v.mapping(crit, w)
            v.keys(crit, w, required={"dimensions_min"}, optional={"score_min", "dimensions_au_moins"})
            at_least = v.mapping(crit.get("dimensions_au_moins") or {}, w)
            for code in [*hors, *at_least]:
                if code not in codes:
                    raise v.error(w, f"dimension inconnue '{code}'")
            criteria.append((v.integer(crit["dimensions_min"], w, "dimensions_min"),
                             v.integer(crit.get("score_min", 0), w, "score_min"),
                             {k: v.integer(x, w, k) for k, x in at_least.items()}))
        return {"hors": frozenset(hors), "criteres": criteria, "propres": own} if criteria else {}

    def really_complex(self, dimensions: dict[str, int], named: str | None = None) -> bool:
        """Enough of the person's own problems touched for the DAC to come before a named service
        (one of the criteria of ``service_demande.vraiment_complexe``); the domains the `named`
        service's mission answers (``dimensions_du_service``) do not count."""
        c = self.service_demande
        if not c:
            return True
        hors = c["hors"] | c["propres"].get(named, frozenset())
        own = {k: x for k, x in dimensions.items() if x and k not in hors}
        return any(len(own) >= n and sum(own.values()) >= score
                   and all(own.get(k, 0) >= x for k, x in at_least.items())
                   for n, score, at_least in c["criteres"])

    def _load_pds(self, raw) -> dict:
        v = self._v
        raw = v.mapping(raw or {}, "permanence_des_soins")
        v.keys(raw, "permanence_des_soins", required={"numero", "semaine_soir", "semaine_matin", "samedi_des"},
               optional={"dimanche", "jours_feries"})
        numero = str(raw["numero"])
        if numero not in self.numeros:
            raise v.error("permanence_des_soins", f"numéro inconnu '{numero}'")

        def hm(key):
            m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(raw[key]).strip())
            if not m:
                raise v.error("permanence_des_soins", f"{key} : format HH:MM attendu")
            return time(int(m[1]), int(m[2]))

        return {"numero": numero, "soir": hm("semaine_soir"), "matin": hm("semaine_matin"),
                "samedi": hm("samedi_des"), "dimanche": bool(raw.get("dimanche", True)),
                "jours_feries": bool(raw.get("jours_feries", True))}

    # -- emergencies (knowledge.emergencies) --------------------------------------------------

    def emergencies(self, text: str, *, publics: set[str] = frozenset(),
                    age: int | None = None) -> list[tuple[Emergency, list[tuple[int, int]]]]:
        """Emergencies of the cue phrases on `text`, most serious first, with the cue spans."""
        return self.emergency_rules.cue_emergencies(text, publics=publics, age=age)

    def libelle(self, numero: str) -> str:
        return self.emergency_rules.libelle(numero)

    # -- complexity ---------------------------------------------------------------------------

    def score_dimensions(self, situation, besoins: set[str] | None = None) -> dict[str, int]:
        """Score 0–2 per dimension, from needs, publics, cue phrases and named services."""
        publics = set(situation.publics)
        besoins = set(situation.besoins) if besoins is None else besoins
        reader = getattr(situation, "text_without_service_names", None)
        folded, _ = fold_aligned(reader() if reader else (situation.text or ""))
        named = len(set(situation.types))
        scores = {}
        for dim in self.dimensions:
            raw = sum(w for code, w in dim.besoins.items() if code in besoins)
            raw += sum(w for code, w in dim.publics.items() if code in publics)
            for points, cues in dim.groups:
                if _live(folded, cues.spans(folded), history=False):
                    raw += points
            raw += dim.types_nommes * named
            scores[dim.code] = 0 if raw < dim.seuils[0] else 1 if raw < dim.seuils[1] else 2
        return scores

    # -- level --------------------------------------------------------------------------------

    def matches(self, rule: _LevelRule, publics: set[str], besoins: set[str],
                dimensions: dict[str, int], age: int | None, named: bool) -> bool:
        """Whether a level rule's conditions hold for these publics, needs, dimensions and age."""
        c = rule.si
        dims, score = sum(1 for x in dimensions.values() if x), sum(dimensions.values())
        if any(dimensions[code] < value for code, value in c.get("dimensions_au_moins", ())):
            return False
        if any(dimensions[code] for code in c.get("dimensions_nulles", ())):
            return False
        if "publics" in c and not c["publics"] & publics:
            return False
        if "publics_exclus" in c and c["publics_exclus"] & publics:
            return False
        if "besoins" in c and not c["besoins"] <= besoins:
            return False
        if "besoins_un_de" in c and not c["besoins_un_de"] & besoins:
            return False
        if "publics_ou_besoins" in c and not c["publics_ou_besoins"] & (publics | besoins):
            return False
        for (lo, hi), value in zip(_RANGES, (dims, score, age)):
            if lo in c and (value is None or value < c[lo]):
                return False
            if hi in c and (value is None or value > c[hi]):
                return False
        if c.get("aucun_besoin") and besoins:
            return False
        if c.get("type_nomme") and not named:
            return False
        return True

    def triage(self, situation, *, net: bool = True) -> Triage:
        """Emergencies, complexity, level, resource types and French reasons for a Situation.

        `net=False` leaves out the learned net (knowledge.emergency_net), for measurement."""
        publics = set(situation.publics)
        urgences, fired = self.emergency_rules.detect(situation, net=net)
        regles = [em.regle for em, _ in fired]

        # A need read inside a vital sign is that emergency, not a need ("douleur thoracique");
        # a social emergency keeps its need, for the local service after the helpline (3919, then
        # the social service for violences).
        besoins = self._needs_beside(situation, [s for em, spans in fired if em.numero in VITAL_NUMBERS
                                                 for s in spans])
        dimensions = self.score_dimensions(situation, besoins)
        touched = [d for d in self.dimensions if dimensions[d.code] > 0]
        named = list(dict.fromkeys(situation.types))
        matching = [r for r in self.niveaux
                    if self.matches(r, publics, besoins, dimensions, situation.age, bool(named))]
        if said_simple(situation.text or ""):
            # "Rien de compliqué, juste savoir à quel guichet": the graded answer below the DAC.
            matching = [r for r in matching if r.niveau < 3] + [r for r in matching if r.niveau == 3]
        winner = matching[0]  # the validator guarantees a default rule
        demoted = winner.niveau == 3 and bool(named) and "DAC" not in named
        if demoted and not self.really_complex(dimensions, named[0]):
            # One clear request inside a story touching a few domains: the service asked for first,
            # the DAC after it (docs/triage.md § 5, "service demandé").
            matching = [r for r in matching if r.niveau < 3] + [r for r in matching if r.niveau == 3]
            winner = matching[0]   # at least the rule for a named service (type_nomme)
        else:
            demoted = False
            asked = asked_rule(self, situation, publics, besoins, dimensions) if winner.niveau == 3 else None
            if asked is not None:
                # One service asked for in so many words ("il voudrait de l'aide pour le ménage")
                # inside a story that is not really complex: that service first, the DAC after it.
                matching = [asked] + [r for r in matching if r is not asked and r.niveau < 3] + [
                    r for r in matching if r.niveau == 3]
                winner, demoted = asked, True
        motifs = [u.motif for u in urgences]
        # An emergency alone needs no service; a doubt of the learned net (a conditional line)
        # does not end the orientation.
        if any(not u.conditionnel for u in urgences) and winner.fallback:
            niveau, types = None, []
        else:
            niveau = winner.niveau
            rest = [t for r in matching[1:] if not r.fallback for t in r.types]
            base = list(winner.types) + rest
            if niveau == 3:
                types = base[:1] + named + base[1:]
            else:
                types = (named or base[:1]) + (["DAC"] if demoted else []) + base
            types = list(dict.fromkeys(types))
            regles.append(winner.id)
            motifs.append(winner.motif)
            if demoted:
                regles.append("service_demande")
                motifs.append("service demandé en premier ; le DAC peut appuyer si la situation se complique")
        if len(touched) >= 2:
            head = "situation complexe" if niveau == 3 else "complexité"
            motifs.append(f"{head} : {len(touched)} dimensions touchées "
                          f"({', '.join(d.libelle for d in touched)})")
        motifs.extend(self._labels(publics, besoins))
        return Triage(urgences=urgences, niveau=niveau, motifs=motifs, types=types,
                      dimensions=dimensions, regles=regles)

    def _needs_beside(self, situation, spans: list[tuple[int, int]]) -> set[str]:
        """The situation's needs, minus those only read inside an emergency cue.

        "douleur thoracique" is a vital emergency, not a chronic-pain need for the level.
        """
        besoins = set(situation.besoins)
        if not spans or not besoins:
            return besoins
        outside = {m.code for m in self.vocabulary.find(situation.text)
                   if m.kind == "besoin" and not m.negated
                   and not any(s < m.end and m.start < e for s, e in spans)}
        return besoins & outside

    def _labels(self, publics: set[str], besoins: set[str]) -> list[str]:
        voc = self.vocabulary
        out = [t.label for code, t in voc.publics.items() if code in publics and code != "adulte"]
        out += [t.label for code, t in voc.needs.items() if code in besoins]
        return list(dict.fromkeys(out))

    # -- time ---------------------------------------------------------------------------------

    def permanence_des_soins(self, at: datetime) -> bool:
        """True when GP offices are closed (weekday nights, Saturday afternoon, Sunday, holidays)."""
        at = as_paris(at)
        p, now, day = self.pds, at.time(), at.weekday()
        if p["jours_feries"] and jour_ferie(at.date()) is not None:
            return True
        if day == 6:
            return p["dimanche"]
        if day == 5:
            return now >= p["samedi"] or now < p["matin"]
        return now >= p["soir"] or now < p["matin"]

    def number_open(self, numero: str, at: datetime) -> bool:
        """Whether a national number answers at `at` (permanent lines always do)."""
        info = self.numeros[numero]
        if info["permanent"]:
            return True
        if numero == self.pds["numero"]:
            return self.permanence_des_soins(at)
        if info["horaires"]:
            debut, fin = info["horaires"]
            return debut <= as_paris(at).time() < fin
        return False

    def open_now_fallbacks(self, at: datetime) -> list[dict]:
        """What to give when the best service is closed and the need cannot wait.

        116 117 while GP offices are closed, and 15 for any emergency. The orientation engine
        adds the phone line of the single entry point (DAC) when its schedule is open at `at`.
        """
        out = []
        if self.permanence_des_soins(at):
            n = self.pds["numero"]
            out.append({"numero": n, "libelle": self.numeros[n]["libelle"],
                        "motif": "avis médical quand les cabinets sont fermés"})
        out.append({"numero": "15", "libelle": self.numeros["15"]["libelle"],
                    "motif": "en cas d'urgence vitale"})
        return out


@lru_cache(maxsize=1)
def _default_rules() -> Rules:
    return Rules.load(DEFAULT_PATH)
