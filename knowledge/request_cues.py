"""What a request says of itself, read after the vocabulary (issue 16, sixth pass).

Each function reads one phrasing family that the closed vocabulary cannot express alone, and
changes the `Situation`'s needs, publics or named types in place, or says a type to put first
with its reason (like ``knowledge.care_asked``):

- a request said to be simple ("rien de compliqué", "juste besoin d'info"): no DAC first;
- health-insurance rights to reopen (closed after a move, a carte Vitale that no longer works, a
  complementary cover to renew): the CPAM first, not the PASS, unless there is no cover at all;
- memory troubles: a diagnosis wanted (tests, scan, a specialist) is the memory clinic (CMRR); a
  diagnosis made and care at home (sessions, stimulation) is the specialised Alzheimer team (ESA);
- a disabled person without a solution ("aucune place", "sans solution", "liste d'attente"): a
  place in a service is the need (the PCPE answers), not a coordination request;
- an older person asking for home help and how to pay for it: a question for the information
  point (APA, aid), not a financial hardship that makes the situation complex;
- "l'équipe mobile" named for an older person, with no palliative or psychiatric need: the
  geriatric mobile team;
- "les enfants sont loin" said of an older person: grown-up children, not a child public;
- the sentences that ask ("il voudrait de l'aide pour le ménage", "je cherche où l'orienter pour
  l'alcool") as opposed to the story around them: the needs read there are the ones asked for.
"""
from __future__ import annotations

import re

from knowledge.text import SENTENCE, fold
from knowledge.vocabulary import fold_aligned

# -- a request said to be simple --------------------------------------------------------------

_SIMPLE = re.compile(
    r"\b(?:(?:pas|rien)\s+de\s+(?:situation\s+)?(?:complique\w*|complexe\w*)|pas\s+(?:une\s+)?situation\s+complexe|"
    r"situation\s+simple|rien\s+de\s+(?:grave|special)\s*,?\s*juste|"
    r"(?:juste|seulement|simplement)\s+(?:besoin\s+d\s+|une\s+demande\s+d\s+|pour\s+)?(?:info|infos|information|informations|renseignements?)\b)")


def said_simple(text: str) -> bool:
    """True when the message says the situation is simple or asks only for information."""
    return bool(_SIMPLE.search(fold(text or "")))


# -- the sentences that ask -----------------------------------------------------------------

_ASK = re.compile(
    r"\b(?:cherch\w*|recherch\w*|voudrai\w*|voudrions|souhait\w*|aimerai\w*|aimerions|besoin d\w*|"
    r"faudrai\w*|il faut|qui peut|qui pourrai\w*|ou (?:trouver|aller|s adresser|l orienter|la orienter|orienter)|"
    r"a qui|qui (?:contacter|appeler|solliciter)|quel service|quelle structure|existe\w*|y a t il|"
    r"(?:avez|auriez|pouvez|pourriez) vous|demand\w* (?:de|d|un|une|des|si|pour|qu)|"
    r"comment (?:faire|trouver|obtenir|avoir|trouver))\b")


def asked_spans(text: str) -> list[tuple[int, int]]:
    """Spans (in `text`) of the sentences that ask for something: a wish, a search, a question."""
    folded, index = fold_aligned(text or "")
    out = []
    for m in SENTENCE.finditer(folded):
        a, b = m.span()
        if b > a and (_ASK.search(m.group()) or folded[b:b + 1] == "?"):
            out.append((index[a], index[b - 1] + 1))
    return out


# -- health-insurance rights to reopen --------------------------------------------------------

_REOPEN = re.compile(
    r"\b(?:droits?\s+(?:a\s+la\s+|de\s+)?(?:secu|securite sociale|assurance maladie|cpam|sociaux)?\s*"
    r"(?:ferme\w*|cloture\w*|suspendu\w*|coupe\w*|a rouvrir|a reouvrir|a reactiver|a mettre a jour|plus a jour|pas a jour)|"
    r"droits?\s+(?:ne sont|n est)\s+plus\s+(?:ouverts?|a jour|valables?|actifs?)|changement de caisse|"
    r"(?:rouvrir|reouvrir|reactiver|retablir|remettre a jour|mettre a jour)\s+(?:ses|les|leurs|des|mes)?\s*droits|"
    r"carte\s+vitale\s+(?:perdue|volee|plus valable|plus valide|expiree|bloquee|(?:qui\s+)?ne passe plus|a renouveler|a mettre a jour|pas a jour)|"
    r"(?:perdu|perte de)\s+(?:sa|la|leur|ma)?\s*carte\s+vitale|"
    r"attestations?\s+de\s+droits|"
    r"(?:perdu|renouvel\w*|remettre en route|plus de|pas renouvele\w*)\s+(?:de\s+|d\s+)?(?:sa|la|leur|son)?\s*"
    r"(?:complementaire|css|cmu\w*|mutuelle|ame)\b)")
