"""Masking of patient identifiers in free text, before anything is stored or logged.

What is masked (placeholder) — see docs/privacy.md for the rules and the measured figures:
- `[e-mail]` any e-mail address (also `x (at) y.fr`);
- `[NIR]` social security numbers (13 characters + optional key, any grouping, spaces, dots or
  dashes, Corsica 2A/2B, foreign-born 99, temporary 7/8), even with a wrong key;
- `[n° dossier]` record numbers after IPP, NIP, NDA, n° dossier, CAF, MDPH, allocataire…;
- `[téléphone]` French phone numbers in every usual grouping (`06 12 34 56 78`, `0612345678`,
  `06.12…`, `06/12…`, `+33 6…`, `0033 6…`, `+33 (0)6…`);
- `[adresse]` street addresses (`9 rue Jean Jaurès`, `4 ter avenue de la Gare`, `résidence …
  bât B`, `lieu-dit …`); postal codes and commune names after them are kept;
- `[date de naissance]` full dates after a birth cue (né, née, DN, DDN, date de naissance…),
  right after a masked name, or old enough to be one (year at least 15 years back);
- `[nom]` people's names: after a civility (kept), after a patient or family cue ("la patiente
  Odette Lambert", "sa fille Julie", "chez les Perrin", "née Chevallier"), known first names
  with their surname in either order ("Girard Henri", "DUPONT Marcel"), a known first name alone.
Kept: doctors' and professionals' names (Dr X, l'IDE Sophie), names of hospitals and
institutions, commune names, public service numbers (15, 3114, 116 117…), ages, other dates,
GIR, postal codes, RPPS/FINESS numbers.

Every pattern is linear-time: bounded repetitions over disjoint character classes (tested on
adversarial 100 kB inputs); names are found by one pass over word tokens.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

NIR = "[NIR]"
TELEPHONE = "[téléphone]"
EMAIL = "[e-mail]"
DATE_NAISSANCE = "[date de naissance]"
NOM = "[nom]"
ADRESSE = "[adresse]"
DOSSIER = "[n° dossier]"

PLACEHOLDERS = (NIR, TELEPHONE, EMAIL, DATE_NAISSANCE, NOM, ADRESSE, DOSSIER)

_DATA = Path(__file__).resolve().parent / "data"
_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_SEP = r"[ .\-]?"

# --- e-mail -------------------------------------------------------------------------------
# Bounded local part (RFC 5321: 64) and labels (63): each start position scans a bounded
# window, so the whole search is linear (the former unbounded pattern took 17 s on "a%" * 50k).
_AT_RE = re.compile(r"\s?(?:@|\(at\)|\[at\])\s?")
_DOMAIN_RE = re.compile(r"[^\W_][\w\-]{0,62}(?:\.[\w\-]{1,63}){1,6}")


def _mask_emails(text: str) -> str:
    """E-mail addresses: from each "@" (or "(at)"), a bounded domain ahead and local part behind."""
    if "@" not in text and "(at)" not in text and "[at]" not in text:
        return text
    spans = []
    for m in _AT_RE.finditer(text):
        d = _DOMAIN_RE.match(text, m.end())
        if not d:
            continue
        k = lo = m.start()
        while lo > 0 and k - lo < 64 and (text[lo - 1].isalnum() or text[lo - 1] in "._%+-"):
            lo -= 1
        if lo < k:
            spans.append((lo, d.end()))
    return _apply(text, spans, EMAIL) if spans else text

# --- NIR ----------------------------------------------------------------------------------
# sex (1, 2; 3, 4, 7, 8 temporary), year, month, department (2 digits, 2A, 2B; 99 abroad),
# commune or country (3), order (3), optional key (2). One optional separator between digits.
_D = r"[ .\-/]?\d"
_NIR_RE = re.compile(
    r"(?<![\w@])"
    r"(?P<sexe>[1-478])(?P<annee>" + _D * 2 + r")(?P<mois>" + _D * 2 + r")"
    r"(?P<dep>" + _D * 2 + r"|[ .\-]?2[ .\-]?[ABab])(?P<rest>" + _D * 6 + r")"
    r"(?P<cle>" + _D * 2 + r"(?!\s{0,2}ans\b)|\s{0,2}(?:[/\-]\s{0,2}(?:cl[ée]\s{0,2}:?\s{0,2})?|,?\s?cl[ée]\s{0,2}:?\s{0,2})\d{2}(?!\d))?"
    r"(?![\w@])"
)

# --- record numbers -----------------------------------------------------------------------
_RECORD_CUE = (r"(?:IPP|NIP|NDA|NDS|INS|IEP|r[ée]f(?:[ée]rence)?\.?\s?(?:du\s)?dossier|n[°º]\s?d['’](?:admission|hospitalisation|entr[ée]e)|num[ée]ro\sd['’](?:admission|hospitalisation)|n[°º]\s?de\svenue|n[°º]\s?(?:de\s)?(?:dossier|s[ée]jour|patient|allocataire|"
               r"adh[ée]rent|CAF|MDPH|APA|[ée]pisode)|num[ée]ro\s(?:de\s)?(?:dossier|s[ée]jour|patient|"
               r"allocataire|adh[ée]rent|CAF|MDPH)|dossier|allocataire|CAF|MDPH|APA|PCH|AME|CMU|"
               r"matricule|identifiant(?:\spatient)?|id\spatient)")
_RECORD_FILL = (r"(?:n[°º]|no\.?|num\.?|num[ée]ro|nr|#|:|de|du|d'|la|le|est|dossier|s[ée]jour|"
                r"patient|allocataire|CAF|MDPH|APA|PCH|AME|CMU|IPP|NDA)")
_RECORD_RE = re.compile(
    r"(?i)(?P<cue>\b" + _RECORD_CUE + r")(?P<fill>(?:\s{0,2}" + _RECORD_FILL + r"){0,3}\s{0,2}:?\s{0,2})"
    r"(?P<val>(?<![\w])(?-i:[A-Z]{0,4}[\-/ ]?\d(?:[\-/. ]?[\dA-Z]){3,24}))(?![\w])"
)
_STRONG_RECORD_RE = re.compile(  # "IPP au CH de Blois est le 2019123456"
    r"(?P<cue>\b(?:IPP|NIP|NDA|NDS|IEP|INS)\b(?:\s{1,2}[^\s\d\[]{1,20}){0,6}\s{1,2}:?\s{0,2})"
    r"(?P<val>\d(?:[\-/. ]?\d){5,24})(?![\w])"
)
_NUMERO_RE = re.compile(  # "n° 80012345": a long number after a bare "n°" (not RPPS/FINESS/SIRET)
    r"(?i)(?<!RPPS )(?<!ADELI )(?<!FINESS )(?<!SIRET )(?<!SIREN )(?P<cue>\bn[°º]\s{0,2}:?\s{0,2})"
    r"(?P<val>\d(?:[\-/. ]?\d){4,24})(?!\w)"
)

# --- phones -------------------------------------------------------------------------------
_PH_SEP = r"[ ./\-]{0,2}"
_PHONE_RE = re.compile(
    r"(?<![\w+@])"
    r"(?:"
    r"(?:\(?(?:\+|00)\s?33\)?" + _PH_SEP + r"(?:\(0\)" + _PH_SEP + r")?[1-9](?:" + _PH_SEP + r"\d){8})"
    r"|(?:0[ .]?[1-9](?:" + _PH_SEP + r"\d){8})"
    r"|(?:\(?(?:\+|00)(?!33)[1-9]\d{0,2}\)?(?:" + _PH_SEP + r"\d){7,12})"   # abroad: +32 470 12 34 56
    r")"
    r"(?![\w@])"
)

# --- addresses ----------------------------------------------------------------------------
_STREET = (r"(?:rue|r\.|ruelle|av|all\.|imp|chem\.?|pl|blvd|cour|parvis|avenue|av\.|bd|boulevard|bld|place|pl\.|impasse|imp\.|all[ée]es?|chemin|"
           r"ch\.|route|rte|quai|square|sq\.|cours|faubourg|fbg|passage|sentier|voie|cit[ée]|"
           r"lotissement|lot\.|hameau|rond-point|esplanade|promenade|venelle|mail|clos|domaine|"
           r"mont[ée]e|c[ôo]te|parc|r[ée]sidence|r[ée]s\.|villa|carrefour|lev[ée]e|grande\srue|"
           r"grand['’]rue|chauss[ée]e|traverse|ZA|ZI|zone)")
_STREET_FREE = (r"(?:rue|avenue|bd|boulevard|impasse|all[ée]e|chemin|route|quai|faubourg|"
                r"lotissement|hameau|r[ée]sidence|cit[ée]|lieu-?dit|lieudit|ld|square|ferme|moulin|"
                r"m[ée]tairie|domaine|grange|place|quartier|R[ée]s\.|Ferme|Moulin|Domaine|Hameau|Rue|Avenue|All[ée]e|"
                r"Chemin|Impasse|Boulevard|Route|Place|Quai|Cit[ée]|Lotissement|Quartier|Square|HLM)")
_PART = r"(?:de|du|des|d['’]|la|le|l['’]|les|aux|au|sur|en|et|sous|saint|sainte|st|ste)"
_CAPW = r"(?-i:[" + _UPPER + r"][\w'’\-]{0,30}|\d{1,2}(?![\d\w])|(?:1[89]|20)\d{2}(?![\d\w]))"
_PART_FREE = r"(?:de|du|des|d['’]|la|le|l['’]|les|aux|saint|sainte|st|ste)"
_ANYW = r"(?:[^\W\d_][\w'’\-]{0,30}|\d{1,2}(?:er)?\s{1,2}[^\W\d_][\w'’\-]{1,30})"
_NAMEPART = (r"(?:\s{1,2}" + _PART + r"(?=[\s" + _UPPER + r"a-z])){0,3}\s{0,2}" + _ANYW +
             r"(?:\s{1,2}(?:" + _PART + r"\s{0,2})?" + _CAPW + r"){0,5}")
_UNIT = (r"(?:\s{0,2},?\s{0,2}(?:b[âa]t(?:iment)?\.?|esc(?:alier)?\.?|app(?:ar)?t(?:ement)?\.?|"
         r"porte|entr[ée]e|logement|log\.)\s{0,2}(?:n[°º]\s?)?[\w\-]{1,6})")
_ADDRESS_RE = re.compile(
    r"(?i)(?:(?:\bn[°º]\s{0,2})?\b\d{1,4}\s{0,2}(?:bis|ter|quater|[a-d](?![\w']))?\s{0,2},?\s{0,2}"
    r"(?:(?:de\s{1,2}la|de\s{1,2}l['’]|du|de)\s{1,2})?" + _STREET + r"(?![\w])" +
    _NAMEPART + _UNIT + r"{0,4})"
    r"|(?:\b(?-i:" + _STREET_FREE + r"|R[ée]sidence|Lieu-?dit)\b(?:\s{1,2}" + _PART_FREE +
    r"){0,3}\s{1,2}(?:\d{1,2}(?:er)?\s{1,2})?(?-i:[" + _UPPER + r"][a-zà-ÿ'’][\w'’\-]{0,30})(?:\s{1,2}(?:" + _PART + r"\s{0,2})?" + _CAPW +
    r"){0,5}" + _UNIT + r"{0,4})"
    r"|(?:\b(?:lieu[\s\-]?dit|lieudit)\s{1,2}" + _NAMEPART + r")"
    r"|(?:\b\d{1,4}\s{0,2}(?:bis|ter)?,?\s{0,2}(?:grande\s{1,2}rue|grand['’]rue|le\s{1,2}bourg)(?![\w]))"
    r"|(?:(?:(?<=[:,] )|(?<=[:,]))(?-i:(?:Les?|La|L['’])\s{0,2}[" + _UPPER + r"][\w'’\-]{1,30})"
    r"(?:\s{1,2}(?:" + _PART + r"\s{0,2})?" + _CAPW + r"){0,4}(?=\s{0,2},?\s{0,2}\d{5}(?!\d)))"
    r"|(?:^(?-i:(?:Les?|La|L['’])\s{0,2}[" + _UPPER + r"][\w'’\-]{1,30})"
    r"(?:\s{1,2}(?:" + _PART + r"\s{0,2})?" + _CAPW + r"){0,4}(?=\s{0,2},\s{0,2}\d{5}(?!\d)))"
    r"|(?:\b\d{1,4}\s{0,2}(?:bis|ter)?,?\s{1,2}(?-i:[Ll]es?|[Ll]a|[Ll]['’])\s{0,2}(?-i:[" + _UPPER + r"][\w'’\-]{1,30})"
    r"(?:\s{1,2}(?:" + _PART + r"\s{0,2})?" + _CAPW + r"){0,4}(?=\s{0,2},?\s{0,2}\d{5}(?!\d)))"
    r"|(?:\bb[âa]t(?:iment)?\.?\s{1,2}[A-Z0-9]{1,3}\b" + _UNIT + r"{0,3})"
)

_STOP_AFTER = (r"(?:à|a|au|aux|avec|et|ou|depuis|seul|seule|chez|dans|sans|pr[èe]s|en|de|du|des|"
               r"qui|mais|donc|car|elle|il|son|sa|ses|le|la|les|un|une|pour|sur|est|a|ne|n|y)")
_CUED_ADDRESS_RE = re.compile(  # lower-case SMS: "habite rue victor hugo avec sa fille"
    r"(?i)\b(?P<cue>(?:habite|habitant|vit|vivant|domicili[ée]e?|demeurant|r[ée]side|adresse)"
    r"\s{1,2}(?::\s{0,2})?(?:(?:au|à\s{1,2}la|à\s{1,2}l['’]|dans\s{1,2}la|sur\s{1,2}la)\s{1,2})?)"
    r"(?P<addr>(?:rue|avenue|av\.?|bd|boulevard|impasse|all[ée]e|chemin|route|place|quai|faubourg)"
    r"\s{1,2}(?:" + _PART + r"\s{0,2}){0,3}(?!" + _STOP_AFTER + r"\b)[^\W\d_][\w'’\-]{1,30}"
    r"(?:\s{1,2}(?!" + _STOP_AFTER + r"\b)[^\W\d_][\w'’\-]{1,30}){0,3})"
)

# --- dates of birth -----------------------------------------------------------------------
_MOIS = (r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|"
         r"novembre|d[ée]cembre|janv\.?|f[ée]vr?\.?|avr\.?|juil\.?|sept?\.?|oct\.?|nov\.?|d[ée]c\.?)")
_DATE = (r"(?:\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?(?:\d{4}|\d{2})(?![\d/])"
         r"|\d{1,2}\s\d{2}\s(?:19|20)\d{2}(?!\d)"
         r"|(?:19|20)\d{2}-\d{2}-\d{2}(?!\d)"
         r"|(?:1er|\d{1,2})\s{1,2}" + _MOIS + r"\s{1,2}(?:\d{4}|\d{2})(?!\d))")
_MONTH_YEAR = r"(?:" + _MOIS + r"\s{1,2}\d{4}|\d{1,2}[/.\-]\d{4})"
_BIRTH_CUE = (r"(?:n[ée]e?\s?\(e\)|n[ée]e?|nee|DDN|D\.D\.N\.?|DN|D\.N\.?|date\sde\snaissance|"
              r"naissance|naiss\.|n[ée]e?\sle|°)")
_BIRTH_RE = re.compile(
    r"(?i)(?P<cue>(?<![\w])" + _BIRTH_CUE + r")"
    r"(?P<gap>\s{0,3}(?::|le|en|en\sdate\sdu|du)?\s{0,3}:?\s{0,3})"
    r"(?P<date>" + _DATE + r"|" + _MONTH_YEAR + r")(?!\d)"
)
_AFTER_NAME_DATE_RE = re.compile(
    r"(?P<pre>\[nom\]\s{0,3}(?:[,(\-–]\s{0,3})?(?:" + _BIRTH_CUE + r"\s{0,3}(?:le\s{0,2})?:?\s{0,3})?)"
    r"(?P<date>" + _DATE + r")",
    re.IGNORECASE,
)
_ANY_DATE_RE = re.compile(r"(?<![\w/.\-])(?P<date>" + _DATE + r")")


def _date_year(s: str) -> int | None:
    """The year of a matched date, 2-digit years read as 19xx when after the current year."""
    m = re.search(r"(\d{4})(?!.*\d{4})", s)
    if m:
        y = int(m.group(1))
        return y if 1890 <= y <= 2100 else None
    m = re.search(r"(\d{2})\s*$", s)
    if not m:
        return None
    yy = int(m.group(1))
    cur = _dt.date.today().year % 100
    return 1900 + yy if yy > cur else None  # ambiguous 2-digit years: not a birth date by age


def _old_date(m: re.Match) -> str:
    y = _date_year(m.group("date"))
    if y is not None and y <= _dt.date.today().year - 15:
        return DATE_NAISSANCE
    return m.group(0)


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


_WORD_RE = re.compile(r"(?:[DNO]['’](?=[A-ZÀ-Ý]))?[^\W\d_]+(?:[\-][^\W\d_]+){0,6}|\d+|\[[a-zéèêôû°\s\-]{1,30}\]|[^\w\s]")


class _Tok:
    __slots__ = ("s", "e", "w", "_n")

    def __init__(self, m: re.Match):
        self.s, self.e, self.w = m.start(), m.end(), m.group(0)
        self._n = None

    @property
    def n(self) -> str:
        """Lower-case, accent-free form (computed on first use)."""
        if self._n is None:
            self._n = _norm(self.w)
        return self._n

    @property
    def alpha(self) -> bool:
        return self.w[0].isalpha()

    @property
    def cap(self) -> bool:
        return self.w[0].isupper()

    @property
    def allcaps(self) -> bool:
        return len(self.w) >= 2 and self.w.isupper() and self.w.replace("-", "").isalpha()


def _is_first_name(t: _Tok) -> bool:
    return t.alpha and (t.cap) and t.n in _first_names()


def warm_up() -> None:
    """Load the word lists now (first names, communes, common words) rather than on first use."""
    _first_names(), _communes(), _common_words(), _stop_words()


def _is_first_name_lower(t: _Tok) -> bool:
    return t.alpha and t.n in _first_names() and t.n not in _stop_words() and t.n not in _AMBIGUOUS_FIRST


def _blocked(t: _Tok) -> bool:
    """Capitalised words that can never be part of a patient's name."""
    n = t.n
    return (n in _NOT_NAME_WORDS or n in _PROFESSIONAL_CUES
            or n in _INSTITUTION_CUES or n in _CIVILITIES or n in _TITLE_WORDS)


