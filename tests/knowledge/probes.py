"""What the probe tests ask of the triage: the numbers raised for a text, the traps that raise one,
the emergencies that miss theirs (tests/knowledge/*_probes*.yaml)."""
from __future__ import annotations

from knowledge.situation import analyse


def raised(rules, text: str, *, net: bool = True) -> set[str]:
    """The numbers the triage raises for `text` (rules, and the learned net unless `net=False`)."""
    return {u.numero for u in rules.triage(analyse(text), net=net).urgences}


def false_alarms(rules, traps: list[dict]) -> list[tuple[str, str]]:
    """(category, text) of the traps that raise a number."""
    return [(t["category"], t["text"]) for t in traps if raised(rules, t["text"])]


def missed(rules, emergencies: list[dict]) -> list[str]:
    """Texts of the emergencies none of whose `numeros` is raised."""
    return [u["text"] for u in emergencies if not {str(n) for n in u["numeros"]} & raised(rules, u["text"])]
