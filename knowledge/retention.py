"""Retention: purge old conversations and the free text of old closed requests.

- Conversations (Rasa tracker store, table ``events``): every event of a conversation whose
  last event is older than ``tracker_retention_days()`` (default 90) is deleted.
- Requests (``demande``): once closed for ``ticket_retention_days()`` (default 365), the free
  text and the requester's contact are replaced (summary, callback slot, outcome, notes, history
  details, notification bodies); number, status, dates, commune, level and reasons stay for
  statistics.

``python -m knowledge.retention purge [--dry-run]`` runs both now (cron it daily).
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import MetaData, Table, delete, func, inspect, select, update

from knowledge import db, settings
from knowledge.tickets.tables import DemandeRow, EvenementRow, NoteRow, NotificationRow

PURGED = "[purgé]"


@dataclass
class PurgeReport:
    conversations: int = 0
    events: int = 0
    demandes: int = 0
    notes: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        verb = "à purger" if self.dry_run else "purgées"
        return [f"conversations {verb} : {self.conversations} ({self.events} événements)",
                f"demandes clôturées {verb} : {self.demandes} ({self.notes} notes)"]


def purge_trackers(url: str, days: int, now: float | None = None, dry_run: bool = False) -> tuple[int, int]:
    """Delete conversations idle for more than `days`; return (conversations, events)."""
    engine = db.engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return 0, 0
        events = Table("events", MetaData(), autoload_with=engine)
        cutoff = (now if now is not None else time.time()) - days * 86400
        last = select(events.c.sender_id).group_by(events.c.sender_id).having(
            func.max(events.c.timestamp) < cutoff)
        with engine.begin() as c:
            senders = [r[0] for r in c.execute(last)]
            if not senders:
                return 0, 0
            n = 0
            for i in range(0, len(senders), 500):
                chunk = senders[i:i + 500]
                if dry_run:
                    n += c.execute(select(func.count()).select_from(events).where(
                        events.c.sender_id.in_(chunk))).scalar_one()
                else:
                    n += c.execute(delete(events).where(events.c.sender_id.in_(chunk))).rowcount
        return len(senders), n
    finally:
        engine.dispose()


def purge_tickets(url: str, days: int, now: datetime | None = None, dry_run: bool = False) -> tuple[int, int]:
    """Purge free text of requests closed more than `days` ago; return (requests, notes)."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    cutoff = now - timedelta(days=days)
    engine = db.engine(url)
    try:
        if not inspect(engine).has_table("demande"):
            return 0, 0
        with engine.begin() as c:
            ids = [r[0] for r in c.execute(select(DemandeRow.id).where(
                DemandeRow.statut == "cloturee", DemandeRow.cloturee_le < cutoff, DemandeRow.resume != PURGED))]
            if not ids:
                return 0, 0
            notes = c.execute(select(func.count()).select_from(NoteRow).where(
                NoteRow.demande_id.in_(ids), NoteRow.texte != PURGED)).scalar_one()
            if dry_run:
                return len(ids), notes
            c.execute(update(DemandeRow).where(DemandeRow.id.in_(ids)).values(
                resume=PURGED, creneau_rappel=None, issue=PURGED, demandeur_nom=PURGED,
                demandeur_rpps=None, rappel_telephone=None, rappel_messagerie=None,
                conversation_id=None))
            c.execute(update(NoteRow).where(NoteRow.demande_id.in_(ids)).values(texte=PURGED))
            c.execute(update(EvenementRow).where(EvenementRow.demande_id.in_(ids)).values(
                detail=None, qui=PURGED))
            c.execute(update(EvenementRow).where(EvenementRow.demande_id.in_(ids),
                                                 EvenementRow.quoi.notin_(("statut", "creation"))).values(
                avant=None, apres=None))
            c.execute(update(NotificationRow).where(NotificationRow.demande_id.in_(ids)).values(
                corps=PURGED, destinataire=PURGED))
        return len(ids), notes
    finally:
        engine.dispose()


def purge(tracker_url: str | None = None, db_url: str | None = None, *, tracker_days: int | None = None,
          ticket_days: int | None = None, dry_run: bool = False) -> PurgeReport:
    """Run both purges with the configured periods."""
    r = PurgeReport(dry_run=dry_run)
    r.conversations, r.events = purge_trackers(tracker_url or settings.tracker_database_url(),
                                               tracker_days or settings.tracker_retention_days(),
                                               dry_run=dry_run)
    r.demandes, r.notes = purge_tickets(db_url or settings.database_url(),
                                        ticket_days or settings.ticket_retention_days(), dry_run=dry_run)
    return r


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m knowledge.retention",
                                description="Purge des conversations et des demandes anciennes.")
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("purge", help="purger maintenant")
    q.add_argument("--dry-run", action="store_true", help="compter sans rien modifier")
    q.add_argument("--conversations-jours", type=int, default=None)
    q.add_argument("--demandes-jours", type=int, default=None)
    q.add_argument("--tracker-url", default=None, help="base des conversations (sinon la configuration)")
    q.add_argument("--db-url", default=None, help="base des demandes (sinon $AIGUILLAGE_DB_URL)")
    args = p.parse_args(argv)
    for v in (args.conversations_jours, args.demandes_jours):
        if v is not None and v < 1:
            print("Les durées doivent être d'au moins 1 jour.", file=sys.stderr)
            return 2
    try:
        report = purge(args.tracker_url, args.db_url, tracker_days=args.conversations_jours,
                       ticket_days=args.demandes_jours, dry_run=args.dry_run)
    except ValueError as exc:
        print(f"Configuration invalide : {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