def _namey(t: _Tok, commune_ok: bool = False) -> bool:
    """A token that may be part of a name: capitalised or in capitals, not a blocked word."""
    if not (t.alpha and t.cap) or len(t.w) < 2 and not t.allcaps:
        return False
    if _blocked(t):
        return False
    if not commune_ok and t.n in _communes() and not _is_first_name(t):
        return False
    return True


def _gap(text: str, a: _Tok, b: _Tok) -> str:
    return text[a.e:b.s]


def _joined(text: str, a: _Tok, b: _Tok) -> bool:
    """True when b follows a with only spaces (one line) between them."""
    g = _gap(text, a, b)
    return len(g) <= 3 and g.strip(" \t") == ""


def _sentence_start(text: str, toks: list, i: int) -> bool:
    if i == 0:
        return True
    p = toks[i - 1]
    return p.w in ".!?:;\n-–•*(" or "\n" in _gap(text, p, toks[i])


def _run(text: str, toks: list, i: int, commune_first: bool, limit: int = 4) -> int:
    """End index (exclusive) of the name run starting at token i (particles inside allowed)."""
    j, taken = i, 0
    while j < len(toks) and taken < limit:
        t = toks[j]
        if j > i and not _joined(text, toks[j - 1], t):
            break
        if t.n in _PARTICLES and t.w[0].isalpha() and j + 1 < len(toks) and _joined(text, t, toks[j + 1]) \
                and _namey(toks[j + 1], commune_ok=True) and (taken or j == i):
            j += 1
            continue
        if t.w in ("'", "’") and j > i and toks[j - 1].n in ("d", "o", "l"):
            j += 1
            continue
        if len(t.w) == 1 and t.w.isupper() and j + 2 < len(toks) and toks[j + 1].w == "." \
                and _namey(toks[j + 2], commune_ok=True):
            j += 2  # an initial: "Mme B. Martin"
            continue
        if _namey(t, commune_ok=(commune_first and taken == 0)):
            j += 1
            taken += 1
            continue
        break
    while j > i and toks[j - 1].n in _PARTICLES:
        j -= 1
    return j if taken else i


