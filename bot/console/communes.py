"""The console's commune fields: the bot's place reader, plus the « Nom (code postal) » choices
the fields' native autocompletion proposes."""
from __future__ import annotations

import re

from knowledge.gazetteer import Gazetteer, is_code_insee
from knowledge.places import read_place
from knowledge.text import fold


class Communes:
    """Reading what an operator typed in a commune field (gazetteer loaded on first use)."""

    def __init__(self) -> None:
        self._options: list[str] | None = None

    @staticmethod
    def gazetteer():
        return Gazetteer.default()

    def read(self, text: str):
        """(commune, candidates, departement) read from a commune field, or Nones."""
        gaz = self.gazetteer()
        text = (text or "").strip()
        m = re.fullmatch(r"(.+?)\s*\((\d{5})\)", text)        # an autocompletion choice
        if m:
            name = fold(m.group(1))
            same = [c for c in gaz.communes_of_code_postal(m.group(2)) if fold(c.nom) == name]
            if same:
                return same[0], (), None
            text = m.group(1)
        if is_code_insee(text) and text in gaz.communes:
            if not gaz.communes_of_code_postal(text):          # an INSEE code, not a postal code
                return gaz.commune(text), (), None
        if re.fullmatch(r"\d{5}", text):
            shared = gaz.communes_of_code_postal(text)
            if len(shared) == 1:
                return shared[0], (), None
            if shared:
                return None, tuple(shared), None
        r = read_place(text, gaz)
        return r.commune, tuple(r.candidates), r.departement

    def codes(self, text: str) -> list[str]:
        """INSEE codes a queue search on `text` covers (a commune, a postal code, a department)."""
        commune, candidates, dep = self.read(text)
        if commune is not None:
            return [commune.code_insee]
        if candidates:
            return [c.code_insee for c in candidates]
        if dep is not None:
            return [c.code_insee for c in self.gazetteer().communes_of_departement(dep.code)]
        return []

    def label(self, code: str | None) -> str:
        c = self.gazetteer().communes.get(code or "")
        if c is None:
            return code or ""
        return f"{c.nom} ({c.codes_postaux[0]})" if c.codes_postaux else c.nom

    def options(self) -> list[str]:
        """« Nom (code postal) » of every commune, for the fields' native autocompletion."""
        if self._options is None:
            gaz = self.gazetteer()
            self._options = sorted({f"{c.nom} ({cp})" for c in gaz.communes.values()
                                    for cp in c.codes_postaux}, key=fold)
        return self._options

    def place(self, text: str) -> dict:
        """orient() keyword for the commune field: {"commune": INSEE} or {"departement": code}."""
        commune, candidates, dep = self.read(text)
        if commune is not None:
            return {"commune": commune.code_insee}
        if candidates:
            return {"commune": candidates[0].code_insee}
        if dep is not None:
            return {"departement": dep.code}
        return {}
