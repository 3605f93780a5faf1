#!/usr/bin/env python3
"""Benchmark the ROR import on a generated regional extraction.

The six-department test export (tests/knowledge/fixtures/ror/export-cvl) is replicated N times
with new identifiers (default 200 copies: 2,200 offers, 2,200 locations), then: parse, first
import (everything created), second import (everything unchanged), import with 10 % of the
offers renamed and 10 % dropped. SQLite file by default, or --url. Prints `name: value` lines.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.directory import Directory  # noqa: E402
from knowledge.directory import ror  # noqa: E402
from knowledge.hours import TZ  # noqa: E402

EXPORT = Path(__file__).resolve().parent.parent / "tests" / "knowledge" / "fixtures" / "ror" / "export-cvl"
AT = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


def generate(out: Path, copies: int, *, rename_every: int = 0, drop_every: int = 0) -> int:
    """Writes the replicated export into ``out``; returns the number of HealthcareService."""
    out.mkdir(parents=True, exist_ok=True)
    rows = {name: [json.loads(line) for line in (EXPORT / f"{name}.ndjson").read_text().splitlines()]
            for name in ("Organization", "Location", "HealthcareService")}
    n = 0
    with open(out / "Organization.ndjson", "w") as fo, open(out / "Location.ndjson", "w") as fl, \
            open(out / "HealthcareService.ndjson", "w") as fh:
        for k in range(copies):
            for r in rows["Organization"]:
                fo.write(json.dumps({**r, "id": f"{r['id']}-{k}"}, ensure_ascii=False) + "\n")
            for r in rows["Location"]:
                fl.write(json.dumps({**r, "id": f"{r['id']}-{k}"}, ensure_ascii=False) + "\n")
            for r in rows["HealthcareService"]:
                n += 1
                if drop_every and n % drop_every == 0:
                    continue
                r = json.loads(json.dumps(r))
                r["id"] = f"{r['id']}-{k}"
                r["identifier"][0]["value"] += f"-{k}"
                r["providedBy"]["reference"] += f"-{k}"
                for ref in r.get("location", []):
                    ref["reference"] += f"-{k}"
                if rename_every and n % rename_every == rename_every // 2 and "name" in r:
                    r["name"] += " (renommé)"
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return n


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--copies", type=int, default=200)
    p.add_argument("--url", help="SQLAlchemy URL (default: a temporary SQLite file)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        offers = generate(tmp / "a", args.copies)
        generate(tmp / "b", args.copies, rename_every=10, drop_every=10)
        directory = Directory(args.url or f"sqlite:///{tmp / 'bench.db'}")
        directory.drop_schema()
        parsed, t_parse = timed(lambda: ror.parse(tmp / "a"))
        first, t_first = timed(lambda: directory.import_ror(tmp / "a", at=AT))
        again, t_again = timed(lambda: directory.import_ror(tmp / "a", at=AT))
        changed, t_changed = timed(lambda: directory.import_ror(tmp / "b", at=AT))
        directory.drop_schema()
        directory.close()
    print(f"ror_offers_in_export: {offers}")
    print(f"ror_offers_imported: {len(first.created)}")
    print(f"ror_parse_s: {t_parse:.2f}")
    print(f"ror_first_import_s: {t_first:.2f}")
    print(f"ror_reimport_unchanged_s: {t_again:.2f}")
    print(f"ror_reimport_unchanged_count: {len(again.unchanged)}")
    print(f"ror_import_10pc_changed_s: {t_changed:.2f}")
    print(f"ror_import_10pc_changed_updated: {len(changed.updated)}")
    print(f"ror_import_10pc_changed_withdrawn: {len(changed.withdrawn)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