def _professional_after(text: str, toks: list, j: int) -> bool:
    """ "Sophie, infirmière", "Julie (IDE)": a professional word right after a name."""
    for k in range(j, min(j + 4, len(toks))):
        t = toks[k]
        if t.n in ("dr", "docteur", "docteure", "pr", "professeur", "professeure", "drs", "dre"):
            return False  # "(Dr Martin, médecin traitant)": another person, not an apposition
        if t.n in _PROFESSIONAL_CUES and t.n not in ("as", "me"):
            return k == j or all(x.w in ",(-–" or x.n in ("l", "'", "notre", "son", "sa", "la", "le",
                                                          "votre", "mon", "ma")
                                 for x in toks[j:k])
    return False


def _name_spans(text: str, ner: bool = False) -> list[tuple[int, int]]:
    toks = [_Tok(m) for m in _WORD_RE.finditer(text)]
    spans: list[tuple[int, int]] = []
    protected: set[int] = set()
    ends: list[int] = []
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        if not t.w[0].isalpha():  # digits and punctuation never start a name or a cue
            i += 1
            continue
        nl = t.n
        # professionals and institutions: the following name run is kept
        # ("Me" for a notary and "AS" for a social worker only when written so: "me", "as" are verbs)
        if (nl in _PROFESSIONAL_CUES or nl in _INSTITUTION_CUES) and not (
                nl in ("me", "as") and t.w not in ("Me", "AS")):
            k = i + 1
            while k < n and (toks[k].w in ("'", "’", ".") or toks[k].n in ("l", "d")) and k - i <= 2:
                k += 1
            j = _run(text, toks, k, commune_first=True) if k < n else k
            protected.update(range(k, j))
            i = max(j, i + 1)
            continue
        # civility: the following run is a name
        if t.w == "m" and i + 2 < n and toks[i + 1].w == "." and toks[i + 2].alpha and not toks[i + 2].cap \
                and toks[i + 2].n not in _common_words() and _joined(text, toks[i + 1], toks[i + 2]):
            spans.append((toks[i + 2].s, toks[i + 2].e))
            protected.add(i + 2)
            ends.append(i + 3)
            i += 3
            continue
        if t.w in ("mme", "mr", "mlle", "melle") and i + 1 < n and toks[i + 1].alpha \
                and not toks[i + 1].cap and len(toks[i + 1].w) >= 2 and toks[i + 1].n not in _common_words() \
                and toks[i + 1].n not in _NOT_NAME_WORDS and _joined(text, t, toks[i + 1]):
            # SMS in lower case: "mme dupont"
            j = i + 2
            if j < n and toks[j].alpha and not toks[j].cap and _joined(text, toks[j - 1], toks[j]) \
                    and _is_first_name_lower(toks[j]):
                j += 1
            spans.append((toks[i + 1].s, toks[j - 1].e))
            protected.update(range(i + 1, j))
            ends.append(j)
            i = j
            continue
        if _CIV_TOKEN_RE.match(t.w) or (nl in ("m", "mr", "mme", "mlle", "mm", "mmes") and t.cap):
            k = i + 1
            if k < n and toks[k].w == ".":
                k += 1
            particle_ok = (k + 1 < n and toks[k].n in _PARTICLES and _namey(toks[k + 1], commune_ok=True)
                           and toks[k + 1].n not in _TITLE_WORDS)
            if k < n and (toks[k].n not in _NOT_NAMES or particle_ok) and toks[k].n not in _TITLE_WORDS \
                    and _joined(text, toks[k - 1], toks[k]):
                j = _run(text, toks, k, commune_first=True)
                if j > k:
                    if not (_professional_apposition(toks, i) or _professional_after(text, toks, j)):
                        spans.append((toks[k].s, toks[j - 1].e))
                        ends.append(j)
                    protected.update(range(k, j))
                    i = j
                    continue
            i += 1
            continue
        # patient / family cues: "la patiente Odette Lambert", "chez les Perrin", "née Chevallier"
        if nl in _PATIENT_CUES and t.alpha:
            k = i + 1
            while k < n and toks[k].w in (":", ",", "'", "’", "(") and k - i <= 2:
                k += 1
            if k < n and toks[k].n in ("les", "l", "mr", "mme") and nl in ("chez", "famille"):
                k += 1
            if k < n and toks[k].n in ("s'", "s") and nl == "appelle":
                k += 1
            if k < n and not toks[k].cap and _is_first_name_lower(toks[k]) and toks[k].n not in _common_words() \
                    and nl not in ("pour", "nom", "dit", "dite", "jeune", "petit", "petite") \
                    and _joined(text, toks[k - 1], toks[k]):
                j = k + 1  # lower-case SMS: "ma mère ginette", "sa fille julie martin"
                if j < n and toks[j].alpha and not toks[j].cap and toks[j].n not in _common_words() \
                        and len(toks[j].w) >= 3 and _joined(text, toks[k], toks[j]):
                    j += 1
                spans.append((toks[k].s, toks[j - 1].e))
                protected.update(range(k, j))
                ends.append(j)
                i = j
                continue
            if k < n and toks[k].cap and not _blocked(toks[k]) and toks[k].n not in _NOT_NAMES:
                first_ok = _is_first_name(toks[k]) or toks[k].allcaps
                colon = any(toks[x].w == ":" for x in range(i + 1, k))
                if nl in _CUE_NEEDS_NAME and not _is_first_name(toks[k]) and not (colon and nl in _COLON_CUES):
                    i += 1
                    continue
                j = _run(text, toks, k, commune_first=first_ok)
                if j > k and not _professional_after(text, toks, j):
                    spans.append((toks[k].s, toks[j - 1].e))
                    ends.append(j)
                    protected.update(range(k, j))
                    i = j
                    continue
            i += 1
            continue
        # lower case (SMS): a known first name and a surname, neither a common word ("julie martin")
        if i not in protected and t.alpha and not t.cap and len(t.w) >= 3 and i + 1 < n \
                and _is_first_name_lower(t) and t.n not in _common_words():
            u = toks[i + 1]
            if u.alpha and not u.cap and len(u.w) >= 3 and u.n not in _common_words() \
                    and not _blocked(u) and u.n not in _communes() and _joined(text, t, u) \
                    and not _professional_before(toks, i):
                spans.append((t.s, u.e))
                protected.update((i, i + 1))
                ends.append(i + 2)
                i += 2
                continue
        # first names with their surname, in either order; capitals + capitalised word
        if i not in protected and t.alpha and t.cap and not _blocked(t):
            fn = _is_first_name(t) and not (t.n in _AMBIGUOUS_FIRST)
            amb = _is_first_name(t) and t.n in _AMBIGUOUS_FIRST
            caps = t.allcaps and len(t.w) >= 3 and t.n not in _communes()
            if fn or amb or caps:
                # extend left over one name-like word
                a = i
                if a > 0 and (a - 1) not in protected and _joined(text, toks[a - 1], t) \
                        and _namey(toks[a - 1]) and (not _sentence_start(text, toks, a - 1)
                                                     or toks[a - 1].n not in _common_words()) \
                        or (a > 0 and (a - 1) not in protected and _joined(text, toks[a - 1], t)
                            and _namey(toks[a - 1]) and (toks[a - 1].allcaps or _is_first_name(toks[a - 1]))):
                    a -= 1
                j = _run(text, toks, i, commune_first=False)
                j = max(j, i + 1)
                length = j - a
                other_caps = any(toks[x].allcaps for x in range(a, j) if x != i)
                other_fn = any(_is_first_name(toks[x]) for x in range(a, j) if x != i)
                ok = False
                if length >= 2 and (fn or amb or other_fn or (caps and (other_caps or any(
                        toks[x].cap for x in range(a, j) if x != i)))):
                    ok = True
                    if caps and not (fn or amb or other_fn) and all(toks[x].allcaps for x in range(a, j)):
                        ok = False  # "NYHA III": capitals alone are acronyms more often than names
                elif length == 1 and (fn or (amb and not _sentence_start(text, toks, i))):
                    ok = True
                if ok and _professional_before(toks, a) is False and not _professional_after(text, toks, j):
                    spans.append((toks[a].s, toks[j - 1].e))
                    ends.append(j)
                    protected.update(range(a, j))
                    i = j
                    continue
        i += 1
    # a capitalised word right before an age or a birth date: "Perrin, 82 ans", "Lemoine né le"
    for i in range(n):
        t = toks[i]
        if not t.w[0].isupper() or i in protected or t.allcaps or not _namey(t):
            continue
        k = i + 1
        if k < n and toks[k].w in (",", "(") and _joined(text, t, toks[k]) or (k < n and toks[k].w in (",", "(")):
            k += 1
        before_age = (k + 1 < n and toks[k].w.isdigit() and len(toks[k].w) <= 3 and toks[k + 1].n == "ans")
        before_birth = k < n and toks[k].n in ("ne", "nee", "ddn", "dn") and (
            toks[k].n in ("ddn", "dn") or (k + 1 < n and toks[k + 1].n in ("le", "en", "[date de naissance]")))
        if not (before_age or before_birth):
            continue
        if _professional_before(toks, i) or (t.n in _common_words() and not _is_first_name(t)):
            continue
        a = i
        while a > 0 and (a - 1) not in protected and _joined(text, toks[a - 1], toks[a]) \
                and _namey(toks[a - 1]) and i - a < 3:
            a -= 1
        spans.append((toks[a].s, t.e))
        protected.update(range(a, i + 1))
        ends.append(i + 1)
    # names in lists: "[nom] et Jade", "Julie, Léa et Tom"
    queue = list(ends)
    while queue:
        j = queue.pop()
        if j + 1 >= n or toks[j].w not in (",", "et", "ou", "&"):
            continue
        k = j + 1
        t = toks[k]
        if k in protected or not _namey(t) or not t.cap:
            continue
        if toks[j].w == "," and not (_is_first_name(t) or (t.allcaps and len(t.w) >= 3)):
            continue
        e = max(_run(text, toks, k, commune_first=False), k + 1)
        if _professional_after(text, toks, e):
            continue
        spans.append((t.s, toks[e - 1].e))
        protected.update(range(k, e))
        queue.append(e)
    if ner:
        spans += _ner_spans(text, toks, protected, spans)
    return spans


