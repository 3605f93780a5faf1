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

The package, one concept a file: `patterns.py` (placeholders and identifier patterns),
`lexicon.py` (word lists), `names.py` (people's names), `ner.py` (spaCy second net),
`masking.py` (`mask`, `mask_obj`, `CleanMemo`), `logs.py` (log records).
"""
from knowledge.privacy.logs import MaskingFilter, install_logging_filter, mask_log_text
from knowledge.privacy.lexicon import warm_up
from knowledge.privacy.masking import CleanMemo, mask, mask_obj
from knowledge.privacy.patterns import (ADRESSE, DATE_NAISSANCE, DOSSIER, EMAIL, NIR, NOM, PLACEHOLDERS,
                                        TELEPHONE, nir_key_ok)

__all__ = ["ADRESSE", "CleanMemo", "DATE_NAISSANCE", "DOSSIER", "EMAIL", "NIR", "NOM", "PLACEHOLDERS", "TELEPHONE",
           "MaskingFilter", "install_logging_filter", "mask", "mask_log_text", "mask_obj", "nir_key_ok",
           "warm_up"]
