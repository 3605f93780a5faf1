"""Support requests ("demandes") to the coordination team (DAC): creation (idempotent),
lifecycle, audit, reading and the queue. See docs/tickets.md.

Every change (creation, status, assignment, note) is written in ONE transaction together with
its audit event (`demande_evenement`) and, when the requester gave an address, the e-mail to send
(`Outbox`, sent by `knowledge.tickets.mailer.send_pending`). Operator accounts are in
`OperatorAccounts`; both are parts of `TicketStore`.
"""
from __future__ import annotations

import hmac
import json
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge import privacy
from knowledge.contact import is_email
from knowledge.gazetteer import is_code_insee
from knowledge.hours import TZ
from knowledge.rpps import normalize_rpps
from knowledge.tickets.deadlines import echeance_for
from knowledge.tickets.errors import InvalidTransition, TicketError, TicketNotFound
from knowledge.tickets.labels import CANAUX, CONSENTEMENTS, STATUTS, TRANSITIONS, URGENCES
from knowledge.tickets.model import Event, NewRequest, Note, Ticket
from knowledge.tickets.numbers import next_numero, normalize_numero
from knowledge.tickets.operators import OperatorAccounts
from knowledge.tickets.outbox import Outbox
from knowledge.tickets.tables import (DemandeRow, EvenementRow, NoteRow, OperateurRow, from_db,
                                      to_db)