_QUALIFIERS = {"libéral", "libérale", "liberal", "liberale", "social", "sociale", "sociales",
               "traitant", "traitante", "coordinatrice", "coordinateur", "coordonnateur",
               "coordonnatrice", "référente", "référent", "coordination", "liaison", "secteur",
               "hospitalière", "hospitalier", "scolaire", "du", "de", "des", "la", "le", "l", "d",
               "notre", "votre", "son", "sa", "en", "chef", "cadre", "santé", "l'"}


def _professional_apposition(toks: list, i: int) -> bool:
    """ "l'assistante sociale du CCAS, Mme Lambert": a professional title just before a civility."""
    if i == 0 or toks[i - 1].w not in (",", "(", "-", "–"):
        return False
    for k in range(i - 2, max(-1, i - 10), -1):
        t = toks[k]
        if t.n in _PROFESSIONAL_CUES and t.n not in ("as", "me"):
            return True
        if t.w in ("'", "’") or t.n in _QUALIFIERS or (t.alpha and t.cap):
            continue
        return False
    return False


def _professional_before(toks: list, a: int) -> bool:
    for k in range(max(0, a - 3), a):
        if toks[k].n in _PROFESSIONAL_CUES and toks[k].n not in ("as", "me"):
            return True
    return False


@lru_cache(maxsize=1)
def _nlp():
    import spacy
    return spacy.load("fr_core_news_md", exclude=["lemmatizer", "morphologizer", "attribute_ruler",
                                                   "parser", "senter"])


