"""Checks of `knowledge/data/triage.yaml` as it is loaded: typed French errors naming the rule.

`Validator` checks values (tables, lists, identifiers, vocabulary codes, weights);
`check_levels` finds contradictory and unreachable level rules (`_implies`: every situation that
satisfies one rule's conditions satisfies the other's).
"""
from __future__ import annotations

import re

from knowledge.text import fold

_ID = re.compile(r"^[a-z0-9_]+$")


class RulesError(ValueError):
    """Invalid triage rules; the message names the file and the rule."""


class Validator:
    """Typed checks of the YAML values; every error names the file and the rule, in French."""


    def __init__(self, source: str, vocabulary):
        self.source = source
        self.known = {
            "type": set(vocabulary.resource_types),
            "public": set(vocabulary.publics),
            "besoin": set(vocabulary.needs),
        }
        self.known["public_ou_besoin"] = self.known["public"] | self.known["besoin"]

    def error(self, where: str, message: str) -> RulesError:
        return RulesError(f"{self.source} : {where} : {message}")

    @staticmethod
    def rule_name(section: str, i: int, item, key: str = "id") -> str:
        if isinstance(item, dict) and item.get(key):
            return f"{section} règle '{item[key]}'"
        return f"{section}[{i}]"

    def mapping(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.error(where, "une table (clé: valeur) est attendue")
        return value

    def sequence(self, value, where: str) -> list:
        if not isinstance(value, list):
            raise self.error(where, "une liste est attendue")
        return value

    def keys(self, item: dict, where: str, *, required: set, optional: set) -> None:
        missing = sorted(required - set(item))
        if missing:
            raise self.error(where, f"champ manquant : {', '.join(missing)}")
        unknown = sorted(set(item) - required - optional)
        if unknown:
            raise self.error(where, f"champ inconnu : {', '.join(unknown)}")

    def ident(self, value, where: str, seen: set) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise self.error(where, f"identifiant {value!r} : minuscules, chiffres et _ seulement")
        if value in seen:
            raise self.error(where, f"identifiant en double '{value}'")
        seen.add(value)
        return value

    def text(self, value, where: str, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(where, f"{key} : texte attendu")
        return value.strip()

    def integer(self, value, where: str, key: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(where, f"{key} : nombre entier attendu, pas {value!r}")
        return value

    def phrases(self, value, where: str, allow_refs: bool = True) -> list[str]:
        value = self.sequence(value, where + " signes")
        out = []
        for p in value:
            if not isinstance(p, str) or not fold(p):
                raise self.error(where, f"signe {p!r} : texte attendu")
            if p.startswith("@") and not allow_refs:
                raise self.error(where, f"signe {p!r} : une liste ne peut pas en inclure une autre")
            out.append(p)
        return out

    def codes(self, value, kind: str, where: str) -> list[str]:
        if not isinstance(value, list):
            raise self.error(where, f"liste de codes attendue, pas {value!r}")
        names = {"type": "type de service", "public": "public", "besoin": "besoin",
                 "public_ou_besoin": "public ou besoin"}
        out = []
        for code in value:
            if code not in self.known[kind]:
                raise self.error(where, f"{names[kind]} inconnu '{code}'")
            out.append(code)
        return out

    def weights(self, value, kind: str, where: str) -> dict[str, int]:
        value = self.mapping(value, where)
        self.codes(list(value), kind, where)
        return {k: self.integer(w, where, k) for k, w in value.items()}


def _implies(b: dict, a: dict) -> bool:
    """True when every situation satisfying conditions `b` also satisfies conditions `a`."""
    for key, want in a.items():
        if key == "publics":
            if not ("publics" in b and b["publics"] <= want):
                return False
        elif key == "publics_exclus":
            if not want <= b.get("publics_exclus", frozenset()):
                return False
        elif key == "besoins":
            if not want <= b.get("besoins", frozenset()):
                return False
        elif key == "besoins_un_de":
            if not (want & b.get("besoins", frozenset())
                    or ("besoins_un_de" in b and b["besoins_un_de"] <= want)):
                return False
        elif key == "publics_ou_besoins":
            if not (want & b.get("besoins", frozenset())
                    or any(k in b and b[k] <= want
                           for k in ("publics", "besoins_un_de", "publics_ou_besoins"))):
                return False
        elif key.endswith("_min"):
            if not (key in b and b[key] >= want):
                return False
        elif key.endswith("_max"):
            if not (key in b and b[key] <= want):
                return False
        elif key in ("aucun_besoin", "type_nomme"):
            if not b.get(key):
                return False
        elif key == "dimensions_nulles":
            if not want <= b.get(key, frozenset()):
                return False
        elif key == "dimensions_au_moins":
            have = dict(b.get(key, ()))
            if not all(have.get(code, 0) >= value for code, value in want):
                return False
    return True


def check_levels(rules: list, v: Validator) -> None:
    """Contradictions (same conditions, different answer) and unreachable (shadowed) rules."""
    for i, b in enumerate(rules):
        for a in rules:
            if a is not b and a.si == b.si and (a.niveau, a.types) != (b.niveau, b.types):
                first, second = sorted((a, b), key=lambda r: r.order)
                raise v.error(f"niveaux règle '{second.id}'",
                              f"contradiction avec la règle '{first.id}' : mêmes conditions, "
                              f"réponse différente")
        for a in rules[:i]:
            if _implies(b.si, a.si):
                raise v.error(f"niveaux règle '{b.id}'",
                              f"règle inatteignable : la règle '{a.id}' (priorité {a.priorite}) "
                              f"s'applique toujours avant elle")