_NO_COVER_AT_ALL = re.compile(r"\b(?:sans|aucune?|jamais eu de|pas de)\s+(?:aucune\s+)?(?:couverture|secu\b|securite sociale|papiers?|titre de sejour|droits? ouverts?)|"
                              r"\bsans papiers?\b|\barrive\w* en france\b|\bdemande d asile\b")
REASONS = {"CPAM": "droits d'assurance maladie à rouvrir ou à mettre à jour : la caisse (CPAM)"}


def rights_to_reopen(text: str, types: list[str], besoins: set[str]) -> tuple[list[str], dict[str, str]]:
    """CPAM first when rights exist but must be reopened or renewed (and the access need added);
    `types` unchanged otherwise, when a type is named or when the person has no cover at all."""
    folded = fold(text or "")
    if types or not _REOPEN.search(folded) or _NO_COVER_AT_ALL.search(folded):
        return types, {}
    besoins.add("acces_droits")
    return ["CPAM"], {"CPAM": REASONS["CPAM"]}


# -- an MDPH file never made ----------------------------------------------------------------

_NEVER_FILED = re.compile(r"\b(?:jamais|pas|aucun|aucune|pas encore|rien)\s+(?:eu|fait|depose|demande)?\s*(?:de|d|a la)?\s*"
                          r"(?:dossier|demande)?\s*(?:a la\s+)?mdph\b(?!\s+(?:dit|a dit|refuse\w*))")
REASONS["MDPH"] = "aucun dossier MDPH encore fait : la maison départementale des personnes handicapées"


def mdph_file_to_make(text: str, types: list[str], besoins: set[str]) -> tuple[list[str], dict[str, str]]:
    """MDPH first when the message says no MDPH file was ever made ("n'a jamais eu de dossier MDPH")."""
    if types or "droits_handicap" not in besoins or not _NEVER_FILED.search(fold(text or "")):
        return types, {}
    return ["MDPH"], {"MDPH": REASONS["MDPH"]}


# -- memory: a diagnosis wanted, or care at home after it -------------------------------------

_DIAGNOSIS_DONE = re.compile(r"\b(?:(?:diagnostic|diag|dg|dgc)\s+(?:\w+\s+){0,3}?(?:deja\s+)?(?:fait|pose|etabli|confirme|porte|recent)|"
                             r"(?:a eu|avoir|eu|recu|avec)\s+(?:un|le|son|sa)\s+(?:diagnostic|diag)|"
                             r"diagnostique\w*|deja diagnostique\w*)\b")
_CARE_AT_HOME = re.compile(r"\b(?:seances?|stimul\w*|rehabilitation|vient a la maison|viennent a la maison|"
                           r"a domicile|a la maison|chez (?:elle|lui))\b")
_DIAGNOSIS_WANTED = re.compile(
    r"\b(?:bilan\s+(?:memoire|de (?:la )?memoire|neuro\w*|cognitif|complet)|un vrai bilan|diagnostic|diagnostiquer|"
    r"tests?\s+(?:de (?:la )?memoire|cognitifs?|neuropsy\w*)|avec (?:les|des) tests|irm|scanner|"
    r"specialiste|neurologue|avis specialise|(?:evaluer|faire le point sur|examiner)\s+(?:sa|la|leur)\s+memoire|"
    r"faire evaluer sa memoire)\b")
REASONS["CMRR"] = "troubles de la mémoire à diagnostiquer : consultation mémoire"
REASONS["ESA"] = "maladie diagnostiquée, soins d'accompagnement à domicile : équipe spécialisée Alzheimer"


def memory_service(text: str, types: list[str], besoins: set[str]) -> tuple[list[str], dict[str, str]]:
    """For memory troubles with no type named: ESA first when the diagnosis is made and care at home
    is asked, CMRR first when a diagnosis is wanted; `types` unchanged (no reason) otherwise."""
    if types or "troubles_cognitifs" not in besoins:
        return types, {}
    folded = fold(text or "")
    if _DIAGNOSIS_DONE.search(folded) and _CARE_AT_HOME.search(folded):
        return ["ESA"], {"ESA": REASONS["ESA"]}
    if _DIAGNOSIS_WANTED.search(folded) and not _DIAGNOSIS_DONE.search(folded):
        return ["CMRR"], {"CMRR": REASONS["CMRR"]}
    return types, {}


# -- a disabled person without a solution -----------------------------------------------------

