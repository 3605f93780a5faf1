"""A care service named where the message says there is no care to give.

"Il réclame un SSIAD, mais il n'y a aucune prescription : seulement le ménage et les courses": the
SSIAD (care on prescription) is a word of the caller, the need is help at home. When the message
says there is no prescription or no care need, and names a need for help that is not care, the
care services named (SSIAD, SPASAD, HAD) are dropped and the care need is read as negated, so that
the rules give the home-help service (SAAD) or the information point.
"""
from __future__ import annotations

import re

from knowledge.text import fold

# "pas de prescription", "aucune ordonnance", "sans prescription médicale", "n'a pas besoin de soins",
# "aucun soin", "pas de soins infirmiers": said of the person, not asked as a question.
_NO_CARE = re.compile(
    r"\b(?:pas|aucune?|sans|ni)\s+(?:de\s+|d\s+)?(?:(?:vraie?|reelle?)\s+)?(?:prescription|ordonnance)s?\b|"
    r"\b(?:pas|plus|aucun)\s+(?:besoin\s+)?(?:de\s+|d\s+)?soins?\b(?!\s+(?:palliatifs|dentaires|techniques|lourds|complexes))|"
    r"\bn\s+a\s+(?:pas|plus|aucunement)\s+besoin\s+de\s+soins?\b|"
    r"\b(?:rien|aucun acte)\s+(?:de\s+)?(?:medical|infirmier|technique)\b")
CARE_TYPES = ("SSIAD", "SPASAD", "HAD")
# Needs for help that are not care: with one of them the request is for help at home.
_HELP_NEEDS = frozenset({"aide_domicile", "isolement", "acces_droits", "perte_autonomie", "maintien_domicile"})


def no_care_said(text: str) -> bool:
    """True when the message says there is no prescription or no care need."""
    return bool(_NO_CARE.search(fold(text)))


def drop_care_asked(text: str, types: list[str], besoins: set[str], besoins_nies: set[str]) -> list[str]:
    """The named types without the care services when the message says there is no care to give
    and names a need for help; the care need goes to `besoins_nies` (sets changed in place)."""
    if "soins_infirmiers" in besoins or not (besoins & _HELP_NEEDS) or not no_care_said(text):
        return types
    besoins.discard("soins_infirmiers")
    besoins_nies.add("soins_infirmiers")
    return [t for t in types if t not in CARE_TYPES]


# A disabled adult whose care must be organised ("un volet soins", "gérer ses soins et ses
# rendez-vous médicaux"): the SAMSAH (medico-social support with care); without care, the SAVS.
_CARE_SUPPORT = re.compile(
    r"\b(?:volet (?:de )?soins?|(?:gerer|gestion de|organiser|suivre|suivi de|coordonner|coordination de)\s+"
    r"(?:ses|leurs|son|sa)\s+(?:soins|traitements?|rendez vous medicaux|suivi medical)|"
    r"rendez vous medicaux|accompagnement (?:aux|des|a ses) soins|accompagner (?:a|aux) (?:ses )?soins)\b")
_HELP_OR_DAILY = _HELP_NEEDS | {"precarite_financiere", "logement", "coordination"}


REASONS = {"SAMSAH": "adulte handicapé dont les soins sont à organiser, accompagnement médico-social avec soins",
           "SAVS": "adulte handicapé sans soins à prévoir, accompagnement à la vie sociale"}


def disabled_adult_support(text: str, types: list[str], publics: set[str], besoins: set[str],
                           age: int | None) -> tuple[list[str], dict[str, str]]:
    """SAMSAH first for a disabled adult whose care must be organised, SAVS first when the message
    says no care is needed and names help for daily life, with the reason; `types` unchanged (and
    no reason) otherwise or when a type is already named."""
    if types or "handicap" not in publics or "personne_agee" in publics or (age is not None and not 18 <= age < 60):
        return types, {}
    chosen = None
    if no_care_said(text) and "soins_infirmiers" not in besoins:
        chosen = "SAVS" if besoins & _HELP_OR_DAILY else None
    elif _CARE_SUPPORT.search(fold(text)):
        chosen = "SAMSAH"
    return ([chosen], {chosen: REASONS[chosen]}) if chosen else (types, {})


