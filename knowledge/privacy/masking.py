"""`mask` and `mask_obj`: every identifier pattern, then names, then dates, in that order."""
from __future__ import annotations

from typing import Any

from knowledge.privacy.names import _name_spans
from knowledge.privacy.patterns import (_ADDRESS_RE, _AFTER_NAME_DATE_RE, _ANY_DATE_RE, _BIRTH_RE,
                                        _CUED_ADDRESS_RE, _NIR_RE, _NUMERO_RE, _PHONE_RE, _RECORD_RE,
                                        _STRONG_RECORD_RE, ADRESSE, DATE_NAISSANCE, DOSSIER, NIR, NOM,
                                        _address_repl, _apply, _birth_repl, _mask_emails, _mask_record,
                                        _old_date, _phone_repl)

def _mask_nir(text: str) -> str:
    # every plausible shape is masked, whatever the month: a typo is still an identifier, and
    # skipping a window would let the real number after it through
    return _NIR_RE.sub(NIR, text)


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


def mask_obj(value: Any, ner: bool = False) -> Any:
    """Mask every string inside nested dicts, lists and tuples (for payloads and log extras)."""
    if isinstance(value, str):
        return mask(value, ner=ner)
    if isinstance(value, dict):
        return {k: mask_obj(v, ner=ner) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_obj(v, ner=ner) for v in value)
    return value
