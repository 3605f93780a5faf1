"""Word lists of the name detection: civilities, cues, words that are never names, first names,
communes of the region, common French words (loaded once, lazily: `warm_up`)."""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data"

# --- names --------------------------------------------------------------------------------
_CIVILITIES = {"m", "m.", "mr", "mr.", "mme", "mme.", "mmes", "mlle", "mlle.", "melle", "mademoiselle",
               "madame", "monsieur", "mm", "mm.", "messieurs", "mesdames"}
_CIV_TOKEN_RE = re.compile(r"(?:M|Mr|Mme|Mlle|Melle|MM|Mmes|MME|MLLE|MR)\.?$|(?i:madame|monsieur|mademoiselle)$")
_PATIENT_CUES = {
    "patient", "patiente", "pt", "pte", "fils", "fille", "époux", "epoux", "épouse", "epouse", "mari",
    "femme", "conjoint", "conjointe", "compagnon", "compagne", "frère", "frere", "sœur", "soeur",
    "mère", "mere", "père", "pere", "aidant", "aidante", "voisin", "voisine", "petit-fils",
    "petite-fille", "neveu", "nièce", "niece", "gendre", "belle-fille", "beau-fils", "belle-mère",
    "beau-père", "tante", "oncle", "cousin", "cousine", "enfant", "bébé", "bebe", "nourrisson",
    "ado", "adolescent", "adolescente", "résident", "résidente", "famille", "chez", "concernant",
    "nommé", "nommée", "dénommé", "dénommée", "prénommé", "prénommée", "née", "nee", "né", "ép",
    "ep", "vve", "veuve", "dite", "dit", "appelle", "petit-neveu", "petite-nièce", "usager",
    "usagère", "locataire", "couple", "ménage", "menage", "tuteur", "tutrice", "curateur", "curatrice", "mandataire", "jeune",
    "monsieur", "madame", "mr", "mme", "petite", "petit", "bénéficiaire", "nom", "prénom",
    "identité", "pour",
}
_CUE_NEEDS_NAME = {"pour", "petit", "petite", "jeune", "nom", "prénom", "identité", "dit", "dite"}
_COLON_CUES = {"nom", "prénom", "prenom", "identité", "identite", "patient", "patiente", "noms"}
_PROFESSIONAL_CUES = {
    "dr", "dr.", "drs", "docteur", "docteure", "docteurs", "pr", "pr.", "professeur", "professeure",
    "ide", "idel", "infirmier", "infirmière", "infirmiere", "inf", "kiné", "kine", "kinésithérapeute",
    "ergo", "ergothérapeute", "psychologue", "psy", "orthophoniste", "pharmacien", "pharmacienne",
    "sage-femme", "me", "maître", "maitre", "confrère", "consœur", "consoeur", "collègue", "collegue",
    "médecin", "medecin", "assistante", "assistant", "as", "cesf", "cadre", "aide-soignante",
    "aide-soignant", "as", "auxiliaire", "psychiatre", "gériatre", "geriatre", "cardiologue",
    "neurologue", "pédiatre", "pediatre", "interne", "externe", "coordinatrice", "coordinateur",
    "coordonnatrice", "gestionnaire", "éducatrice", "éducateur", "educatrice", "educateur",
    "diététicienne", "dieteticienne", "podologue", "orthoptiste", "ostéopathe", "secrétaire",
    "secretaire", "référente", "référent", "referente", "referent", "dre", "mg", "généraliste",
    "infirmières", "infirmiers", "chirurgien", "chirurgienne", "oncologue", "urgentiste",
    "pneumologue", "psychomotricienne", "psychomotricien", "mandataire-judiciaire", "idec",
    "ash", "ase", "aesh", "avs", "travailleuse", "travailleur", "conseillère", "conseiller",
}
_INSTITUTION_CUES = {
    "hôpital", "hopital", "clinique", "ch", "chu", "chr", "chru", "centre", "ehpad", "maison", "msp",
    "lycée", "école", "ecole", "collège", "college", "pharmacie", "cabinet", "ssr", "smr", "usld",
    "foyer", "esat", "ime", "cmp", "cmpp", "cattp", "ssiad", "saad", "had", "dac", "clic", "ccas",
    "service", "pôle", "pole", "unité", "unite", "site", "association", "fondation", "institut",
    "polyclinique", "hospitalier", "hospitalière", "groupe", "ght", "résidence", "residence",
    "pavillon", "bâtiment", "batiment", "ehpa", "marpa", "samsah", "savs", "fam", "mas", "ifsi",
    "cias", "mairie", "église", "eglise", "saint", "sainte", "st", "ste", "gare", "place", "rue",
    "avenue", "boulevard", "quartier", "prix", "fondation", "université", "universite", "faculté",
    "centre-hospitalier", "epsm", "cht", "ehpad-résidence", "hôtel-dieu", "maladie", "syndrome",
    "score", "test", "échelle", "echelle", "grille", "classification", "loi", "plan", "signe",
    "manœuvre", "manoeuvre", "méthode", "methode", "protocole", "dispositif", "réseau", "reseau",
}
_NOT_NAMES = {"le", "la", "les", "un", "une", "votre", "son", "sa", "ses", "et", "ou", "de", "du",
              "des", "l", "d"}