def _ner_spans(text: str, toks: list, protected: set, found: list) -> list[tuple[int, int]]:
    """Second net: spaCy PER entities not in a kept context (professional, institution, commune)."""
    doc = _nlp()(text)
    starts = {t.s: k for k, t in enumerate(toks)}
    out = []
    for ent in doc.ents:
        if ent.label_ != "PER":
            continue
        ws = [w for w in ent if w.text[:1].isupper() and w.is_alpha]
        if not ws:
            continue
        keep = False
        for w in ws:
            k = starts.get(w.idx)
            if k is None or k in protected or _blocked(toks[k]) or toks[k].n in _communes():
                keep = True
                break
            if _professional_before(toks, k):
                keep = True
                break
        if not keep:
            out.append((ws[0].idx, ws[-1].idx + len(ws[-1].text)))
    return out


def _apply(text: str, spans: Iterable[tuple[int, int]], placeholder: str) -> str:
    out, last = [], 0
    for s, e in sorted(spans):
        if s < last:
            if e > last:
                last = e
            continue
        out.append(text[last:s])
        out.append(placeholder)
        last = e
    out.append(text[last:])
    return "".join(out)


def _mask_nir(text: str) -> str:
    # every plausible shape is masked, whatever the month: a typo is still an identifier, and
    # skipping a window would let the real number after it through
    return _NIR_RE.sub(NIR, text)


