"""Split a held-out set (a YAML list of entries with an `id`) into dev.yml and test.yml.

The split is deterministic (SHA-256 of the id): about 40 % dev, 60 % test. Developers may read
dev.yml and its failures; test.yml is only ever scored in aggregate by the benchmarks. Run once
when a set is frozen:

    python scripts/split_heldout.py /path/to/set.yml tests/heldout/<name>/
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import yaml

DEV_SHARE = 40  # percent


def is_dev(entry_id: str) -> bool:
    return int(hashlib.sha256(entry_id.encode()).hexdigest(), 16) % 100 < DEV_SHARE


def main(src: str, dest: str) -> int:
    entries = yaml.safe_load(Path(src).read_text(encoding="utf-8"))
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "id" in e for e in entries):
        print(f"{src}: une liste d'entrées avec un champ id est attendue", file=sys.stderr)
        return 2
    ids = [e["id"] for e in entries]
    if len(set(ids)) != len(ids):
        print(f"{src}: identifiants en double", file=sys.stderr)
        return 2
    out = Path(dest)
    out.mkdir(parents=True, exist_ok=True)
    for name, part in (("dev", [e for e in entries if is_dev(e["id"])]),
                       ("test", [e for e in entries if not is_dev(e["id"])])):
        text = yaml.safe_dump(part, allow_unicode=True, sort_keys=False, width=100)
        (out / f"{name}.yml").write_text(text, encoding="utf-8")
        print(f"{out / name}.yml: {len(part)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