_NO_SOLUTION = re.compile(
    r"\b(?:sans solution|aucune solution|pas de solution|plus de solution|aucun (?:etablissement|foyer|accueil|ime|esat)|"
    r"aucune (?:place|structure)|(?:ne|n)\s+(?:peut|peuvent)\s+(?:le|la)\s+prendre|(?:ans|mois) d attente|"
    r"plus rien depuis|depuis plus rien|amendement creton|en attendant une place)\b")
_DISABILITY = frozenset({"handicap", "autisme"})
# Strain around the person (exhausted or overwhelmed relatives, conflict, repeated admissions).
_STRAINED = re.compile(r"\b(?:epuise\w*|a bout|n en peu\w+ plus|depasse\w*|conflits?|"
                       r"hospitalisations?\s+(?:repetees|multiples|a repetition))\b")


def disabled_without_solution(text: str, publics: set[str], besoins: set[str]) -> None:
    """A disabled person "sans solution" needs a place or a service (``entree_etablissement``): the
    "solution" words are then not a request for coordination (sets changed in place). With exhausted
    caregivers the situation is a complex one (the DAC's), left as read."""
    folded = fold(text or "")
    if (not (publics | besoins) & _DISABILITY or "epuisement_aidant" in besoins
            or not _NO_SOLUTION.search(folded) or _STRAINED.search(folded)):
        return
    besoins.add("entree_etablissement")
    if not re.search(r"\b(?:coordin\w*|coordonn\w*|gestion de cas|appui|intervenants)\b", folded):
        besoins.discard("coordination")


# -- home help for an older person, and how to pay for it -------------------------------------

_FUNDING = re.compile(r"\b(?:aides?\s+(?:financieres?\s+)?pour\s+(?:payer|financer|ca|cela)|aides?\s+financieres?|"
                      r"qui (?:finance|paie|paye)|financement|financer|payer une partie|reste a charge|"
                      r"des aides pour|droit a (?:une|des) aides?|avoir une aide)\b")


def funding_of_help(text: str, publics: set[str], besoins: set[str], age: int | None) -> None:
    """An older person's home help and the question of paying for it: the money words are that
    question (the information point answers on the APA and aid), not a hardship (in place)."""
    older = "personne_agee" in publics or (age is not None and age >= 60)
    if not older or "aide_domicile" not in besoins or not _FUNDING.search(fold(text or "")):
        return
    besoins.discard("precarite_financiere")


# -- "l'équipe mobile" for an older person ----------------------------------------------------

_BARE_MOBILE_TEAM = re.compile(r"\b(?:l|une|des|les)\s+(?:equipes?|eq)\s+mobiles?\b"
                               r"(?!\s+(?:de\s+|d\s+)?(?:soins|sp\b|psy\w*|precarite|palliati\w*|addicto\w*))")
_MOBILE_TYPES = frozenset({"EMG", "EMSP", "EMPP"})
_OTHER_TEAMS = frozenset({"soins_palliatifs", "troubles_psychiatriques", "souffrance_psychique", "addiction"})


def mobile_team_for_the_old(text: str, types: list[str], publics: set[str], besoins: set[str]) -> list[str]:
    """"L'équipe mobile" named for an older person with no palliative or psychiatric need: the EMG."""
    if ("personne_agee" not in publics or set(types) & _MOBILE_TYPES or besoins & _OTHER_TEAMS
            or "precarite" in publics or not _BARE_MOBILE_TEAM.search(fold(text or ""))):
        return types
    return types + ["EMG"]


# -- grown-up children ------------------------------------------------------------------------

_GROWN_UP = re.compile(r"\b(?:les|ses|leurs|nos|mes)\s+enfants\s+(?:qui\s+)?(?:sont|vivent|habitent|travaillent|"
                       r"viennent|passent|ne\s+\w+|n\s+\w+|a\s+|en\s+|loin)")
_CHILD_CUES = re.compile(r"\b(?:enfants?|fils|fille|petite?s?|bebe|ado\w*)\s+(?:de\s+)?\d{1,2}\s*(?:ans|a|mois)\b|"
                         r"\b(?:enfant|bebe|nourrisson|gamin\w*|eleve|ecole|college|creche)\b")


def grown_up_children(text: str, publics: set[str], age: int | None) -> None:
    """"Les enfants sont loin" said of a person of 60 or more names grown-up children: no child
    public unless the message speaks of a child otherwise (in place)."""
    if "enfant" not in publics or age is None or age < 60:
        return
    folded = fold(text or "")
    if not _GROWN_UP.search(folded) or _CHILD_CUES.search(_GROWN_UP.sub(" ", folded)):
        return
    publics.discard("enfant")