_TITLE_WORDS = {"maire", "président", "presidente", "présidente", "directeur", "directrice",
                "docteur", "professeur", "juge", "préfet", "préfète", "adjoint", "adjointe",
                "cadre", "infirmière", "infirmier", "procureur", "procureure"}
_PARTICLES = {"de", "du", "des", "d", "le", "la", "van", "von", "der", "ben", "el", "al", "da",
              "di", "dos", "del", "mac", "mc"}
# Capitalised words that are not names (eponyms, words often capitalised, months, days).
_NOT_NAME_WORDS = {
    "alzheimer", "parkinson", "charcot", "crohn", "huntington", "down", "basedow", "hashimoto",
    "paget", "horton", "raynaud", "korsakoff", "wernicke", "guillain-barré", "guillain", "barré",
    "lyme", "kahler", "waldenström", "hodgkin", "biermer", "sjögren", "behçet", "creutzfeldt-jakob",
    "asperger", "willis", "babinski", "glasgow", "norton", "braden", "folstein", "katz", "lawton",
    "barthel", "tinetti", "zarit", "lewy", "pick", "addison", "cushing", "marfan", "turner", "rett",
    "tourette", "angelman", "dupuytren", "bouveret", "bell", "ménière", "meniere", "pott",
    "janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août", "aout",
    "septembre", "octobre", "novembre", "décembre", "decembre", "lundi", "mardi", "mercredi",
    "jeudi", "vendredi", "samedi", "dimanche", "noël", "pâques", "toussaint", "bonjour", "bonsoir",
    "merci", "cordialement", "bien", "salut", "urgent", "urgence", "urgences", "oui", "non", "ok",
    "allo", "allô", "france", "français", "française", "europe", "covid", "sars-cov-2", "vitale",
    "carte", "sécu", "secu", "ameli", "apa", "gir", "aggir", "mms", "mmse", "moca", "adl", "iadl",
    "nord", "sud", "est", "ouest", "centre-val", "loire", "cher", "indre", "indre-et-loire",
    "loir-et-cher", "loiret", "eure-et-loir", "val", "région", "département", "agglo", "métropole",
    "samu", "smur", "sos", "médecins", "pompiers", "gendarmerie", "police", "croix-rouge", "rouge",
    "secours", "ars", "cpam", "msa", "carsat", "caf", "mdph", "cd", "conseil", "départemental",
    "patient", "patiente", "aidant", "aidante", "famille", "madame", "monsieur", "mademoiselle",
    "docteur", "dr", "pr", "ide", "dossier", "tél", "tel", "téléphone", "mail", "adresse", "né",
    "née", "nom", "prénom", "age", "âge", "ans", "mois", "sexe", "homme", "femme", "objet", "motif",
    "antécédents", "atcd", "traitement", "contexte", "demande", "situation", "histoire", "besoin",
    "rappel", "sortie", "entrée", "hospitalisation", "domicile", "retour", "ps", "nb", "re", "fw",
    "tr", "cc", "cci", "hello", "coucou", "svp", "stp", "aide", "aides", "question", "info",
    "infos", "pb", "problème", "souci", "chute", "chutes", "douleur", "fièvre", "vit", "seul",
    "seule", "veuf", "veuve", "marié", "mariée", "divorcé", "divorcée", "elle", "il", "lui",
    "je", "nous", "vous", "ils", "elles", "on", "ce", "cette", "mon", "ma", "mes", "notre",
    "quel", "quelle", "comment", "pourquoi", "quand", "où", "qui", "que", "quoi", "est-ce",
    "peut-on", "pouvez-vous", "faut-il", "puis-je", "y", "a-t-il", "depuis", "suite", "après",
    "avant", "pendant", "hier", "aujourd'hui", "demain", "ce", "ici", "là", "voici", "voilà",
    "concernant", "pour", "avec", "sans", "chez", "sur", "sous", "dans", "entre", "vers",
    "ehpad", "rdv", "tdm", "irm", "ecg", "avc", "bpco", "sla", "sep", "ic", "ir", "irc", "hta",
    "dt2", "dnid", "did", "ald", "ssr", "smr", "usld", "had", "ssiad", "saad", "spasad", "dac",
    "clic", "ccas", "cmp", "cmpp", "cattp", "emg", "emsp", "esa", "pfr", "samsah", "savs", "pcpe",
    "cra", "camsp", "chu", "ch", "chr", "chru", "ght", "msp", "cpts", "pmi", "ase", "cpef",
    "csapa", "caarud", "lhss", "lam", "act", "uhcd", "ssu", "pasa", "uhr", "ucc", "ume", "umg",
    "rpps", "adeli", "finess", "siret", "nir", "ins", "ipp", "nda", "mssanté", "mssante",
    "dmp", "aah", "pch", "aeeh", "rsa", "cmu", "css", "ame", "ehpa", "marpa", "esat", "ime",
    "itep", "sessad", "fam", "mas", "ifsi", "ars", "puv", "heberg", "sapad", "ulis", "aesh",
    "gem", "unafam", "pti", "pai", "pps", "ppa", "ppcs", "mtp", "ets", "ta", "ht", "sms",
    "tsa", "tdah", "tca", "tms", "ivg", "ist", "vih", "vhc", "vhb", "bmr", "ehpad", "pa", "ph",
    "pmr", "ald30", "cesu", "upa", "usp", "lisp", "epsm", "cht", "smpr", "umd", "ucsa", "usmp",
    "sdf", "cada", "chrs", "115", "siao", "adil", "anah", "cias", "mjpm", "udaf", "atmp",
    "otite", "bilan", "score", "eva", "eveil", "vaccin", "dn", "ddn", "port", "fixe", "portable",
    "nyha", "iii", "ii", "iv", "hdj", "dmla", "ide", "idel", "idec", "ehpad", "hlm",
}
_AMBIGUOUS_FIRST = {"line", "noël", "noel", "roman", "rose", "claire", "pierre", "france", "ange",
                    "aimé", "prudence", "constance", "victoire", "marine", "aurore", "violette",
                    "capucine", "iris", "jade", "olive", "blanche", "clément", "modeste", "martin",
                    "bernard", "florence", "nancy", "lorraine", "laurence", "maxime", "mercedes",
                    "dominique", "camille", "vivien", "marius", "urbain", "pascal", "gaël",
                    "fidèle", "gaston", "lucie", "eva", "lou", "alix", "gabriel", "martial", "félix",
                    "désiré", "désirée", "reine", "rené", "espérance", "belle", "joy", "chance",
                    "ambre", "perle", "océane", "sacha", "tom", "adam", "noé", "paris", "lilas",
                    "mai", "juin", "avril", "ida"}


