"""Social emergency probes: recall per number on hand-written scenes, alarms on close traps.

    .venv/bin/python scripts/probe_social.py [--failures] [--net] [FILE]

FILE defaults to tests/knowledge/social_probes4.yaml (`scenes`: text + expected `numero`;
`traps`: text that must raise nothing). The rules alone are scored unless `--net` is given.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from knowledge.situation import analyse  # noqa: E402
from knowledge.triage import Rules  # noqa: E402

DEFAULT = ROOT / "tests" / "knowledge" / "social_probes4.yaml"


def score(path: Path, *, net: bool = False, rules: Rules | None = None) -> tuple[dict, list[str]]:
    """Figures (name -> value) and the failure lines for one probe file."""
    rules = rules or Rules.default()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    caught = defaultdict(lambda: [0, 0])
    failures: list[str] = []
    for item in data["scenes"]:
        urg = rules.triage(analyse(item["text"]), net=net).urgences
        nums = [u.numero for u in urg]
        ok = str(item["numero"]) in nums
        for key in ("all", str(item["numero"]), f"voice:{item['voice']}"):
            caught[key][0] += ok
            caught[key][1] += 1
        if not ok:
            failures.append(f"MISS {item['id']} {item['numero']} -> {[f'{u.numero}({u.regle})' for u in urg]} : {item['text']}")
    alarms = 0
    for item in data["traps"]:
        urg = rules.triage(analyse(item["text"]), net=net).urgences
        if urg:
            alarms += 1
            failures.append(f"ALARM {item['id']} {item['category']} -> {[f'{u.numero}({u.regle})' for u in urg]} : {item['text']}")
    fig = {f"recall[{k}]": round(c / n, 3) for k, (c, n) in sorted(caught.items())}
    fig["false_alarms"] = alarms
    fig["traps"] = len(data["traps"])
    return fig, failures


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv if not a.startswith("--")] or [DEFAULT]
    for path in files:
        fig, failures = score(path, net="--net" in argv)
        for k, v in fig.items():
            print(f"{path.stem}.{k}: {v}")
        if "--failures" in argv:
            print("\n".join(failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
