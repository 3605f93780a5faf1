"""Emergencies: what must be said first, before any orientation.

Three readers, most certain first, merged into one ordered list of `Emergency`:
- the cue phrases of `knowledge/data/triage.yaml` (section `urgences`), searched in the whole
  folded message, skipping negated cues and reported history (`knowledge.cues`,
  `knowledge.negation`), then qualified by the signs reader and judged by the same verdict as the
  signs rules (`knowledge.qualifiers.real`);
- the live clinical signs and alert scenes of `knowledge.signs` (`knowledge/data/signs.yaml`);
- the learned second net (`knowledge.emergency_net`) for what both missed, whose doubt gives a
  conditional line.
Every emergency then passes the frame of `knowledge.qualifiers.unreal` read on the sentences that
raised it (fiction, training, information request, supposed case; an episode over anywhere; with
nothing dated now).

`Rules` (knowledge.triage) loads the section and asks `EmergencyRules.detect` for each situation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from knowledge.ages import within
from knowledge.cues import Cues, live
from knowledge.emergency_net import second_net
from knowledge.qualifiers import cue_options, nothing_current, real, unreal
from knowledge.signs import SignReader
from knowledge.vocabulary import fold_aligned

Spans = list[tuple[int, int]]


@dataclass(frozen=True)
class Emergency:
    numero: str
    libelle: str
    regle: str
    motif: str
    types: tuple[str, ...] = ()
    conditionnel: bool = False       # a doubt of the learned net: said as a conditional line
    compagnon: bool = False          # raised only beside another emergency (avec_autre_urgence: the 114)


def emergency_line(u: Emergency) -> str:
    """The line that says an emergency (first in any answer)."""
    if u.conditionnel:
        return f"⚠️ {u.motif}"
    return f"⚠️ {u.libelle} : appelez le {u.numero}. {u.motif}".strip()


@dataclass
class _EmergencyRule:
    id: str
    numero: str
    priorite: int
    motif: str
    signes: Cues
    sauf: Cues
    types: tuple[str, ...]
    requiert: dict | None          # {"signes": Cues|None, "publics": set, "age_min", "age_max", "fenetre"}
    exclue_par: tuple[str, ...]
    avec_autre_urgence: bool
    order: int


class EmergencyRules:
    """The `urgences` section of the triage rules, validated, and the detection built on it.

    `v` is the triage rules' validator (errors name the file and the rule), `expand` turns a
    list of phrases (with `@list` references) into `Cues`."""

    def __init__(self, raw, *, numeros: dict[str, dict], v, expand: Callable[[list[str], str], Cues]):
        self.numeros = numeros
        self.rules = _load(raw, numeros, v, expand)

    # -- numbers ------------------------------------------------------------------------------

    def libelle(self, numero: str) -> str:
        info = self.numeros[numero]
        return info["libelle"] if info["permanent"] else f"{info['libelle']} ({info['disponibilite']})"

    def _priority(self, numero: str) -> int:
        return min((r.priorite for r in self.rules if r.numero == numero), default=9)

    def _default_motif(self, numero: str) -> str:
        return next((r.motif for r in self.rules if r.numero == numero), self.libelle(numero))

    # -- detection ----------------------------------------------------------------------------

    def detect(self, situation, *, net: bool = True) -> tuple[list[Emergency], list[tuple[Emergency, Spans]]]:
        """(emergencies to say, one per number, most serious first; every emergency that fired
        with the spans of the message that raised it). `net=False` leaves out the learned net."""
        fired = self.cue_emergencies(situation.text or "", publics=set(situation.publics),
                                     age=situation.age)
        fired = self._with_signs(fired, situation, net)
        # fiction, training, information or supposed case in the sentences that raised it: nothing now
        text = situation.text or ""
        concrete = (lambda s, e: SignReader.default().concrete(text, s, e)) if getattr(situation, "signes", None) is not None else None
        fired = [(em, spans) for em, spans in fired if not unreal(text, spans, concrete=concrete)]
        urgences: list[Emergency] = []
        for em, _spans in fired:
            same = next((u for u in urgences if u.numero == em.numero), None)
            if same is None:
                urgences.append(em)
            elif em.types and not set(em.types) <= set(same.types):
                urgences[urgences.index(same)] = Emergency(
                    same.numero, same.libelle, same.regle, same.motif,
                    tuple(dict.fromkeys(same.types + em.types)))
        return urgences, fired

    def cue_emergencies(self, text: str, *, publics: set[str] = frozenset(),
                        age: int | None = None) -> list[tuple[Emergency, Spans]]:
        """Emergencies of the cue phrases on `text`, most serious first (one per rule), with the
        cue spans in `text`."""
        folded, index = fold_aligned(text)
        hits: dict[str, tuple[_EmergencyRule, list]] = {}
        pending: list[tuple[_EmergencyRule, list]] = []
        for rule in self.rules:
            excluded = rule.sauf.spans(folded) if rule.sauf else []
            spans = live(folded, rule.signes.spans(folded), history=True, excluded=excluded)
            if not spans:
                continue
            if rule.requiert is None or _required(rule.requiert, folded, spans, publics, age):
                hits[rule.id] = (rule, spans)
            elif rule.avec_autre_urgence:
                pending.append((rule, spans))
        if hits:
            hits.update((rule.id, (rule, spans)) for rule, spans in pending)
        fired = sorted((h for h in hits.values() if not set(h[0].exclue_par) & set(hits)),
                       key=lambda h: (h[0].priorite, h[0].order))
        companions = {rule.id for rule, _ in pending}
        return [(Emergency(r.numero, self.libelle(r.numero), r.id, r.motif, r.types, compagnon=r.id in companions),
                 [(index[s], index[e - 1] + 1) for s, e in spans]) for r, spans in fired]

    def _with_signs(self, fired, situation, net: bool = True):
        """Cue-phrase emergencies plus those raised by the live signs of `situation.signes`
        (knowledge.signs), then the learned net's (knowledge.emergency_net) for what both missed."""
        signes = getattr(situation, "signes", None)
        out = list(fired)
        dropped = False
        if signes is not None and situation.text:
            reader = SignReader.default()
            out = _qualified(out, situation.text, reader)
            dropped = len(out) < len(fired)
            live_signs = [s for s in signes if reader.is_live(s)]
            by_rule: dict[str, list] = {}
            for sign in live_signs:
                by_rule.setdefault(sign.regle, []).append(sign)
            extra = []
            for rid, signs in by_rule.items():
                rule = reader.rules[rid]
                if rule.seulement_avec_urgence:
                    continue
                spans = [(x.start, x.end) for x in signs]
                for k, numero in enumerate((rule.numero,) + rule.aussi):
                    motif = rule.motif if k == 0 else self._default_motif(numero)
                    extra.append((rule.priorite if k == 0 else self._priority(numero),
                                  Emergency(numero, self.libelle(numero), f"signes:{rid}", motif,
                                            rule.types if k == 0 else ()), spans))
            if any(not em.compagnon for em, _ in out) or extra:
                for rid, signs in by_rule.items():
                    rule = reader.rules[rid]
                    if rule.seulement_avec_urgence:
                        extra.append((rule.priorite, Emergency(rule.numero, self.libelle(rule.numero),
                                                               f"signes:{rid}", rule.motif),
                                      [(x.start, x.end) for x in signs]))
            prio = {r.id: r.priorite for r in self.rules}
            merged = [(prio.get(em.regle, 9), i, em, sp) for i, (em, sp) in enumerate(out)]
            merged += [(p, len(out) + i, em, sp) for i, (p, em, sp) in enumerate(extra)]
            merged.sort(key=lambda m: (m[0], m[1]))
            out = [(em, sp) for _, _, em, sp in merged]
            if all(em.compagnon for em, _ in out):
                out = []   # the emergency beside which it was raised was history ("infarctus il y a six ans")
        if net:
            said = {em.numero for em, _ in out}
            for alarm in second_net(situation, said, vetoed=dropped):
                out.append((Emergency(alarm.numero, self.libelle(alarm.numero), f"net:{alarm.numero}",
                                      alarm.motif, conditionnel=alarm.conditionnel), []))
        return out


