"""Word lists of place reading: names that are ordinary words, blocked short forms, natural
regions, place cues. Hand-made lists are here (each says how it was made); the generated one,
`FUZZY_BLOCK`, is read from ``knowledge/data/fuzzy-block.txt`` (scripts/build_fuzzy_block.py).
"""
from __future__ import annotations

import re
from pathlib import Path

FUZZY_BLOCK_FILE = Path(__file__).resolve().parent.parent / "data" / "fuzzy-block.txt"


def _read_block(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(l.strip() for l in lines if l.strip() and not l.startswith("#"))


# Folded names (or name forms) that are ordinary French words, first names, wines or rivers.
# Found by checking every name against the French lexicon of spaCy's fr_core_news_md
# lemmatizer tables, then reviewed by hand (big towns that are not words were removed).
# In running text such a name needs a place cue, a capital letter inside a sentence,
# or an adjacent postal code / department number.
COMMON_NAMES = frozenset("""
abondant ange anche ardentes aube avoine azy billy blanc blet boisseau boisseaux bossee
breches brion brou bu bue calais cannes celle chanteau charbonnieres charge charly chassant
cher cigogne ciron coinces coings colombes colombiers conan conde contres corbeilles corse
coulombs cravant creuse crevant crosses dangers dry feux fosse gap gas gilles girolles
hanches hommes houilles houx jars jura lacs lance landes lange linge loches loire lot luisant
leves maille maillet maisons manche marne mer monnaie monts morand murs nice nord noyers
oison orne pannes pierres plaisir pommiers pouille poulaines preaux pruniers quincy raymond
reuilly riviere roches rouvres sache sancerre savonnieres sens somme tendron tendu tourailles
tours trappes tulle valence valencay var varennes vienne vouvray bourgueil cheverny moulins
ormes joue riche temple charme liege noyer loupe choux perche chatelet bordes essarts hayes
champenoise framboisiere chapelle ferte croix fontenelle ferriere bussiere coudray boulay
""".split()) | frozenset({
    "la celle", "la champenoise", "la loupe", "la perche", "la riche", "le blanc", "le charme",
    "le chatelet", "le liege", "le noyer", "le temple", "les bordes", "les choux", "les essarts",
    "la fleche", "la framboisiere", "le tampon", "la chapelle", "la ferte", "la croix",
    "jeu les bois", "saint aout",
})
# Leading parts of compound names that are words or too vague to stand for one commune.
SHORT_FORM_BLOCK = frozenset({"argent", "cours", "jouet", "bouges", "loche", "vallee", "vieilles",
                              "vannes", "athee", "feins", "noyant", "coulommiers", "chatres",
                              "pont", "mont", "cour", "bois", "ville", "dame marie", "cinq mars",
                              "vald", "cinq", "beauce", "tremblay", "vitry", "saint remy",
                              "villedieu", "neuville", "ferrieres", "tour", "dame", "vert", "lion",
                              "chateau", "fontaine", "fontaines", "ports", "mers", "sceaux", "beaune",
                              "pers", "berry", "neuilly", "sorel", "coteaux", "crottes", "bray",
                              "rueil", "avon", "conflans", "cere", "crecy"})
# Natural regions and "pays": not communes, never matched through a short form or a typo
# ("dans le Berry" is not Herry, "le Perche" is not La Perche).
NATURAL_REGIONS = frozenset({
    "berry", "sologne", "touraine", "beauce", "perche", "gatinais", "brenne", "boischaut",
    "puisaye", "drouais", "thymerais", "vendomois", "blesois", "orleanais", "pithiverais",
    "champagne berrichonne", "val de loire", "centre", "centre val de loire", "sancerrois",
})
# Subset where "à <word>" is itself a frequent phrase ("enfants à charge"): needs a strong cue
# or a capital letter.
VERY_COMMON = frozenset({"charge", "celle", "plaisir", "nord", "somme", "hommes", "maisons",
                         "monnaie", "lance", "sache", "tendu", "fosse", "hanches", "murs", "feux",
                         "monts", "lacs", "pierres", "roches", "pommiers", "crosses", "corbeilles",
                         "coings", "breches", "pannes", "dangers", "noyers", "pruniers", "preaux"})

ARTICLES = ("le", "la", "les", "l")
LINKERS = frozenset({"sur", "sous", "en", "le", "la", "les", "l", "de", "du", "des", "d", "aux",
                     "au", "et", "les", "pres", "lez", "lès"})
# Place cues, folded. STRONG ones accept any name; MEDIUM ones all but VERY_COMMON; WEAK ones
# only names that are not ordinary words.
STRONG_CUES = frozenset({
    "habite", "habitent", "habitant", "habitante", "domicilie", "domiciliee",
    "vit", "vivant", "vivent", "reside", "residant", "residante", "resident", "residente",
    "demeurant", "demeurante", "demeure", "commune", "secteur", "region", "pres", "proche",
    "originaire", "ville", "village", "canton", "agglo", "agglomeration", "environs", "alentours",
    "installe", "installee", "demenage", "demenagee", "hameau", "bourg", "sect", "sct",
})
MEDIUM_CUES = frozenset({"a", "au", "aux", "ds", "dans", "vers", "sur", "cote"})
WEAK_CUES = frozenset({"de", "d", "du", "des", "en", "et", "ou", "chez"})
LINK_AFTER_CUE = frozenset({"a", "au", "aux", "de", "d", "du", "des", "sur", "dans", "ds", "la",
                            "le", "les", "l", "vers", "cote", "en"})
# Between a strong cue and the name in SMS style ("vit seule loches", "habite seul mer").
ALONE = frozenset({"seul", "seule", "seuls", "seules"})
# Before a demonym read as its town: a person ("un Berruyer", "une Orléanaise") or the town's
# area ("l'agglo tourangelle", "la métropole orléanaise").
DEMONYM_BEFORE = frozenset({"un", "une", "jeune", "cet", "cette", "vieil", "vieille",
                            "agglo", "agglomeration", "metropole", "banlieue"})
# Before a department number ("dans le 36", "dpt 41"); never a bare "le 18" (the fire brigade).
DEPT_CUES = (("dans", "le"), ("dans", "la"), ("dans", "l"), ("ds", "le"), ("ds", "la"),
             ("ds", "l"), ("departement",), ("dpt",), ("dept",), ("dep",),
             ("departement", "du"), ("departement", "de"), ("departement", "de", "la"),
             ("departement", "de", "l"), ("sur", "le"), ("sur", "la"), ("sur", "l"),
             ("dpt", "du"), ("dept", "du"), ("dep", "du"))
# Compass points before a department name ("le nord Cher", "sud de l'Indre"): the department,
# even when its name is a word ("cher").
DIRECTIONS = frozenset({"nord", "sud", "est", "ouest", "centre"})
# Before an out-of-region department whose name is a word or a river ("dans la Loire").
DEPT_NAME_CUES = DEPT_CUES + (("en",),)
TITLES = frozenset({"m", "mr", "mme", "mlle", "me", "dr", "docteur", "madame", "monsieur",
                    "mademoiselle", "pr", "professeur", "nom", "prenom", "chez"})

# After a bare "le" or "du", a region department number that cannot be a day of the month ("le 41", not
# "le 28" nor "le 18", the fire brigade); never before a unit or a month ("le 37,5", "le 45 kg").
BARE_LE_MIN = 32
_MONTHS = ("janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre "
           "janv fev avr juil sept oct nov dec février fév août décembre")
NUMBER_NOT_PLACE_AFTER = re.compile(
    r"\s*(?:[.,]\d|ans?\b|a\b|h\b|heures?\b|mois\b|kg\b|cm\b|mg\b|ml\b|%|€|euros?\b|min\b|mn\b|"
    r"j\b|jours?\b|semaines?\b|sem\b|sa\b|°|degres?\b|(?:" + _MONTHS.replace(" ", "|") + r")\b)",
    re.IGNORECASE)
# Out-of-region department numbers that are also emergency numbers: a place only with a cue.
EMERGENCY_NUMBERS = {"15", "17"}
_TOKEN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


# Words that may surround a place name in a query without changing its meaning.
HARMLESS = frozenset({"centre", "ville", "nord", "sud", "est", "ouest", "quartier", "cedex",
                      "france", "commune", "secteur", "sect", "region", "agglomeration", "agglo", "pres",
                      "de", "du", "des", "la", "le", "les", "l", "d", "et", "departement", "dpt",
                      "dept", "dep", "dans", "ds", "en", "a", "au", "aux", "sur", "vers"})
_NOT_NAME_START = STRONG_CUES | MEDIUM_CUES | WEAK_CUES | LINK_AFTER_CUE | TITLES

_NO_FUZZY_START = _NOT_NAME_START - set(ARTICLES)


# French words one edit away from a place name: never corrected into a place (generated).
FUZZY_BLOCK: frozenset[str] = _read_block(FUZZY_BLOCK_FILE)