class TicketStore(OperatorAccounts, Outbox):
    """Requests, their history, notes, operators and the notification outbox.

    `TicketStore(url=None, *, clock=None, create_schema=True)`: url default
    `knowledge.settings.database_url()`, clock default `knowledge.hours.now_paris`.
    """

    # -- creation ------------------------------------------------------------------------------

    def create(self, request: NewRequest, idempotency_key: str) -> Ticket:
        """Store a new request and return it, committed. Same key: the existing request."""
        if not idempotency_key or len(idempotency_key) > 200:
            raise TicketError("Clé d'idempotence manquante ou trop longue.")
        existing = self._by_key(idempotency_key)
        if existing is not None:
            return existing
        row = self._validated_row(request, idempotency_key)
        try:
            with self._session() as s, s.begin():
                now = self._now()
                row.numero = next_numero(s, now.astimezone(TZ).year)
                row.cree_le = row.maj_le = to_db(now)
                row.echeance = to_db(echeance_for(now, row.niveau, row.urgence))
                s.add(row)
                s.flush()
                ev = self._event(s, row, request.cree_par or _requester_label(row), "creation",
                                 None, "recue", f"Demande reçue par le canal {row.canal}")
                self._enqueue(s, row, ev, "recue", None)
        except IntegrityError:
            existing = self._by_key(idempotency_key)
            if existing is None:
                raise
            return existing
        return self._ticket(row, now)

    def _validated_row(self, r: NewRequest, key: str) -> DemandeRow:
        if not (r.resume or "").strip():
            raise TicketError("Le résumé de la situation est obligatoire.")
        if not (r.demandeur_nom or "").strip():
            raise TicketError("Le nom du demandeur est obligatoire.")
        if r.niveau not in (None, 1, 2, 3):
            raise TicketError("Le niveau doit être 1, 2 ou 3.")
        if r.urgence not in URGENCES:
            raise TicketError(f"Urgence inconnue : {r.urgence}.")
        if r.consentement not in CONSENTEMENTS:
            raise TicketError(f"Consentement inconnu : {r.consentement}.")
        if r.canal not in CANAUX:
            raise TicketError(f"Canal inconnu : {r.canal}.")
        rpps = None
        if r.demandeur_rpps:
            rpps = normalize_rpps(r.demandeur_rpps)
            if rpps is None:
                raise TicketError("Le numéro RPPS doit comporter 11 chiffres valides.")
        if not (r.rappel_telephone or r.rappel_messagerie):
            raise TicketError("Un téléphone ou une adresse de messagerie pour le rappel est nécessaire.")
        if r.rappel_messagerie and not is_email(r.rappel_messagerie):
            raise TicketError("L'adresse de messagerie n'est pas valide.")
        if r.commune_insee and not is_code_insee(r.commune_insee):
            raise TicketError("Code INSEE de commune invalide.")
        return DemandeRow(
            cle_idempotence=key, statut="recue", niveau=r.niveau,
            motifs=json.dumps([privacy.mask(m) for m in r.motifs], ensure_ascii=False),
            urgence=r.urgence, consentement=r.consentement,
            resume=privacy.mask(r.resume.strip()), commune_insee=r.commune_insee,
            dac_id=r.dac_id, dac_nom=r.dac_nom, dac_telephone=r.dac_telephone,
            public=r.public, demandeur_nom=r.demandeur_nom.strip(),
            demandeur_profession=r.demandeur_profession, demandeur_rpps=rpps,
            rappel_telephone=(r.rappel_telephone or None),
            rappel_messagerie=(r.rappel_messagerie or "").strip() or None,
            creneau_rappel=privacy.mask(r.creneau_rappel) if r.creneau_rappel else None,
            canal=r.canal, conversation_id=r.conversation_id, cree_par=r.cree_par)

    def _by_key(self, key: str) -> Ticket | None:
        with self._session() as s:
            row = s.execute(select(DemandeRow).where(DemandeRow.cle_idempotence == key)).scalar_one_or_none()
            return self._ticket(row, self._now()) if row else None

    # -- reading -------------------------------------------------------------------------------

    def get(self, numero: str) -> Ticket | None:
        """A request by its number, for operators (no requester check)."""
        numero = normalize_numero(numero)
        with self._session() as s:
            row = s.execute(select(DemandeRow).where(DemandeRow.numero == numero)).scalar_one_or_none()
            return self._ticket(row, self._now()) if row else None

    def status(self, numero: str, conversation_id: str | None) -> Ticket | None:
        """The request only when `conversation_id` is the requester's; None otherwise (no leak)."""
        if not conversation_id:
            return None
        t = self.get(numero)
        if t is None or not t.conversation_id:
            return None
        if not hmac.compare_digest(t.conversation_id.encode(), conversation_id.encode()):
            return None
        return t

    def by_requester(self, conversation_id: str) -> list[Ticket]:
        """The requests opened from this conversation, newest first."""
        if not conversation_id:
            return []
        now = self._now()
        with self._session() as s:
            rows = s.execute(select(DemandeRow).where(DemandeRow.conversation_id == conversation_id)
                             .order_by(DemandeRow.id.desc())).scalars().all()
            return [self._ticket(r, now) for r in rows]

    def queue(self, dac_id: str | None = None, statut: str | None = None, niveau: int | None = None,
              older_than: timedelta | None = None, limit: int | None = 500, *, offset: int = 0,
              numero: str | None = None, demandeur: str | None = None,
              communes: list[str] | None = None, texte: str | None = None) -> list[Ticket]:
        """Requests to handle, overdue first, then by target time. statut None: all open ones.

        Search: `numero` (whole or part of the request number), `demandeur` (part of the name),
        `communes` (INSEE codes), `texte` (words found in the summary, reasons, public, requester
        or number, all of them). `limit` None: no limit (exports)."""
        now = self._now()
        now_db = to_db(now)
        q = self._filtered(select(DemandeRow), now, dac_id, statut, niveau, older_than, numero,
                           demandeur, communes, texte)
        overdue = case((and_(DemandeRow.statut != "cloturee", DemandeRow.echeance < now_db), 0), else_=1)
        q = q.order_by(overdue, DemandeRow.echeance, DemandeRow.id).offset(max(offset, 0))
        if limit is not None:
            q = q.limit(limit)
        with self._session() as s:
            return [self._ticket(r, now) for r in s.execute(q).scalars().all()]

    def count(self, dac_id: str | None = None, statut: str | None = None, niveau: int | None = None,
              older_than: timedelta | None = None, *, numero: str | None = None,
              demandeur: str | None = None, communes: list[str] | None = None,
              texte: str | None = None) -> int:
        """How many requests `queue` would list without a limit."""
        q = self._filtered(select(func.count(DemandeRow.id)), self._now(), dac_id, statut, niveau,
                           older_than, numero, demandeur, communes, texte)
        with self._session() as s:
            return int(s.execute(q).scalar_one())

    @staticmethod
    def _filtered(q, now, dac_id, statut, niveau, older_than, numero, demandeur, communes, texte):
        if statut is None:
            q = q.where(DemandeRow.statut != "cloturee")
        elif statut != "toutes":
            if statut not in STATUTS:
                raise TicketError(f"Statut inconnu : {statut}.")
            q = q.where(DemandeRow.statut == statut)
        if dac_id:
            q = q.where(DemandeRow.dac_id == dac_id)
        if niveau is not None:
            q = q.where(DemandeRow.niveau == niveau)
        if older_than is not None:
            q = q.where(DemandeRow.cree_le <= to_db(now - older_than))
        if numero:
            q = q.where(DemandeRow.numero.ilike(f"%{_like(normalize_numero(numero))}%", escape="\\"))
        if demandeur:
            q = q.where(DemandeRow.demandeur_nom.ilike(f"%{_like(demandeur.strip())}%", escape="\\"))
        if communes is not None:
            q = q.where(DemandeRow.commune_insee.in_(list(communes)))
        for word in (texte or "").split():
            pat = f"%{_like(word)}%"
            q = q.where(or_(*(col.ilike(pat, escape="\\") for col in (
                DemandeRow.resume, DemandeRow.motifs, DemandeRow.public, DemandeRow.demandeur_nom,
                DemandeRow.numero, DemandeRow.dac_nom))))
        return q

    def dacs(self) -> list[tuple[str, str]]:
        """(dac_id, name) pairs present in requests, for the console filter."""
        with self._session() as s:
            rows = s.execute(select(DemandeRow.dac_id, func.max(DemandeRow.dac_nom))
                             .where(DemandeRow.dac_id.isnot(None))
                             .group_by(DemandeRow.dac_id).order_by(DemandeRow.dac_id)).all()
            return [(r[0], r[1] or r[0]) for r in rows]

    def history(self, numero: str) -> list[Event]:
        with self._session() as s:
            row = self._row(s, numero)
            evs = s.execute(select(EvenementRow).where(EvenementRow.demande_id == row.id)
                            .order_by(EvenementRow.id)).scalars().all()
            return [Event(from_db(e.quand), e.qui, e.quoi, e.avant, e.apres, e.detail) for e in evs]

    def notes(self, numero: str) -> list[Note]:
        with self._session() as s:
            row = self._row(s, numero)
            ns = s.execute(select(NoteRow).where(NoteRow.demande_id == row.id)
                           .order_by(NoteRow.id)).scalars().all()
            return [Note(from_db(n.quand), n.auteur, n.texte) for n in ns]

    # -- changes -------------------------------------------------------------------------------

    def transition(self, numero: str, new_status: str, by: str, outcome: str | None = None,
                   note: str | None = None) -> Ticket:
        """Change the status (audited, requester notified). Closure needs an outcome."""
        if new_status not in STATUTS:
            raise InvalidTransition(f"Statut inconnu : {new_status}.")
        outcome = (outcome or "").strip() or None
        if new_status == "cloturee" and not outcome:
            raise InvalidTransition("La clôture d'une demande nécessite une issue.")
        with self._session() as s, s.begin():
            row = self._row(s, numero, lock=True)
            old = row.statut
            if new_status == old:
                raise InvalidTransition(f"La demande est déjà « {STATUTS[old]} ».")
            if new_status not in TRANSITIONS[old]:
                raise InvalidTransition(
                    f"Passage de « {STATUTS[old]} » à « {STATUTS[new_status]} » impossible.")
            now = self._now()
            row.statut = new_status
            row.maj_le = to_db(now)
            if new_status == "cloturee":
                row.issue = privacy.mask(outcome)
                row.cloturee_le = to_db(now)
            else:
                row.issue = None
                row.cloturee_le = None
            ev = self._event(s, row, by, "statut", old, new_status,
                             privacy.mask(outcome) if new_status == "cloturee" else None)
            if note and note.strip():
                self._note(s, row, by, note)
            self._enqueue(s, row, ev, new_status, row.issue)
        return self.get(numero)

    def assign(self, numero: str, login: str | None, by: str) -> Ticket:
        """Assign the request to an operator login (None: unassign). Audited."""
        login = (login or "").strip() or None
        with self._session() as s, s.begin():
            if login is not None:
                op = s.execute(select(OperateurRow).where(OperateurRow.login == login)).scalar_one_or_none()
                if op is None or not op.actif:
                    raise TicketError(f"Utilisateur inconnu ou inactif : {login}.")
            row = self._row(s, numero, lock=True)
            if row.assigne_a == login:
                return self._ticket(row, self._now())
            before = row.assigne_a
            row.assigne_a = login
            row.maj_le = to_db(self._now())
            self._event(s, row, by, "assignation", before, login, None)
        return self.get(numero)

    def add_note(self, numero: str, by: str, text: str) -> Note:
        """Add an internal note (masked; not sent to the requester). Audited."""
        if not (text or "").strip():
            raise TicketError("La note est vide.")
        with self._session() as s, s.begin():
            row = self._row(s, numero, lock=True)
            n = self._note(s, row, by, text)
            row.maj_le = to_db(self._now())
            return Note(from_db(n.quand), n.auteur, n.texte)

    def _note(self, s: Session, row: DemandeRow, by: str, text: str) -> NoteRow:
        now = to_db(self._now())
        n = NoteRow(demande_id=row.id, quand=now, auteur=by, texte=privacy.mask(text.strip()))
        s.add(n)
        self._event(s, row, by, "note", None, None, n.texte[:200])
        return n

    def _row(self, s: Session, numero: str, lock: bool = False) -> DemandeRow:
        q = select(DemandeRow).where(DemandeRow.numero == normalize_numero(numero))
        if lock and s.bind.dialect.name == "postgresql":
            q = q.with_for_update()
        row = s.execute(q).scalar_one_or_none()
        if row is None:
            raise TicketNotFound(f"Demande introuvable : {numero}.")
        return row

    def _event(self, s: Session, row: DemandeRow, qui: str, quoi: str, avant, apres, detail) -> EvenementRow:
        ev = EvenementRow(demande_id=row.id, quand=to_db(self._now()), qui=qui or "?", quoi=quoi,
                          avant=avant, apres=apres, detail=detail)
        s.add(ev)
        s.flush()
        return ev

    # -- conversion ----------------------------------------------------------------------------

    def _ticket(self, r: DemandeRow, now: datetime) -> Ticket:
        echeance = from_db(r.echeance)
        return Ticket(
            id=r.id, numero=r.numero, statut=r.statut, niveau=r.niveau,
            motifs=tuple(json.loads(r.motifs or "[]")), urgence=r.urgence,
            consentement=r.consentement, resume=r.resume, commune_insee=r.commune_insee,
            dac_id=r.dac_id, dac_nom=r.dac_nom, dac_telephone=r.dac_telephone, public=r.public,
            demandeur_nom=r.demandeur_nom, demandeur_profession=r.demandeur_profession,
            demandeur_rpps=r.demandeur_rpps, rappel_telephone=r.rappel_telephone,
            rappel_messagerie=r.rappel_messagerie, creneau_rappel=r.creneau_rappel, canal=r.canal,
            conversation_id=r.conversation_id, cree_par=r.cree_par, assigne_a=r.assigne_a,
            issue=r.issue, cree_le=from_db(r.cree_le), maj_le=from_db(r.maj_le),
            echeance=echeance, cloturee_le=from_db(r.cloturee_le),
            en_retard=r.statut != "cloturee" and echeance < now)


def _like(text: str) -> str:
    """`text` for a LIKE pattern, wildcards escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _requester_label(row: DemandeRow) -> str:
    return f"demandeur ({row.canal})"
