"""The national-code mapping table (``knowledge/data/ror-mapping.yaml``) and the import report."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge import settings
from knowledge.directory.errors import DirectoryDataError, Problem
from knowledge.vocabulary import Vocabulary

NOT_IMPORTED = {"PractitionerRole": "personnes (PractitionerRole) : jamais importées",
                "Practitioner": "personnes (Practitioner) : jamais importées"}


def mapping_path() -> Path:
    return settings.project_root() / "knowledge" / "data" / "ror-mapping.yaml"


@dataclass(frozen=True)
class Mapping:
    """``knowledge/data/ror-mapping.yaml``: national codes -> Aiguillage codes."""

    types: dict[str, dict[str, str]]  # code system ("TRE_R66") -> code -> resource type
    publics: dict[str, dict[str, str]]
    fonctionnement: str
    ouverture: frozenset[str]
    defaults: dict[str, Any]
    par_type: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, path: Path | None = None, vocabulary: Vocabulary | None = None) -> "Mapping":
        path = Path(path or mapping_path())
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        vocab = vocabulary or Vocabulary.default()
        m = cls(
            types={k: {str(c): t for c, t in (v or {}).items()} for k, v in doc["types"].items()},
            publics={k: {str(c): p for c, p in (v or {}).items()}
                     for k, v in doc["publics"].items()},
            fonctionnement=str(doc["horaires"]["fonctionnement"]),
            ouverture=frozenset(str(c) for c in doc["horaires"]["ouverture"]),
            defaults=doc["defaults"], par_type=doc.get("par_type") or {},
        )
        bad = [f"type {t}" for v in m.types.values() for t in v.values()
               if t not in vocab.resource_types]
        bad += [f"public {p}" for v in m.publics.values() for p in v.values()
                if p not in vocab.publics]
        for t, extra in [(None, m.defaults), *m.par_type.items()]:
            if t is not None and t not in vocab.resource_types:
                bad.append(f"type {t}")
            bad += [f"mission {x}" for x in extra.get("missions", ()) if x not in vocab.missions]
            bad += [f"public {x}" for x in extra.get("publics", ()) if x not in vocab.publics]
        if bad:
            raise DirectoryDataError([Problem(path.name, f"code inconnu du vocabulaire : {b}")
                                      for b in bad])
        return m

    def for_type(self, type_: str, key: str) -> Any:
        return (self.par_type.get(type_) or {}).get(key, self.defaults[key])


@dataclass
class RorReport:
    """What an import did (or would do, with ``dry_run``)."""

    source: str
    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (resource, reason)
    ignored: Counter = field(default_factory=Counter)  # resource type -> count
    unmapped: Counter = field(default_factory=Counter)  # "TRE_R66#999" -> offers

    def summary(self) -> str:
        """French report printed by the command line."""
        head = "Import ROR (simulation, rien n'est écrit)" if self.dry_run else "Import ROR"
        lines = [
            f"{head} depuis {self.source} :",
            f"créées {len(self.created)}, mises à jour {len(self.updated)}, "
            f"inchangées {len(self.unchanged)}, retirées {len(self.withdrawn)}, "
            f"ignorées {len(self.skipped)}",
        ]
        for label, ids in (("créées", self.created), ("mises à jour", self.updated),
                           ("retirées", self.withdrawn)):
            if ids:
                lines.append(f"{label} : {', '.join(ids)}")
        for ref, reason in self.skipped:
            lines.append(f"- ignorée {ref} : {reason}")
        for rtype, n in sorted(self.ignored.items()):
            lines.append(f"- {n} {NOT_IMPORTED.get(rtype, f'ressource(s) {rtype} non lue(s)')}")
        if self.unmapped:
            codes = ", ".join(f"{c} ({n})" for c, n in sorted(self.unmapped.items()))
            lines.append(f"codes nationaux sans correspondance (à ajouter dans "
                         f"knowledge/data/ror-mapping.yaml) : {codes}")
        return "\n".join(lines)