# Professionals named as what is looked for ("un centre avec psychologue et orthophoniste", "voir
# un psy"): the help wanted, not professionals already involved (the complexity cues skip them).
_PRO = r"(?:psychologues?|psychiatres?|psys?|orthophonistes?|psychomotricien\w*|p[ée]dopsychiatres?)"
_SOUGHT = re.compile(
    r"\b(?:cherch\w*|trouver|besoin d[e'’]\s*|voir|consulter|rencontrer|parler [àa])\s+(?:(?:un|une|des|de|d['’]|le|la|les|du)\s*){0,2}"
    r"(?:(?:centre|service|structure|lieu|consultation|équipe|equipe)\s+(?:avec\s+|de\s+|d['’]\s*)?"
    r"(?:(?:un|une|des|de|d['’])\s*)?)?" + _PRO + r"(?:\s*(?:,|et|ou)\s+(?:(?:un|une|des|de|d['’])\s*)?" + _PRO + r")*",
    re.IGNORECASE)


def sought_professionals(text: str) -> list[tuple[int, int]]:
    """Spans of the professionals the message looks for."""
    return [m.span() for m in _SOUGHT.finditer(text)]


# A young person who no longer leaves home ("ne sort plus de chez lui depuis des mois"): a
# withdrawal (psychic suffering), not the loss of autonomy of an older or disabled person.
_WITHDRAWAL = re.compile(r"\b(?:ne|n)\s+(?:sort|sortent|quitte)\s+(?:plus|pas|jamais|presque plus)\b|"
                         r"\breste\w*\s+(?:enferme\w*|clo\w*|clo\w*tre\w*)\b|\bs\s+enferme\w*\b|\bclo\w*tre\w*\b")
YOUNG_UNTIL = 40


def withdrawal_of_the_young(text: str, besoins: set[str], publics: set[str], age: int | None) -> None:
    """Read a young person's staying in as psychic suffering (`besoins` changed in place)."""
    if ("perte_autonomie" not in besoins or age is None or age >= YOUNG_UNTIL
            or publics & {"handicap", "personne_agee"} or not _WITHDRAWAL.search(fold(text))):
        return
    besoins.discard("perte_autonomie")
    besoins.add("souffrance_psychique")


# Help at home for an older person whose APA is already granted: the help plan exists, the home-help
# service (SAAD) comes before the information point.
_APA_GRANTED = re.compile(r"\b(?:a|ont|touche|percoit|beneficie\w* de)\s+(?:l\s+|de l\s+)?apa\b|"
                          r"\bapa\s+(?:est\s+|a ete\s+|vient d etre\s+)?(?:accordee|obtenue|notifiee|validee|acceptee|en place)\b|"
                          r"\bplan d aide apa\b")
# Information asked about the APA or its help plan ("besoin d'info sur le plan d'aide APA"): not granted.
_APA_INFO = re.compile(r"\b(?:info\w*|renseign\w*|explication\w*|comprendre|savoir)\s+(?:\w+\s+){0,3}?(?:l\s+)?(?:apa|plan d aide)\b")
REASONS["SAAD"] = "APA déjà accordée : service d'aide à domicile"


def help_with_apa_granted(text: str, types: list[str], besoins: set[str]) -> tuple[list[str], dict[str, str]]:
    """SAAD first for help at home once the APA is granted; `types` unchanged (no reason) otherwise."""
    folded = fold(text)
    helped = "aide_domicile" in besoins or re.search(r"\baides? (?:a dom\w*|menageres?)\b", folded)
    if (types or not helped or "soins_infirmiers" in besoins or not _APA_GRANTED.search(folded)
            or _APA_INFO.search(folded)):
        return types, {}
    return ["SAAD"], {"SAAD": REASONS["SAAD"]}