# National helplines with a ten-digit number (public, never a patient's): kept as typed.
_PUBLIC_LINES = frozenset({
    "0980980930",  # Alcool Info Service
    "0980980940",  # Écoute Cannabis
    "0974751313",  # Joueurs Info Service
    "0972394050",  # SOS Amitié
    "0145394000",  # Suicide Écoute
    "0800231313",  # Drogues Info Service
})


def _phone_repl(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and m.group(0).lstrip("( ").startswith("+"):
        digits = "0" + digits[2:]
    if digits.startswith("08") or digits in _PUBLIC_LINES:
        return m.group(0)  # 08xx: free or shared-cost service lines, never a person's line
    return TELEPHONE


# "mdph 41200", "CAF 18000": a service named beside a postal code of the region, no "n°" between.
_POSTCODE_RE = re.compile(r"(?:18|28|36|37|41|45)\d{3}")


def _mask_record(m: re.Match) -> str:
    val = m.group("val")
    if sum(c.isdigit() for c in val) < 4 or re.fullmatch(r"(?:19|20)\d{2}", val.strip()):
        return m.group(0)
    if _POSTCODE_RE.fullmatch(val.strip()) and not m.group("fill").strip():
        return m.group(0)
    return m.group("cue") + m.group("fill") + DOSSIER


def mask(text: str | None, ner: bool = False) -> str | None:
    """Return `text` with patient identifiers replaced by placeholders ("[NIR]", "[nom]"…).

    `ner=True` adds spaCy's French NER as a second net for names (see docs/privacy.md: off by
    default, it did not pay for itself).
    """
    if not text:
        return text
    out = _mask_emails(text)
    out = _mask_nir(out)
    out = _PHONE_RE.sub(_phone_repl, out)
    out = _RECORD_RE.sub(_mask_record, out)
    out = _STRONG_RECORD_RE.sub(lambda m: m.group("cue") + DOSSIER, out)
    out = _NUMERO_RE.sub(lambda m: m.group("cue") + DOSSIER, out)
    out = _ADDRESS_RE.sub(_address_repl, out)
    out = _CUED_ADDRESS_RE.sub(lambda m: m.group("cue") + ADRESSE, out)
    out = _BIRTH_RE.sub(_birth_repl, out)
    out = _apply(out, _name_spans(out, ner=ner), NOM)
    out = _AFTER_NAME_DATE_RE.sub(lambda m: m.group("pre") + DATE_NAISSANCE, out)
    out = _ANY_DATE_RE.sub(_old_date, out)
    return out


def _address_repl(m: re.Match) -> str:
    s = m.group(0)
    if _norm(s.strip()) in _communes():
        return s  # "Les Aix-d'Angillon, 18220": a commune, not a street
    # a trailing lower-case word that is not part of a street name ("rue Jean Jaurès depuis")
    return ADRESSE + (" " if s.endswith(" ") else "")


def _birth_repl(m: re.Match) -> str:
    cue = m.group("cue")
    if cue.lower() == "dn" and not m.group("gap").strip() and not cue.isupper():
        return m.group(0)
    if m.group("gap").strip().lower() == "en" and not re.search(r"[a-zé]", m.group("date"), re.I) \
            and re.fullmatch(r"\d{4}", m.group("date")):
        return m.group(0)
    return cue + m.group("gap") + DATE_NAISSANCE


def mask_obj(value: Any, ner: bool = False) -> Any:
    """Mask every string inside nested dicts, lists and tuples (for payloads and log extras)."""
    if isinstance(value, str):
        return mask(value, ner=ner)
    if isinstance(value, dict):
        return {k: mask_obj(v, ner=ner) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_obj(v, ner=ner) for v in value)
    return value


# --- logs ---------------------------------------------------------------------------------
_ESCAPE_RE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


def _unescape(m: re.Match) -> str:
    if m.group(3):
        c = int(m.group(3), 16)
        return m.group(0) if 0xD800 <= c <= 0xDFFF or c < 0x20 else chr(c)
    hi, lo = int(m.group(1), 16), int(m.group(2), 16)
    return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))


