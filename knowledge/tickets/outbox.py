"""The transactional outbox: the e-mails to send, written in the change's own transaction.

`Outbox._enqueue` adds a `notification_sortante` row with the change (creation, status), so a
crash after the commit loses nothing; workers claim due rows with a lease (two never send the
same row) and mark them sent or failed (`mailer.send_pending`).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from knowledge import privacy
from knowledge.tickets.database import TicketDatabase
from knowledge.tickets.mailer import retry_delay
from knowledge.tickets.messages import compose
from knowledge.tickets.model import Outgoing
from knowledge.tickets.tables import DemandeRow, EvenementRow, NotificationRow, from_db, to_db


class Outbox(TicketDatabase):
    """The notification rows of the requests: enqueue, claim, mark sent or failed, list."""

    def _enqueue(self, s: Session, row: DemandeRow, ev: EvenementRow, statut: str, issue: str | None) -> None:
        if not row.rappel_messagerie:
            return
        sujet, corps = compose(row.numero, statut, issue=issue, dac_nom=row.dac_nom,
                               dac_telephone=row.dac_telephone, echeance=from_db(row.echeance))
        now = to_db(self._now())
        s.add(NotificationRow(demande_id=row.id, evenement_id=ev.id,
                              destinataire=row.rappel_messagerie, sujet=sujet, corps=corps,
                              cree_le=now, prochain_essai=now, tentatives=0))

    def claim_pending(self, limit: int = 50, lease: timedelta = timedelta(minutes=5)) -> list[Outgoing]:
        """Claim due, unsent notifications for `lease` (so two workers never send the same one)."""
        now = to_db(self._now())
        out: list[Outgoing] = []
        with self._session() as s:
            ids = s.execute(select(NotificationRow.id).where(
                NotificationRow.envoyee_le.is_(None), NotificationRow.prochain_essai <= now,
                or_(NotificationRow.verrou_jusqu_a.is_(None), NotificationRow.verrou_jusqu_a < now))
                .order_by(NotificationRow.id).limit(limit)).scalars().all()
        for nid in ids:
            with self._session() as s, s.begin():
                res = s.execute(update(NotificationRow).where(
                    NotificationRow.id == nid, NotificationRow.envoyee_le.is_(None),
                    or_(NotificationRow.verrou_jusqu_a.is_(None), NotificationRow.verrou_jusqu_a < now))
                    .values(verrou_jusqu_a=now + lease))
                if res.rowcount != 1:
                    continue
                n = s.get(NotificationRow, nid)
                numero = s.execute(select(DemandeRow.numero).where(DemandeRow.id == n.demande_id)).scalar_one()
                out.append(Outgoing(n.id, numero, n.destinataire, n.sujet, n.corps, n.tentatives))
        return out

    def mark_sent(self, notification_id: int) -> None:
        with self._session() as s, s.begin():
            s.execute(update(NotificationRow).where(NotificationRow.id == notification_id)
                      .values(envoyee_le=to_db(self._now()), verrou_jusqu_a=None,
                              tentatives=NotificationRow.tentatives + 1, derniere_erreur=None))

    def mark_failed(self, notification_id: int, error: str, transient: bool = False) -> None:
        """Record the failure; retry later with the mailer's back-off (`mailer.retry_delay`)."""
        with self._session() as s, s.begin():
            n = s.get(NotificationRow, notification_id)
            n.tentatives += 1
            n.prochain_essai = to_db(self._now()) + retry_delay(n.tentatives, transient)
            n.derniere_erreur = privacy.mask((error or "")[:1000])  # SMTP errors quote addresses
            n.verrou_jusqu_a = None

    def outbox(self, numero: str | None = None) -> list[dict]:
        """Outbox rows (for the console and tests)."""
        with self._session() as s:
            q = select(NotificationRow, DemandeRow.numero).join(DemandeRow, DemandeRow.id == NotificationRow.demande_id)
            if numero:
                q = q.where(DemandeRow.numero == numero)
            rows = s.execute(q.order_by(NotificationRow.id)).all()
            return [{"id": n.id, "numero": num, "destinataire": n.destinataire, "sujet": n.sujet,
                     "corps": n.corps, "envoyee_le": from_db(n.envoyee_le), "tentatives": n.tentatives,
                     "derniere_erreur": n.derniere_erreur} for n, num in rows]
