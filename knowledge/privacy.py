"""Masking of patient identifiers in free text, before anything is stored or logged.

Rules (see docs/tickets.md, "Masquage"):
- NIR (French social security number): 13 characters + optional 2-digit key, with or without
  spaces/dots, Corsica 2A/2B; masked whenever the shape is plausible (sex digit, month), even
  when the key is wrong (a typo is still an identifier). `nir_key_ok` checks the key.
- Phone numbers in French formats (06 12 34 56 78, 0612345678, 06.12.34.56.78, +33 6 …,
  0033 6 …, +33 (0)6 …): all masked. Short national numbers (15, 3919, 116 117) survive.
- E-mail addresses: all masked.
- Dates of birth: a full date (12/03/1941, 12-03-41, 12 mars 1941) after "né", "née", "né(e)",
  "DDN", "date de naissance", "naissance", or right after a masked name ("Mme [nom] (12/03/1941)").
  A year alone ("née en 1941") and ages survive; other dates (appointments) survive.
- Names after a civility (M., M, Mr, Monsieur, Mme, Madame, Mlle, Mademoiselle, MM., Mmes):
  the capitalised words that follow are replaced by "[nom]", the civility is kept.
  Names after Dr, Docteur, Pr, Professeur are kept: they are professionals, not patients.
"""
from __future__ import annotations

import logging
import re
from typing import Any

NIR = "[NIR]"
TELEPHONE = "[téléphone]"
EMAIL = "[e-mail]"
DATE_NAISSANCE = "[date de naissance]"
NOM = "[nom]"

_SEP = r"[ .\-]?"

# NIR: sex (1,2 or 3,4,7,8 for temporary numbers), year, month (01-12, 20-42, 50-99 for
# unknown/special months), department (2 digits, 2A, 2B), commune (3), order (3), key (2).
_NIR_RE = re.compile(
    r"(?<![\w@])"
    r"(?P<sexe>[1-478])" + _SEP +
    r"(?P<annee>\d{2})" + _SEP +
    r"(?P<mois>0[1-9]|1[0-2]|[2-9]\d)" + _SEP +
    r"(?P<dep>\d{2}|2[ABab])" + _SEP +
    r"(?P<commune>\d{3})" + _SEP +
    r"(?P<ordre>\d{3})"
    r"(?:" + _SEP + r"(?P<cle>\d{2}))?"
    r"(?![\w@])"
)

_PHONE_RE = re.compile(
    r"(?<![\w+@])"
    r"(?:"
    r"(?:\+|00)33[ .\-]?(?:\(0\)[ .\-]?)?[1-9](?:[ .\-]?\d{2}){4}"   # +33 6 12 34 56 78
    r"|0[1-9](?:[ .\-]?\d{2}){4}"                                   # 06 12 34 56 78
    r")"
    r"(?![\w@])"
)

_EMAIL_RE = re.compile(
    r"(?<![\w.+\-])[^\W_][\w.%+\-]*@[^\W_](?:[\w\-]*[^\W_])?"
    r"(?:\.[^\W_](?:[\w\-]*[^\W_])?)*\.[A-Za-z]{2,}"
)

_MOIS = (r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|"
         r"novembre|d[ée]cembre|janv\.?|f[ée]vr?\.?|avr\.?|juil\.?|sept?\.?|oct\.?|nov\.?|d[ée]c\.?)")
_DATE = (r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
         r"|(?:1er|\d{1,2})\s+" + _MOIS + r"\s+\d{4})")
_BIRTH_CUE = (r"(?:n[ée]e?\s*\(e\)|n[ée]e?|DDN|D\.D\.N\.?|date\s+de\s+naissance|naissance)")
_BIRTH_RE = re.compile(
    r"(?i)(?P<cue>\b" + _BIRTH_CUE + r")(?P<gap>\s*(?::|le|en\s+date\s+du|du)?\s*:?\s*)"
    r"(?P<date>" + _DATE + r")(?!\d)"
)

