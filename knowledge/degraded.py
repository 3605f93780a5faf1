"""What to say when the assistant cannot answer normally (a process down, slow, or failing).

Plain Python, no database and no Rasa: the regional line is read from the shipped directory file
and emergencies from the triage rules, so the answer is available whatever else is broken.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

REGIONAL_FILE = Path(__file__).parent / "data" / "directory" / "24-region.yaml"
REGIONAL_ID = "appui-cvl-numero-unique"
DEFAULT_LINE = ("Numéro régional des fonctions d'appui Centre-Val de Loire", "02 61 91 24 00")

NUMBERS = "Urgence vitale : 15 (ou 112). Avis médical aux heures de fermeture des cabinets : 116 117."
RETRY = "Réessayez dans un instant ; une demande d'appui que vous confirmiez ne sera pas enregistrée deux fois."
REASONS = {
    "indisponible": "Je ne peux pas traiter votre message pour le moment (incident technique).",
    "lent": "Je n'ai pas pu vous répondre assez vite (service ralenti).",
    "erreur": "Un incident technique m'a empêché de traiter votre message.",
    "vide": "Je n'ai pas de réponse à ce message.",
}


@functools.lru_cache(maxsize=1)
def regional_line() -> tuple[str, str]:
    """(name, phone) of the regional support line; a built-in copy if the file cannot be read."""
    try:
        data = yaml.safe_load(REGIONAL_FILE.read_text(encoding="utf-8"))
        entries = data.get("services", data) if isinstance(data, dict) else data
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("id") == REGIONAL_ID and entry.get("telephone"):
                return entry["nom"], entry["telephone"]
    except Exception:  # noqa: BLE001 - never fail here
        logger.warning("regional line not readable from %s", REGIONAL_FILE.name)
    return DEFAULT_LINE


def emergencies(text: str) -> list[str]:
    """French lines for the emergencies of `text` ("⚠️ Urgence vitale : appelez le 15."), best effort."""
    if not text:
        return []
    try:
        from knowledge.situation import analyse
        from knowledge.triage import Rules

        triage = Rules.default().triage(analyse(text[:4000]))
        return [f"⚠️ {u.libelle} : appelez le {u.numero}." for u in triage.urgences]
    except Exception:  # noqa: BLE001 - the generic numbers are said anyway
        logger.warning("emergency check unavailable for the degraded answer")
        return []


def degraded_answer(text: str = "", reason: str = "indisponible") -> str:
    """A short French answer: emergency first if any, the regional line, 15 and 116 117."""
    nom, tel = regional_line()
    lines = emergencies(text)
    lines.append(REASONS.get(reason, REASONS["indisponible"]))
    if reason == "vide":
        lines.append("Décrivez la situation (âge, commune, difficultés) ou écrivez « aide ».")
    else:
        lines.append(RETRY)
    lines.append(f"Pour une orientation sans attendre : {nom}, {tel} (8 h–20 h en semaine, samedi matin).")
    lines.append(NUMBERS)
    return "\n".join(lines)
