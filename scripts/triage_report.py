"""Measure the triage rules on the case table and print the figures.

    .venv/bin/python scripts/triage_report.py [cases.yaml]

Prints `name: value` lines (cases, vital emergencies missed, emergency recall, false-alarm
rate, level accuracy, first resource type accuracy), the same figures for the control series
(`controle_*`, cases written after the rules were tuned), the confusion table of levels
(expected × predicted) and the mismatches. The same functions are used by tests/knowledge/test_triage.py.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.situation import analyse  # noqa: E402
from knowledge.triage import Rules, Triage  # noqa: E402

CASES = ROOT / "tests" / "knowledge" / "triage_cases.yaml"
LEVELS = (1, 2, 3, None)


@dataclass
class Outcome:
    texte: str
    attendu: dict
    piege: bool
    controle: bool
    triage: Triage

    @property
    def numeros(self) -> list[str]:
        return [u.numero for u in self.triage.urgences]

    @property
    def emergency_expected(self) -> bool:
        return "numero" in self.attendu

    @property
    def vital(self) -> bool:
        return self.attendu.get("numero") == "15"

    @property
    def vital_caught(self) -> bool:
        return bool(self.numeros) and self.numeros[0] == "15"

    @property
    def emergencies_found(self) -> bool:
        want = [self.attendu["numero"], *self.attendu.get("aussi", [])]
        return all(n in self.numeros for n in want)

    @property
    def false_alarm(self) -> bool:
        return not self.emergency_expected and bool(self.numeros)

    @property
    def first_type(self) -> str | None:
        return self.triage.types[0] if self.triage.types else None


def load_cases(path: Path = CASES) -> list[dict]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return data["cas"]


def evaluate(cases: list[dict], rules: Rules | None = None) -> list[Outcome]:
    rules = rules or Rules.default()
    return [Outcome(c["texte"], c["attendu"], bool(c.get("piege")), bool(c.get("controle")),
                    rules.triage(analyse(c["texte"]))) for c in cases]


def summary(outcomes: list[Outcome]) -> dict:
    vital = [o for o in outcomes if o.vital]
    emerg = [o for o in outcomes if o.emergency_expected]
    calm = [o for o in outcomes if not o.emergency_expected]
    leveled = [o for o in outcomes if "niveau" in o.attendu]
    typed = [o for o in outcomes if "type" in o.attendu]
    confusion = {(e, p): 0 for e in LEVELS for p in LEVELS}
    for o in leveled:
        confusion[(o.attendu["niveau"], o.triage.niveau)] += 1
    return {
        "cases": len(outcomes),
        "vital_cases": len(vital),
        "vital_missed": sum(not o.vital_caught for o in vital),
        "emergency_cases": len(emerg),
        "emergency_recall": _ratio(sum(o.emergencies_found for o in emerg), len(emerg)),
        "non_emergency_cases": len(calm),
        "false_alarms": sum(o.false_alarm for o in calm),
        "false_alarm_rate": _ratio(sum(o.false_alarm for o in calm), len(calm)),
        "trap_cases": sum(o.piege for o in outcomes),
        "trap_false_alarms": sum(o.false_alarm for o in outcomes if o.piege),
        "level_cases": len(leveled),
        "level_accuracy": _ratio(sum(o.triage.niveau == o.attendu["niveau"] for o in leveled), len(leveled)),
        "first_type_cases": len(typed),
        "first_type_accuracy": _ratio(sum(o.first_type == o.attendu["type"] for o in typed), len(typed)),
        "confusion": confusion,
    }


def _ratio(n: int, d: int) -> float:
    return round(n / d, 3) if d else 0.0


def confusion_table(confusion: dict) -> str:
    name = {None: "—", 1: "1", 2: "2", 3: "3"}
    lines = ["expected \\ predicted " + " ".join(f"{name[p]:>4}" for p in LEVELS)]
    for e in LEVELS[:3]:
        lines.append(f"{'niveau ' + name[e]:<21}" + " ".join(f"{confusion[(e, p)]:>4}" for p in LEVELS))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    outcomes = evaluate(load_cases(Path(argv[1]) if len(argv) > 1 else CASES))
    figures = summary(outcomes)
    for key, value in figures.items():
        if key != "confusion":
            print(f"{key}: {value}")
    control = [o for o in outcomes if o.controle]
    if control:
        for key, value in summary(control).items():
            if key not in ("confusion", "trap_cases", "trap_false_alarms"):
                print(f"controle_{key}: {value}")
    print()
    print(confusion_table(figures["confusion"]))
    wrong = [o for o in outcomes if ("niveau" in o.attendu and o.triage.niveau != o.attendu["niveau"])
             or ("type" in o.attendu and o.first_type != o.attendu["type"])
             or (o.emergency_expected and not o.emergencies_found) or o.false_alarm]
    if wrong:
        print("\nmismatches:")
        for o in wrong:
            print(f"- {o.texte}\n  expected {o.attendu}; got urgences={o.numeros} "
                  f"niveau={o.triage.niveau} types={o.triage.types[:3]} regles={o.triage.regles}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
