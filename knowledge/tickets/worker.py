"""`python -m knowledge.tickets.worker [--once] [--interval 30]`: the outbox worker.

Sends the due notifications of the requests' database every `interval` seconds (``--once``: one
pass, for cron). The console runs the same `send_with_settings` in a background thread.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time

from knowledge import privacy
from knowledge.tickets.mailer import send_with_settings, settings_from_env
from knowledge.tickets.store import TicketStore

log = logging.getLogger("aiguillage.notify")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Envoi des notifications de suivi des demandes.")
    parser.add_argument("--once", action="store_true", help="un seul passage puis arrêt")
    parser.add_argument("--interval", type=float, default=30.0, help="secondes entre deux passages")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    privacy.install_logging_filter("aiguillage")
    settings = settings_from_env()
    if settings is None:
        print("AIGUILLAGE_SMTP_HOST n'est pas défini : aucun envoi possible.", file=sys.stderr)
        return 2
    store = TicketStore()
    while True:
        report = send_with_settings(store, settings)
        if report.envoyees or report.echecs:
            log.info("notifications: %d sent, %d failed", report.envoyees, report.echecs)
        if args.once:
            return 0 if report.echecs == 0 else 1
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
