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


def recall_by(rules, scenes: list[dict], key: str, floor: float, *, net: bool = False) -> tuple[dict, list[str]]:
    """The groups (by `key`: "classe", "numero") whose share of scenes raising their `numero` is
    under `floor`, with that share; and the ids of all the scenes missed."""
    caught: dict[str, list[int]] = {}
    missed = []
    for item in scenes:
        ok = item["numero"] in raised(rules, item["text"], net=net)
        group = caught.setdefault(item[key], [0, 0])
        group[0] += ok
        group[1] += 1
        if not ok:
            missed.append(item["id"])
    return {g: round(c / n, 3) for g, (c, n) in caught.items() if c / n < floor}, missed


def rule_alarms(rules, traps: list[dict], *, net: bool, known=()) -> list[tuple[str, list[str]]]:
    """(id, numbers) of the traps on which a rule raises a number (the learned net's own conditional
    line and the ids in `known` left out)."""
    alarms = [(t["id"], sorted(u.numero for u in rules.triage(analyse(t["text"]), net=net).urgences
                               if not u.regle.startswith("net:"))) for t in traps]
    return [a for a in alarms if a[1] and a[0] not in known]
