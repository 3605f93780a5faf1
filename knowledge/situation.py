"""Reading a free-text GP message into a ``Situation`` (place, age, publics, needs, resource types).

Rules (place choice, age forms, inferred publics) are documented in docs/vocabulary.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from knowledge.ages import MAX_AGE
from knowledge.care_asked import (disabled_adult_support, drop_care_asked, help_with_apa_granted,
                                  sought_professionals, withdrawal_of_the_young)
from knowledge.gazetteer import Commune, Departement, Gazetteer
from knowledge.places import choose, find_places
from knowledge.request_cues import (asked_spans, disabled_without_solution, funding_of_help, grown_up_children,
                                    mdph_file_to_make, memory_service, mobile_team_for_the_old, rights_to_reopen)
from knowledge.signs import read_signs
from knowledge.text import SENTENCE, fold
from knowledge.vocabulary import Vocabulary, fold_aligned

MAX_CHARS = 5000          # longer messages are cut: only the first MAX_CHARS characters are read

# Publics inferred from the age (years).
ADOLESCENT_FROM = 11      # collège entry; the maisons des adolescents take 11–25
ADULT_FROM = 18
ELDERLY_FROM = 60

# Representative ages of the age words (documented in docs/vocabulary.md).
AGE_WORDS = {
    "centenaire": 100, "nonagenaire": 95, "octogenaire": 85, "septuagenaire": 75, "sexagenaire": 65,
    "quinquagenaire": 55, "quinqua": 55, "quadragenaire": 45, "quadra": 45, "trentenaire": 35,
}
INFANT_WORDS = ("nouveau ne", "nouveau nee", "nourrisson", "nrs", "nne", "bebe", "bb")

# Words that introduce the patient ("pt 82a", "Mme 87 ans"): such an age wins over a bare one.
_PATIENT = frozenset("""pt pte patient patiente patients mme mr m monsieur madame mlle mademoiselle dame homme
femme enfant enfants bebe bb nourrisson nrs ado ados adolescent adolescente jeune garcon fille fillette gamin
gamine personne retraitee veuf veuve senior mineur mineure age agee ages agees usager usagere""".split())
# Relatives: an age right after them is not the patient's ("son fils de 55 ans").
_RELATIVES = frozenset("""fils mari epoux epouse conjoint conjointe compagnon compagne aidant aidante mere pere
maman papa frere soeur neveu niece voisin voisine parent parents belle beau gendre bru oncle tante cousin
cousine""".split())
_POSSESSIVES = frozenset({"sa", "son", "ses", "leur", "leurs", "votre", "notre", "mon", "ma"})
_POSSESSED = frozenset({"fille", "femme", "petite", "petit", "fils", "amie", "ami"})
# "depuis 3 ans", "il y a 2 ans", "pendant 10 ans" are durations, not ages.
_DURATION_BEFORE = frozenset({"depuis", "pendant", "durant", "dans", "sur", "apres", "avant", "pour", "tous",
                              "toutes", "ces", "des", "en", "ya", "bout", "ici", "dernier",
                              "derniers", "dernieres", "prochains", "prochaines", "moins",
                              # a wait or a length of time ("sans attendre un an", "il faut un an")
                              "attendre", "attend", "attendent", "attendu", "faut", "dure", "durer"})
_DURATION_AFTER = re.compile(
    r"\s*(?:plus tard|apres|auparavant|avant|de suivi|de retard|d attente|de mariage|d evolution|de vie commune|"
    r"de prison|d abstinence|de sevrage|de rue|d errance|de chomage|d anciennete|de traitement|d ecart|"
    r"de moins|de plus|ferme|de sursis|de carriere|de travail)\b")

_YEARS = re.compile(r"(?<![\d/,])(\d{1,3})\s*(?:ans|an)\b|(?<![\d/,])(\d{1,3})a\b")
_AGED = re.compile(r"\b(?:age|agee|ages|agees)\s*(?:de\s*)?:?\s*(\d{1,3})\b(?!\s*(?:mois|semaines?|jours?|kg|cm|%))")
# Ages dictated or written in words ("il a trois ans et demi", "dix-neuf ans", "quatre-vingt-sept
# ans"): the whole number, not its last word ("dix-neuf" is 19, not 9).
_NUMBER_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
                 "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
                 "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
                 "soixante": 60, "cent": 100}
_NUMBER_WORD = "(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_YEARS_IN_WORDS = re.compile(rf"\b((?:{_NUMBER_WORD}\s+(?:et\s+)?)*{_NUMBER_WORD})\s+(?:ans|an)\b")


def words_to_number(words: str) -> int:
    """A French number written in words, folded ("quatre vingt dix sept" → 97, "vingt et un" → 21)."""
    total = 0
    tokens = [w for w in words.split() if w != "et"]
    for i, w in enumerate(tokens):
        if w.startswith("vingt") and i > 0 and tokens[i - 1] == "quatre":
            total += 80 - 4          # "quatre-vingt(s)": the 4 already counted becomes 80
        else:
            total += _NUMBER_WORDS[w]
    return total
_MONTHS = re.compile(r"(?<![\d/,])(\d{1,2})\s*mois\b")
_WEEKS = re.compile(r"(?<![\d/,])(\d{1,2})\s*(?:semaines?|sem|jours?|j)\b")
_BORN = re.compile(r"\b(?:nee?s?\s+(?:en|le)|ddn\s*:?|date de naissance\s*:?)\s*(?:[\d/ ]{0,12}|\d{1,2}\s+[a-z]+\s+)"
                   r"((?:19|20)\d\d)\b")
_INFANT_BEFORE = frozenset({"bebe", "bb", "nourrisson", "nrs", "nne", "enfant", "petit", "petite", "garcon", "fille",
                            "fils", "fillette", "pt", "pte", "patient", "patiente", "nouveau", "jumeaux", "jumelles"})
_PREGNANCY = frozenset({"enceinte", "grossesse", "gestation", "terme", "sa", "amenorrhee"})
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Situation:
    text: str
    commune: Commune | None = None
    departement: Departement | None = None
    hors_region: str | None = None                     # label of an out-of-region place
    ambiguite: tuple[Commune, ...] = ()                # when the place is ambiguous
    age: int | None = None                             # years (0 for infants)
    publics: set[str] = field(default_factory=set)
    besoins: set[str] = field(default_factory=set)
    besoins_nies: set[str] = field(default_factory=set)
    types: list[str] = field(default_factory=list)     # resource types named by the user, in order
    urgence_temps: str | None = None                   # "immediat" | "aujourd_hui" | "semaine" | None
    antecedents: set[str] = field(default_factory=set)  # needs reported as past history ("ATCD d'...")
    signes: list = field(default_factory=list)         # knowledge.signs.Sign, read once per message
    types_filtre: list[str] = field(default_factory=list)  # types asked by a filter (console, API): first
    noms_services: list[tuple[int, int]] = field(default_factory=list)  # spans of the services asked for
    non_problemes: list[tuple[int, int]] = field(default_factory=list)  # spans that are no current problem
    types_deduits: dict[str, str] = field(default_factory=dict)  # type put first by a condition -> why
    besoins_demandes: set[str] = field(default_factory=set)  # needs read in the sentences that ask

    def text_without_service_names(self) -> str:
        """The text with the names of the services asked for blanked ("équipe mobile psychiatrie
        précarité" says nothing of the person's precarity), nor the sentences that are no current
        problem (``non_problemes``): what the complexity cues read."""
        text = self.text or ""
        for a, b in self.noms_services + self.non_problemes:
            text = text[:a] + " " * (b - a) + text[b:]
        return text


def _words_before(t: str, pos: int, n: int) -> list[str]:
    return _WORD.findall(t[max(0, pos - 60):pos])[-n:]


def _years_candidate(t: str, m: re.Match, value: int) -> int | None:
    """Priority of a "N ans" age (2: attached to the patient, 1: bare), None when it is not an age."""
    before = _words_before(t, m.start(), 4)
    last = before[-1] if before else ""
    if last in _DURATION_BEFORE or before[-2:] in (["y", "a"], ["il", "y"]) or last == "ya":
        return None
    if before[-3:-1] == ["il", "y"] or (len(before) >= 2 and before[-2] in ("depuis", "pendant", "durant")
                                       and last in ("plus", "pres", "environ", "bientot")):
        return None
    if _DURATION_AFTER.match(t, m.end()):
        return None
    if not 0 <= value <= MAX_AGE:
        return None
    near = before[-3:]
    for i, w in enumerate(near):
        # A relative's age ("son père de 83 ans") is kept only when no other age is given.
        if w in _RELATIVES or (w in _POSSESSIVES and i + 1 < len(near) and near[i + 1] in _POSSESSED):
            return -1
    return 2 if any(w in _PATIENT for w in near) else 1


def parse_age(text: str, *, today: date | None = None) -> int | None:
    """Age of the patient in years from a message, or None.

    "82 ans", "82a", "âgée de 82", "né en 1940", "octogénaire" (85), "bébé de 8 mois" (0),
    "nourrisson de 3 semaines" (0). Durations ("depuis 3 ans", "il y a 2 ans"), ages of relatives
    ("son fils de 55 ans") and numbers that are not ages (departments, phone numbers, "2 chutes")
    are ignored. An age attached to a patient word ("pt 82a", "Mme 87 ans") wins; else the first.
    """
    if not text:
        return None
    t = fold(str(text)[:MAX_CHARS])
    year = (today or date.today()).year
    found: list[tuple[int, int, int]] = []      # (priority, position, age)
    for m in _YEARS.finditer(t):
        value = int(m.group(1) or m.group(2))
        prio = _years_candidate(t, m, value)
        if prio is not None:
            found.append((prio, m.start(), value))
    for m in _YEARS_IN_WORDS.finditer(t):
        value = words_to_number(m.group(1))
        prio = _years_candidate(t, m, value)
        if prio is not None:
            found.append((prio, m.start(), value))
    for m in _AGED.finditer(t):
        value = int(m.group(1))
        if 0 <= value <= MAX_AGE:
            found.append((2, m.start(), value))
    for m in _BORN.finditer(t):
        born = int(m.group(1))
        if 1900 <= born <= year and year - born <= MAX_AGE:
            found.append((2, m.start(), year - born))
    for rx, months_per_unit in ((_MONTHS, 1), (_WEEKS, 0)):
        for m in rx.finditer(t):
            before = _words_before(t, m.start(), 3)
            if not any(w in _INFANT_BEFORE for w in before) or any(w in _PREGNANCY for w in before):
                continue
            if set(before) & (_DURATION_BEFORE | {"ya", "y"}):
                continue
            found.append((2, m.start(), int(m.group(1)) // 12 if months_per_unit else 0))
    for word, value in AGE_WORDS.items():
        m = re.search(rf"\b{word}s?\b", t)
        if m:
            found.append((1, m.start(), value))
    if not found:
        for word in INFANT_WORDS:
            m = re.search(rf"\b{word}s?\b", t)
            if m:
                found.append((0, m.start(), 0))
    if not found:
        return None
    found.sort(key=lambda f: (-f[0], f[1]))
    return found[0][2]


def publics_for_age(age: int | None) -> set[str]:
    """Publics implied by an age: <1 enfant + périnatalité, <11 enfant, 11–17 adolescent, 18–59 adulte, ≥60 personne âgée."""
    if age is None:
        return set()
    if age < 1:
        return {"enfant", "perinatalite"}
    if age < ADOLESCENT_FROM:
        return {"enfant"}
    if age < ADULT_FROM:
        return {"adolescent"}
    if age < ELDERLY_FROM:
        return {"adulte"}
    return {"personne_agee"}


# A service named as the caller, a service already in place or refused: not the one asked for.
_CONTEXT_TYPE = re.compile(
    r"\b(?:appel|appelle|de la part|infirmiere|infirmier|ide|assistante sociale|assistant social|educatrice|"
    r"educateur|directrice|directeur|coordinatrice|secretaire|je travaille|travaille|notif\w*|notification|orientation|"
    r"suivi par|suivie par|deja|sorti\w*|refuse\w* d aller|refuse\w* de retourner|refus d aller|refus de retourner|veut pas aller|veut plus aller|"
    r"refus|refuse\w*|arrete|interrompu|je suis|nous sommes|apres|"
    r"(?:realise\w*|effectue\w*|fait|faite|faits|faites)\s+(?:au|aux|a|par|chez))\s+"
    r"(?:(?:du|de la|de l|d un|d une|de|des|au|aux|le|la|l|les|un|une|par|en|a|sa|son|ses|leur)\s+){0,2}$")
# A service already in place, said after its name ("le SSIAD passe deux fois par jour").
# Also a service that already decided ("la MDPH lui a déjà accordé…") or the caller relaying a
# request ("un travailleur social de Blois relaie la demande").
_CONTEXT_AFTER = re.compile(r"\s*(?:passe|passent|intervient|interviennent|vient|viennent|est en place|sont en place|"
                            r"est deja|sont deja|suit deja|la suit|le suit|les suit|ne (?:le|la|les) (?:voit|suit) plus|"
                            r"(?:du |de )?(?:secteur )?(?:n a (?:pas|plus) de place|ne peut plus|ne suffit plus|est sature\w*|"
                            r"est insuffisant\w*|ne vient plus|s est retire\w*)|"
                            r"(?:(?:du|de la|de l|de|des) [a-z]+ )?(?:est|sont) (?:en arret|absent\w*|en conge)|"
                            r"(?:[a-z]+ ){0,2}mais (?:la situation|cela|ca|tout ca) (?:le |la |les )?(?:depasse|va au dela)|"
                            r"(?:lui|leur|nous|m|l)?\s*a\s+(?:deja\s+|bien\s+)?(?:donne|accorde|notifie|attribue|valide|oriente)|"
                            r"(?:d\s+|de\s+|du\s+)?(?:[a-z-]+\s+)?(?:relaie|relaye|signale|me contacte|m appelle|nous appelle)|"
                            # the caller a few words on ("une travailleuse sociale d'un foyer de Dreux nous sollicite")
                            r"(?:[a-z-]+\s+){0,7}?(?:nous|me|m)\s+(?:sollicite\w*|appelle\w*|contacte\w*|signale\w*|demande\w*)|"
                            # the service calling about someone ("le CCAS de Mer appelle pour une dame")
                            r"(?:(?:de|d|du|des)\s+)?(?:[a-z-]+\s+){0,3}?(?:appelle|telephone|ecrit)\s+(?:pour|au sujet|a propos|concernant)|"
                            # a professional giving an opinion or sending on ("le pédopsychiatre pense à un autisme")
                            r"(?:nous\s+|l\s+|les\s+|a\s+)?(?:pense|pensent|evoque\w*|suspecte\w*|soupconne\w*|propose\w*|"
                            r"conseille\w*|recommande\w*|oriente\w*|envoie\w*|adresse\w*|pose\w*|prescrit)|"
                            r"(?:m|nous|lui|leur)\s+a\s+(?:dit|conseille|propose|oriente\w*|envoye\w*|parle)|"
                            # the professional who spoke of a service ("l'assistante sociale parle d'un accompagnement")
                            r"(?:nous\s+|m\s+|lui\s+)?(?:parle\w*|a parle)\s+(?:d|de|du|des)\b|"
                            # rights of the insurer that ended ("ses droits à l'assurance maladie ont expiré")
                            r"(?:ont|a|sont)\s+(?:expire\w*|pris fin|ferme\w*|suspendu\w*))\b")
# A visit wished for ("je voudrais qu'une puéricultrice passe"): a request, not a service in place.
_WISH_BEFORE = re.compile(r"\b(?:voudrai\w*|voudrions|souhait\w*|aimerai\w*|faudrai\w*|faut|propos\w*|conseill\w*|"
                          r"demand\w*)\s+(?:(?:bien|vraiment|donc)\s+)?(?:que|qu)\s+(?:un|une|le|la|l|les|des)?\s*$")
# Needs that are services: one the person already has ("ils ont une aide-ménagère", "l'infirmière
# passe") is a resource in place, not a current problem.
_SERVICE_NEEDS = frozenset({"aide_domicile", "soins_infirmiers", "hospitalisation_domicile"})
_HAS_BEFORE = re.compile(r"\b(?:ont|a|ai|avons|avez|beneficie\w*|dispose\w*|deja)\s+(?:deja\s+)?(?:d\s+|de\s+)?"
                         r"(?:un|une|des|l|le|la|les|son|sa|ses|leur|leurs)?\s*$")
# "Elle ne veut rien mettre en place maintenant, juste s'informer": a request for information
# ahead of time, not a refusal of help.
_NOT_NOW = re.compile(r"\b(?:ne|n)\s+(?:veut|veulent|souhaite|souhaitent)\s+(?:rien|pas|aucune aide)\b.*\b(?:maintenant|"
                      r"pour l instant|pour le moment|tout de suite|dans l immediat|pour l heure)\b")
_JUST_ASKING = re.compile(r"\b(?:juste|seulement|simplement|uniquement)\s+(?:pour\s+)?(?:s informer|se renseigner|"
                          r"savoir|connaitre|des renseignements|des informations|des infos|anticiper)\b")
# "autonome pour sa toilette": that need is not there.
_AUTONOMOUS = re.compile(r"\bautonomes?\s+pour\s+(?:faire\s+)?(?:sa|son|ses|la|le|les|l|leur|leurs)?\s*$")
_PARENT = re.compile(r"\b(?:mere|pere|maman|papa|parents?|mamans?)\b")
_URGENCY_ORDER = ("immediat", "aujourd_hui", "semaine")


def analyse(text: str, *, gazetteer: Gazetteer | None = None, vocabulary: Vocabulary | None = None,
            today: date | None = None, signs: bool = True) -> Situation:
    """Read a GP message: place, age, publics, needs (affirmed, negated, past), resource types, time urgency,
    clinical signs and alert scenes with their qualifiers (``signs=False`` skips the spaCy reading).

    Robust to any input: ``None`` reads as an empty message, other objects as their ``str``; only the
    first ``MAX_CHARS`` characters are read.
    """
    text = "" if text is None else str(text)[:MAX_CHARS]
    situation = Situation(text=text)
    if not text.strip():
        return situation
    gazetteer = gazetteer or Gazetteer.default()
    vocabulary = vocabulary or Vocabulary.default()

    places = find_places(text, gazetteer, vocabulary)
    _place(situation, places)

    mentions = vocabulary.find(text)
    # A vocabulary word inside a place name is not a mention ("Les Aix-d'Angillon").
    spans = [(p.start, p.end) for p in places if p.kind != "hors_region"]
    mentions = [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in spans)]

    situation.age = parse_age(text, today=today)
    urgences: set[str] = set()
    asked = [m for m in mentions if m.kind == "type" and not _is_context(text, m)]
    situation.noms_services = [(m.start, m.end) for m in asked] + sought_professionals(text)
    # A public inside the name of a service asked for is that service's name, not the person
    # ("équipe mobile psychiatrie précarité" is not a person in precarity).
    mentions = [m for m in mentions if m.kind != "public" or not any(
        t.start <= m.start and m.end <= t.end and (t.end - t.start) > (m.end - m.start) for t in asked)]
    situation.non_problemes = _deferred_refusals(text)
    asking = asked_spans(text)
    for m in mentions:
        if m.kind == "besoin" and m.code == "refus_aide" and any(
                a <= m.start < b for a, b in situation.non_problemes):
            continue
        if m.kind == "besoin":
            if m.code in _SERVICE_NEEDS and not m.negated and _in_place(text, m):
                continue
            if m.negated or _AUTONOMOUS.search(fold(text[max(0, m.start - 30):m.start])):
                situation.besoins_nies.add(m.code)
            elif m.history:
                situation.antecedents.add(m.code)
            else:
                situation.besoins.add(m.code)
                if any(a <= m.start < b for a, b in asking):
                    situation.besoins_demandes.add(m.code)
        elif m.negated or m.history:
            continue
        elif m.kind == "public":
            situation.publics.add(m.code)
        elif m.kind == "type":
            if _is_context(text, m):
                continue   # the caller or a service already involved ("appel du CCAS", "notification MDPH")
            if m.code not in situation.types:
                situation.types.append(m.code)
        elif m.kind == "urgence":
            urgences.add(m.code)
    # A need both affirmed and negated ("pas de chute ... chutes ++") counts as affirmed.
    situation.besoins_nies -= situation.besoins
    situation.antecedents -= situation.besoins
    situation.urgence_temps = next((u for u in _URGENCY_ORDER if u in urgences), None)

    age = situation.age
    minor = (age is not None and age < ADULT_FROM) or (
        age is None and situation.publics & {"enfant", "adolescent"} and "personne_agee" not in situation.publics)
    if minor and situation.besoins & {"violences", "maltraitance", "incurie"}:
        # A minor victim, or a neglected child (dirty, left alone): child protection.
        situation.besoins.add("protection_enfance")
        situation.besoins_nies.discard("protection_enfance")
    withdrawal_of_the_young(text, situation.besoins, situation.publics, age)
    funding_of_help(text, situation.publics, situation.besoins, age)
    publics = situation.publics
    publics |= publics_for_age(age)
    for need in situation.besoins:
        # Implied publics are kept even when the stated age is another band: the message then
        # involves two people ("Mme 35 ans, son fils de 4 ans a un retard de langage").
        publics.update(vocabulary.needs[need].publics)
    if _PARENT.search(fold(text)) and (publics & {"enfant", "adolescent", "perinatalite"}
                                       or (situation.age is not None and situation.age < ADULT_FROM)):
        if not publics & {"enfant", "adolescent"}:
            publics.add("enfant")
        if situation.age is not None and situation.age < 1:
            publics.add("perinatalite")
    grown_up_children(text, publics, age)
    disabled_without_solution(text, publics, situation.besoins)
    situation.types = mobile_team_for_the_old(text, situation.types, publics, situation.besoins)
    situation.types = _precise(situation.types, situation.besoins | publics, vocabulary)
    situation.types = drop_care_asked(text, situation.types, situation.besoins, situation.besoins_nies)
    situation.types, situation.types_deduits = disabled_adult_support(
        text, situation.types, publics, situation.besoins, situation.age)
    if not situation.types_deduits:
        situation.types, situation.types_deduits = help_with_apa_granted(text, situation.types, situation.besoins)
    for deduce in (mdph_file_to_make, rights_to_reopen, memory_service):
        if not situation.types_deduits:
            situation.types, situation.types_deduits = deduce(text, situation.types, situation.besoins)
    if signs:
        situation.signes = read_signs(text, publics=publics, age=situation.age)
    return situation


_DECIDED_FOR = re.compile(r"\b(?:orientation|notification|notif|notifiee?)\s+(?:(?:en|vers|de|d|du|un|une)\s+){0,2}$")
# The caller's role opening the message ("Travailleuse sociale à Dun-sur-Auron : une famille…").
_ROLE_OPENING = re.compile(r"^[^.:;!?\n]{0,40}:")


def _is_context(text: str, m) -> bool:
    """A service named as the caller, already involved or refused ("appel du CCAS", "refuse le CMP");
    an orientation decided for a service other than the MDPH names the one wanted ("orientation SAVS")."""
    before = fold(text[max(0, m.start - 40):m.start]) + " "
    if m.code != "MDPH" and _DECIDED_FOR.search(before):
        return False
    if len(text[:m.start].split()) <= 1 and _ROLE_OPENING.match(text[m.end:]):
        return True
    return bool(_CONTEXT_TYPE.search(before)
                or (_CONTEXT_AFTER.match(fold(text[m.end:m.end + 60])) and not _WISH_BEFORE.search(before)))


def _deferred_refusals(text: str) -> list[tuple[int, int]]:
    """Sentences where help is declined "for now" in a request for information only."""
    folded, index = fold_aligned(text)
    sentences = [(m.start(), m.end()) for m in SENTENCE.finditer(folded)]
    out = []
    for i, (a, b) in enumerate(sentences):
        if _NOT_NOW.search(folded[a:b]):
            after = folded[a:sentences[i + 1][1]] if i + 1 < len(sentences) else folded[a:b]
            if _JUST_ASKING.search(after):
                out.append((index[a], index[b - 1] + 1))
    return out


def _in_place(text: str, m) -> bool:
    """A service need already met ("ils ont une aide-ménagère", "l'infirmière passe")."""
    before = fold(text[max(0, m.start - 40):m.start]) + " "
    return bool(_HAS_BEFORE.search(before[-31:].rstrip())
                or (_CONTEXT_AFTER.match(fold(text[m.end:m.end + 60])) and not _WISH_BEFORE.search(before)))


def _precise(types: list[str], cues: set[str], vocabulary: Vocabulary) -> list[str]:
    """A generic service named for a need one of its programmes answers comes as that programme
    first ("l'assurance maladie pour le retour à la maison" → PRADO, then CPAM): the type's
    ``precisions`` in knowledge/data/vocabulary.yaml."""
    out: list[str] = []
    for t in types:
        term = vocabulary.resource_types.get(t)
        precise = next((p for cue, p in (term.precisions if term else ()) if cue in cues), None)
        out.extend(x for x in (precise, t) if x and x not in out)
    return out


def _place(situation: Situation, places: list) -> None:
    """The place chosen by ``knowledge.places.choose`` (commune, ambiguity, department, out of region)."""
    reading = choose(places)
    situation.commune = reading.commune
    situation.departement = reading.departement
    situation.ambiguite = reading.candidates if reading.ambiguous else ()
    situation.hors_region = None if reading.found else reading.hors_region


# A second message that changes the need ("finalement c'est surtout…", "plutôt", "en fait").
_CHANGE = re.compile(r"\b(?:finalement|plutot|en fait|au final|surtout|a la place|en realite|"
                     r"ce n est pas ca|c est pas ca|pas ca)\b")
# A second message that adds to the need ("il a aussi…", "en plus").
_ADDITION = re.compile(r"\b(?:aussi|egalement|en plus|de plus|par ailleurs|et puis)\b")


def revise(old: str, new: str, *, gazetteer: Gazetteer | None = None,
           vocabulary: Vocabulary | None = None) -> str:
    """The situation text after a second message about the same person.

    A message that changes the need ("finalement c'est surtout l'épouse qu'il faudrait soulager")
    replaces the old needs: the old text keeps only what is not a need (age, place, publics) and
    the new message follows. A need the new message negates ("non, pas de troubles de mémoire")
    is cut out of the old text. Otherwise the new message is an added detail, appended.
    """
    vocabulary = vocabulary or Vocabulary.default()
    old, new = old or "", new or ""
    folded = fold(new)
    now = [m for m in vocabulary.find(new) if m.kind in ("besoin", "type")]
    negated = {m.code for m in now if m.negated or m.history}
    affirmed = [m for m in now if not (m.negated or m.history)]
    cut: set[str] = set(negated)
    if affirmed and _CHANGE.search(folded) and not _ADDITION.search(folded):
        cut |= {m.code for m in vocabulary.find(old) if m.kind in ("besoin", "type")}
    if cut:
        spans = [(m.start, m.end) for m in vocabulary.find(old)
                 if m.kind in ("besoin", "type") and m.code in cut]
        for a, b in sorted(spans, reverse=True):
            old = old[:a] + old[b:]
    return f"{old}\n{new}".strip()
