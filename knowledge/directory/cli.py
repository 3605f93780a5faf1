"""Command line: ``python -m knowledge.directory check|load|import-ror``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from sqlalchemy.engine import make_url

from knowledge import settings
from knowledge.directory.errors import DirectoryDataError
from knowledge.directory.store import Directory
from knowledge.directory.yaml_loader import check



def _safe_url(url: str) -> str:
    return repr(make_url(url))  # password masked


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.directory",
        description="Annuaire des ressources : validation et chargement des fichiers YAML, "
                    "import du ROR national (FHIR).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    load_p = sub.add_parser(
        "load", help="valide puis charge l'annuaire dans la base (tout ou rien)")
    load_p.add_argument("--url", help="URL SQLAlchemy de la base (défaut : $AIGUILLAGE_DB_URL)")
    load_p.add_argument("--folder", type=Path, help="dossier des fichiers YAML")
    check_p = sub.add_parser("check", help="valide les fichiers sans rien écrire")
    check_p.add_argument("--folder", type=Path, help="dossier des fichiers YAML")
    ror_p = sub.add_parser(
        "import-ror", help="importe une extraction du ROR (Bundle FHIR JSON ou $export NDJSON)")
    ror_p.add_argument("path", type=Path, help="fichier .json/.ndjson ou dossier $export")
    ror_p.add_argument("--url", help="URL SQLAlchemy de la base (défaut : $AIGUILLAGE_DB_URL)")
    ror_p.add_argument("--dry-run", action="store_true",
                       help="affiche le rapport sans rien écrire")
    args = parser.parse_args(argv)
    if args.command == "import-ror":
        return _import_ror(args)
    folder = args.folder or settings.directory_data_dir()
    try:
        if args.command == "check":
            report = check(folder)
            print(f"Annuaire valide : {report.summary()}")
        else:
            directory = Directory(args.url)
            report = directory.load(folder)
            print(f"Annuaire chargé dans {_safe_url(directory.url)} : {report.summary()}")
    except DirectoryDataError as exc:
        outcome = "Annuaire non chargé" if args.command == "load" else "Annuaire invalide"
        print(f"{outcome}, données invalides dans {folder} :\n{exc}", file=sys.stderr)
        return 1
    return 0



def _import_ror(args) -> int:
    directory = Directory(args.url)
    try:
        report = directory.import_ror(args.path, dry_run=args.dry_run)
    except DirectoryDataError as exc:
        print(f"Import ROR refusé, rien n'a été écrit ({args.path}) :\n{exc}", file=sys.stderr)
        return 1
    finally:
        directory.close()
    where = "" if args.dry_run else f" dans {_safe_url(directory.url)}"
    print(report.summary() + where)
    return 0