def _qualified(fired, text, reader):
    """Cue-phrase emergencies whose cues the signs reader finds hypothetical, negated (also by a
    negated verb of thought), feared, past or long-standing are dropped (the cue lists only know
    negation and simple history)."""
    out = []
    for em, spans in fired:
        # A cue inside a span that the signs reader's `sauf` sets aside for the same number is
        # not the sign ("le cabinet infirmier ne répond plus", "ça a été un choc").
        excluded = reader.excluded(text, em.numero)
        kept = []
        for s, e in spans:
            if any(xs < e and s < xe for xs, xe in excluded):
                continue
            q = reader.qualify(text, s, e)
            if em.numero == "114":
                # a deaf caller is a fact, not a sign: dropped only in a question with nothing now
                if q is None or not q.hypothese or not nothing_current(text, hypothetical=True):
                    kept.append((s, e))
                continue
            if q is None or real(q, **cue_options(em.numero, em.regle)):
                kept.append((s, e))
        if kept:
            out.append((em, kept))
    return out


def _required(req: dict, folded: str, spans, publics, age) -> bool:
    if req["publics"] & publics:
        return True
    if age is not None and (req["age_min"] is not None or req["age_max"] is not None):
        if within(age, req["age_min"], req["age_max"]):
            return True
    if req["signes"]:
        found = live(folded, req["signes"].spans(folded), history=False)
        window = req["fenetre"]
        for s, e in found:
            if window is None or any(s - window <= end and start - window <= e
                                     for start, end in spans):
                return True
    return False


