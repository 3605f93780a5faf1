"""`mask` and `mask_obj`: every identifier pattern, then names, then dates, in that order."""
from __future__ import annotations

import datetime as _dt
from collections import OrderedDict
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


class CleanMemo:
    """`mask_obj` that remembers the strings `mask` leaves unchanged (bounded, least recently used
    first out), so that what every stored event repeats is masked once per process.

    A tracker store masks every string of every event on save: intent names and their ranking,
    entity types, Rasa's metadata (model id, response names), the directory's texts of each
    orientation payload (service names, hours, sources). Those are the same strings turn after
    turn and contain nothing to mask. The memo keeps only strings that `mask` returned unchanged:
    they are written verbatim to the store anyway, so the memo never holds an identifier, and its
    output is exactly `mask_obj`'s (tests/privacy/test_storage_masking.py). A string that had
    something masked is masked again each time. `mask` reads the current year (old dates are
    birth dates), so the memo is emptied when the year changes.
    """

    def __init__(self, size: int = 8192, max_len: int = 1000) -> None:
        self.size, self.max_len = size, max_len
        self._clean: "OrderedDict[str, None]" = OrderedDict()
        self._year = _dt.date.today().year

    def __len__(self) -> int:
        return len(self._clean)

    def __contains__(self, text: object) -> bool:
        return text in self._clean

    def mask(self, text: str) -> str:
        clean = self._clean
        if text in clean:
            try:
                clean.move_to_end(text)
            except KeyError:  # evicted by another thread in between
                pass
            return text
        out = mask(text)
        if out == text and len(text) <= self.max_len:
            clean[text] = None
            while len(clean) > self.size:
                try:
                    clean.popitem(last=False)
                except KeyError:
                    break
        return out

    def mask_obj(self, value: Any) -> Any:
        """Same result as `mask_obj(value)`."""
        year = _dt.date.today().year
        if year != self._year:
            self._clean.clear()
            self._year = year
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.mask(value) if value else value
        if isinstance(value, dict):
            return {k: self._walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._walk(v) for v in value)
        return value