# In logs, a partial phone number (a traceback quoting "06 12 34") is masked too.
_PARTIAL_PHONE_RE = re.compile(r"(?<![\w:.,/\-])(?:\+33\s?|0)[1-9](?:[ .\-]?\d{2}){2,3}(?![\w:/])")


def mask_log_text(text: str) -> str:
    """Mask a log line whatever its encoding: JSON `\\uXXXX` escapes are decoded first."""
    if not text:
        return text
    if "\\u" in text:
        text = _ESCAPE_RE.sub(_unescape, text)
    return _PARTIAL_PHONE_RE.sub(TELEPHONE, mask(text))


class MaskingFilter(logging.Filter):
    """Logging filter that masks identifiers in the formatted message of every record.

    Install it on handlers (or loggers) of the bot: `handler.addFilter(MaskingFilter())`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record_in_place(record)
        return True


def _mask_record_in_place(record: logging.LogRecord) -> None:
    if getattr(record, "_aiguillage_masked", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: leave it to the handler's own error path
        return
    record.msg = mask_log_text(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        # formatted here so that the handler's formatter reuses the masked text
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_log_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_log_text(record.stack_info)
    record._aiguillage_masked = True


_installed_factory = False


def install_logging_filter(*logger_names: str) -> MaskingFilter:
    """Mask every log record of this process, whatever handler writes it.

    Installs a record factory (records are masked when created, so handlers added later by
    Rasa, Sanic or the channels are covered), a filter on the root handlers and the named
    loggers (for records built by hand), and an excepthook masking uncaught tracebacks.
    """
    global _installed_factory
    f = MaskingFilter()
    if not _installed_factory:
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            record = previous(*args, **kwargs)
            _mask_record_in_place(record)
            return record

        logging.setLogRecordFactory(factory)
        previous_hook = sys.excepthook

        def hook(exc_type, exc, tb):
            import traceback
            sys.stderr.write(mask_log_text("".join(traceback.format_exception(exc_type, exc, tb))))

        hook.previous = previous_hook  # type: ignore[attr-defined]
        sys.excepthook = hook
        _installed_factory = True
    root = logging.getLogger()
    for h in root.handlers:
        h.addFilter(f)
    for name in logger_names:
        logger = logging.getLogger(name)
        logger.addFilter(f)
        for h in logger.handlers:
            h.addFilter(f)
    return f


def nir_key_ok(nir: str) -> bool:
    """True when `nir` (13 characters + 2-digit key, spaces allowed) has a valid key.

    Uses python-stdnum's `stdnum.fr.nir` (Corsica 2A→19, 2B→18).
    """
    from stdnum.fr import nir as _stdnir
    s = re.sub(r"[ .\-]", "", nir).upper()
    if len(s) != 15:
        return False
    return bool(_stdnir.is_valid(s))
