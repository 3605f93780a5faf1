"""One request (/demandes/<numéro>): history, notes, outbox, and its changes (status, assignment,
note). Status and assignment changes need the coordinator role."""
from __future__ import annotations

from bot.console.web import HttpError, Request, Response, redirect
from knowledge.tickets import STATUTS, TRANSITIONS, TicketError

NUMERO = r"(?P<numero>AIG-\d{4}-\d{6})"


class DetailPages:
    def __init__(self, app):
        self.app = app

    def routes(self) -> list[tuple]:
        return [("GET", rf"/demandes/{NUMERO}", self.detail),
                ("POST", rf"/demandes/{NUMERO}/statut", self.change_status),
                ("POST", rf"/demandes/{NUMERO}/attribution", self.change_assignment),
                ("POST", rf"/demandes/{NUMERO}/note", self.add_note)]

    def detail(self, req: Request, numero: str, error: str | None = None, status: int = 200) -> Response:
        store = self.app.store
        t = store.get(numero)
        if t is None:
            raise HttpError(404, f"Demande introuvable : {numero}.")
        return self.app.page("demande.html", req, status=status, t=t, history=store.history(numero),
                             notes=store.notes(numero), outbox=store.outbox(numero),
                             transitions=sorted(TRANSITIONS[t.statut], key=list(STATUTS).index),
                             users=[u for u in store.users() if u.actif], error=error)

    def change_status(self, req: Request, numero: str) -> Response:
        self.app.require(req, "coordinateur")
        issue = req.form.get("issue_autre", "").strip() or req.form.get("issue", "").strip()
        try:
            self.app.store.transition(numero, req.form.get("statut", ""), by=req.user.login,
                                      outcome=issue or None, note=req.form.get("note") or None)
        except TicketError as exc:
            return self.detail(req, numero, error=str(exc), status=400)
        self.app.notify_soon()
        return redirect(f"/demandes/{numero}?ok=statut")

    def change_assignment(self, req: Request, numero: str) -> Response:
        self.app.require(req, "coordinateur")
        try:
            self.app.store.assign(numero, req.form.get("assigne_a") or None, by=req.user.login)
        except TicketError as exc:
            return self.detail(req, numero, error=str(exc), status=400)
        return redirect(f"/demandes/{numero}?ok=assigne")

    def add_note(self, req: Request, numero: str) -> Response:
        try:
            self.app.store.add_note(numero, req.user.login, req.form.get("texte", ""))
        except TicketError as exc:
            return self.detail(req, numero, error=str(exc), status=400)
        return redirect(f"/demandes/{numero}?ok=note")
