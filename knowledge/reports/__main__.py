"""Reports from the command line (same figures, same suppression as the console and the API).

    python -m knowledge.reports besoins --from 2026-11-01 --to 2026-11-30 --format csv
    python -m knowledge.reports types --from 2026-11-01 --to 2026-11-30 --format json
    python -m knowledge.reports purge          # delete log rows older than the retention
"""
from __future__ import annotations

import argparse
import json
import sys

from knowledge.reports import ReportUnavailable, Reports, parse_period


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m knowledge.reports",
                                 description="Rapports d'activité et besoins non couverts (Aiguillage).")
    ap.add_argument("rapport", choices=[*Reports.NAMES, "purge"], help="le rapport à produire")
    ap.add_argument("--from", dest="du", help="premier jour, AAAA-MM-JJ (défaut : il y a 29 jours)")
    ap.add_argument("--to", dest="au", help="dernier jour inclus, AAAA-MM-JJ (défaut : aujourd'hui)")
    ap.add_argument("--format", choices=("csv", "json"), default="csv")
    ap.add_argument("--par", choices=("departement", "epci"), default="departement",
                    help="regroupement du rapport « besoins »")
    ap.add_argument("--db", help="URL SQLAlchemy (défaut : $AIGUILLAGE_DB_URL)")
    args = ap.parse_args(argv)
    reports = Reports(args.db)
    if args.rapport == "purge":
        n = reports.journal.purge()
        print(f"{n} ligne(s) du journal supprimée(s) (conservation : {reports.journal.retention} jours).")
        return 0
    try:
        start, end = parse_period(args.du, args.au, today=reports.clock().date())
        table = reports.build(args.rapport, start, end, par=args.par)
    except (ValueError, ReportUnavailable) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(table.as_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(table.csv())
    return 0


if __name__ == "__main__":
    sys.exit(main())