_QUALIFIERS = {"libéral", "libérale", "liberal", "liberale", "social", "sociale", "sociales",
               "traitant", "traitante", "coordinatrice", "coordinateur", "coordonnateur",
               "coordonnatrice", "référente", "référent", "coordination", "liaison", "secteur",
               "hospitalière", "hospitalier", "scolaire", "du", "de", "des", "la", "le", "l", "d",
               "notre", "votre", "son", "sa", "en", "chef", "cadre", "santé", "l'"}


@lru_cache(maxsize=65536)
def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c)).replace("’", "'")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset:
    """spaCy's French stop words, read from its data file without importing spaCy (heavy) in
    the processes that only mask (console, API, mail channel)."""
    import importlib.util
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.origin:
        return frozenset()
    path = Path(spec.origin).parent / "lang" / "fr" / "stop_words.py"
    namespace: dict = {}
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    except (OSError, SyntaxError):
        return frozenset()
    return frozenset(_norm(w) for w in namespace.get("STOP_WORDS", ()))


@lru_cache(maxsize=1)
def _common_words() -> frozenset:
    """Lower-case words of the project's French texts (NLU examples, vocabulary, triage rules).

    A capitalised word whose lower-case form is common French ("Enfant", "Hier") is not taken
    for a surname at the start of a sentence.
    """
    words: set[str] = set()
    names: set[str] = set()
    root = _DATA.parent.parent
    files = list((root / "nlu" / "data").glob("*.yml")) + list(_DATA.glob("*.yaml"))
    for f in files:
        try:
            content = f.read_text(encoding="utf-8")
        except OSError:
            continue
        words.update(re.findall(r"(?<![\w'’])[a-zàâäçéèêëîïôöùûüÿœæ]{3,}(?![\w])", content))
        # surnames of the examples ("mme dupont"): not common words
        names.update(m.lower() for m in re.findall(
            r"(?i)\b(?:mme|mlle|mr|m\.|madame|monsieur|dr|docteur|pr)\s+([^\W\d_]{3,})", content))
    return frozenset(_norm(w) for w in words - names) | _stop_words()