def _load(raw, numeros, v, expand) -> list[_EmergencyRule]:
    rules: list[_EmergencyRule] = []
    seen: set[str] = set()
    for i, item in enumerate(v.sequence(raw, "urgences")):
        where = v.rule_name("urgences", i, item)
        item = v.mapping(item, where)
        v.keys(item, where, required={"id", "numero", "priorite", "motif", "signes"},
               optional={"sauf", "types", "requiert", "exclue_par", "avec_autre_urgence"})
        rid = v.ident(item["id"], where, seen)
        numero = str(item["numero"])
        if numero not in numeros:
            raise v.error(where, f"numéro inconnu '{numero}' (absent de la section numeros)")
        requiert = None
        if item.get("requiert") is not None:
            r = v.mapping(item["requiert"], where + " requiert")
            v.keys(r, where + " requiert", required=set(),
                   optional={"signes", "publics", "age_min", "age_max", "fenetre"})
            if not r:
                raise v.error(where, "requiert est vide")
            requiert = {
                "signes": expand(v.phrases(r["signes"], where), where) if "signes" in r else None,
                "publics": set(v.codes(r.get("publics") or [], "public", where)),
                "age_min": v.integer(r["age_min"], where, "age_min") if "age_min" in r else None,
                "age_max": v.integer(r["age_max"], where, "age_max") if "age_max" in r else None,
                "fenetre": v.integer(r["fenetre"], where, "fenetre") if "fenetre" in r else None,
            }
        signes = expand(v.phrases(item["signes"], where), where)
        if not signes:
            raise v.error(where, "aucun signe")
        rules.append(_EmergencyRule(
            id=rid, numero=numero, priorite=v.integer(item["priorite"], where, "priorite"),
            motif=v.text(item["motif"], where, "motif"), signes=signes,
            sauf=expand(v.phrases(item.get("sauf") or [], where), where),
            types=tuple(v.codes(item.get("types") or [], "type", where)),
            requiert=requiert,
            exclue_par=tuple(str(x) for x in (item.get("exclue_par") or [])),
            avec_autre_urgence=bool(item.get("avec_autre_urgence", False)), order=i))
    ids = {r.id for r in rules}
    for r in rules:
        for other in r.exclue_par:
            if other not in ids:
                raise v.error(f"urgences règle '{r.id}'", f"exclue_par : règle inconnue '{other}'")
    return rules