_CIVILITE = (r"(?:Monsieur|MONSIEUR|Madame|MADAME|Mademoiselle|MADEMOISELLE|Mmes|MMES|Mme\.?|MME\.?"
             r"|Mlle\.?|MLLE\.?|Mr\.?|MR\.?|MM\.|M\.|M(?=\s))")
_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_NAME_WORD = r"[" + _UPPER + r"][\w'’\-]*"
_PARTICLE = r"(?:(?:de|du|des|d['’]|le|la|van|von)\s?)"
_NAME_RE = re.compile(
    r"(?P<civ>(?<![\w.])" + _CIVILITE + r")(?P<sp>\s+)"
    r"(?P<nom>" + _PARTICLE + r"?" + _NAME_WORD + r"(?:[ \-]" + _NAME_WORD + r"){0,2})"
)
# Words that may follow a civility but are not names ("Madame la Maire", "Monsieur Le Président").
_NOT_NAMES = {"le", "la", "les", "un", "une", "votre", "son", "sa"}
_TITLE_WORDS = {"maire", "président", "presidente", "présidente", "directeur", "directrice",
                "docteur", "professeur", "juge", "préfet", "préfète"}

_AFTER_NAME_DATE_RE = re.compile(
    r"(?P<pre>\[nom\]\s*[,(]\s*(?:" + _BIRTH_CUE + r"\s*(?:le\s*)?:?\s*)?)(?P<date>" + _DATE + r")",
    re.IGNORECASE,
)


def nir_key_ok(nir: str) -> bool:
    """True when `nir` (13 characters + 2-digit key, spaces allowed) has a valid key."""
    s = re.sub(r"[ .\-]", "", nir).upper()
    if len(s) != 15:
        return False
    body, key = s[:13], s[13:]
    body = body.replace("2A", "19").replace("2B", "18") if body[5:7] in ("2A", "2B") else body
    if not body.isdigit() or not key.isdigit():
        return False
    return 97 - int(body) % 97 == int(key)


def _mask_nir(text: str) -> str:
    return _NIR_RE.sub(NIR, text)


def _mask_names(text: str) -> str:
    def repl(m: re.Match) -> str:
        nom = m.group("nom")
        first = re.split(r"[ \-]", nom, 1)[0]
        if first.lower() in _NOT_NAMES or first.lower() in _TITLE_WORDS:
            return m.group(0)
        return m.group("civ") + m.group("sp") + NOM
    return _NAME_RE.sub(repl, text)


def mask(text: str | None) -> str | None:
    """Return `text` with patient identifiers replaced by placeholders ("[NIR]", "[nom]"…)."""
    if not text:
        return text
    out = _EMAIL_RE.sub(EMAIL, text)
    out = _mask_nir(out)
    out = _PHONE_RE.sub(TELEPHONE, out)
    out = _BIRTH_RE.sub(lambda m: m.group("cue") + m.group("gap") + DATE_NAISSANCE, out)
    out = _mask_names(out)
    out = _AFTER_NAME_DATE_RE.sub(lambda m: m.group("pre") + DATE_NAISSANCE, out)
    return out


def mask_obj(value: Any) -> Any:
    """Mask every string inside nested dicts, lists and tuples (for payloads and log extras)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_obj(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_obj(v) for v in value)
    return value


class MaskingFilter(logging.Filter):
    """Logging filter that masks identifiers in the formatted message of every record.

    Install it on handlers (or loggers) of the bot: `handler.addFilter(MaskingFilter())`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # formatted here so that the handler's formatter reuses the masked text
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


def install_logging_filter(*logger_names: str) -> MaskingFilter:
    """Add one MaskingFilter to the handlers of the root logger and to the named loggers."""
    f = MaskingFilter()
    root = logging.getLogger()
    for h in root.handlers:
        h.addFilter(f)
    for name in logger_names:
        logger = logging.getLogger(name)
        logger.addFilter(f)
        for h in logger.handlers:
            h.addFilter(f)
    return f