@lru_cache(maxsize=1)
def _first_names() -> frozenset:
    lines = (_DATA / "prenoms.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(_norm(l.strip()) for l in lines if l.strip() and not l.startswith("#"))


@lru_cache(maxsize=1)
def _accented_communes() -> frozenset:
    """Commune names (lower case, accents kept) that fold to a first name only written without
    their accents ("lucé", the town; "Luce", the first name): written so, the word is the town."""
    raw = {l.strip().lower() for l in (_DATA / "prenoms.txt").read_text(encoding="utf-8").splitlines()
           if l.strip() and not l.startswith("#")}
    try:
        data = json.loads((_DATA / "communes-24.json").read_text(encoding="utf-8"))
    except OSError:
        return frozenset()
    names = {c["nom"].lower() for c in data.get("communes", ())}
    return frozenset(n for n in names if n not in raw and n != _norm(n) and _norm(n) in _first_names())


@lru_cache(maxsize=1)
def _communes() -> frozenset:
    """Normalised commune names of the region (single words and full names)."""
    try:
        data = json.loads((_DATA / "communes-24.json").read_text(encoding="utf-8"))
    except OSError:
        return frozenset()
    out = set()
    for c in data.get("communes", ()):
        n = _norm(c["nom"])
        out.add(n)
    for d in data.get("departements", ()):
        if isinstance(d, dict) and d.get("nom"):
            out.add(_norm(d["nom"]))
    for extra in ("tours", "orleans", "bourges", "blois", "chartres", "chateauroux", "paris",
                  "vierzon", "dreux", "montargis", "vendome", "issoudun", "amboise", "loches",
                  "chinon", "romorantin", "gien", "pithiviers", "nogent", "lyon", "limoges",
                  "poitiers", "nantes", "angers", "le mans", "rennes", "lille", "marseille"):
        out.add(extra)
    return frozenset(out)


def warm_up() -> None:
    """Load the word lists now (first names, communes, common words) rather than on first use."""
    _first_names(), _communes(), _common_words(), _stop_words()


def _blocked(t) -> bool:
    """Capitalised words that can never be part of a patient's name."""
    n = t.n
    return (n in _NOT_NAME_WORDS or n in _PROFESSIONAL_CUES
            or n in _INSTITUTION_CUES or n in _CIVILITIES or n in _TITLE_WORDS)


def _professional_before(toks: list, a: int) -> bool:
    for k in range(max(0, a - 3), a):
        if toks[k].n in _PROFESSIONAL_CUES and toks[k].n not in ("as", "me"):
            return True
    return False
