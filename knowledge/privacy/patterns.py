"""Identifier patterns of the masking (docs/privacy.md): placeholders, e-mail, NIR, record
numbers, phones, addresses, dates of birth, and the replacement rules of each.

Every pattern is linear-time: bounded repetitions over disjoint character classes.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Iterable

from stdnum.fr import nir as _stdnir

from knowledge.gazetteer import POSTAL_CODE_PATTERN
from knowledge.privacy.lexicon import _communes, _norm

NIR = "[NIR]"
TELEPHONE = "[téléphone]"
EMAIL = "[e-mail]"
DATE_NAISSANCE = "[date de naissance]"
NOM = "[nom]"
ADRESSE = "[adresse]"
DOSSIER = "[n° dossier]"

PLACEHOLDERS = (NIR, TELEPHONE, EMAIL, DATE_NAISSANCE, NOM, ADRESSE, DOSSIER)
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
_POSTCODE_RE = re.compile(POSTAL_CODE_PATTERN)


def _mask_record(m: re.Match) -> str:
    val = m.group("val")
    if sum(c.isdigit() for c in val) < 4 or re.fullmatch(r"(?:19|20)\d{2}", val.strip()):
        return m.group(0)
    if _POSTCODE_RE.fullmatch(val.strip()) and not m.group("fill").strip():
        return m.group(0)
    return m.group("cue") + m.group("fill") + DOSSIER


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


def nir_key_ok(nir: str) -> bool:
    """True when `nir` (13 characters + 2-digit key, spaces allowed) has a valid key.

    Uses python-stdnum's `stdnum.fr.nir` (Corsica 2A→19, 2B→18).
    """
    s = re.sub(r"[ .\-]", "", nir).upper()
    if len(s) != 15:
        return False
    return bool(_stdnir.is_valid(s))
