"""Operator accounts (/utilisateurs), admin role only: create, change role, deactivate."""
from __future__ import annotations

import logging

from bot.console.web import Request, Response, redirect
from knowledge.tickets import TicketError

log = logging.getLogger("aiguillage.console")


class UsersPages:
    def __init__(self, app):
        self.app = app

    def routes(self) -> list[tuple]:
        return [("GET", r"/utilisateurs", self.users),
                ("POST", r"/utilisateurs", self.create_user),
                ("POST", r"/utilisateurs/(?P<login>[a-z0-9._\-]+)", self.update_user)]

    def users(self, req: Request, error: str | None = None, status: int = 200) -> Response:
        self.app.require(req, "admin")
        return self.app.page("utilisateurs.html", req, status=status, users=self.app.store.users(), error=error)

    def create_user(self, req: Request) -> Response:
        self.app.require(req, "admin")
        f = req.form
        try:
            self.app.store.create_user(f.get("login", ""), f.get("mot_de_passe", ""), f.get("role", ""),
                                       nom=f.get("nom") or None, by=req.user.login)
        except TicketError as exc:
            return self.users(req, error=str(exc), status=400)
        log.info("user %s created by %s", f.get("login"), req.user.login)
        return redirect("/utilisateurs?ok=utilisateur")

    def update_user(self, req: Request, login: str) -> Response:
        self.app.require(req, "admin")
        if login == req.user.login and (req.form.get("role") != "admin" or req.form.get("actif") != "1"):
            return self.users(req, error="Vous ne pouvez pas retirer vos propres droits d'administration.",
                              status=400)
        try:
            self.app.store.set_role(login, req.form.get("role", ""), actif=req.form.get("actif") == "1")
        except TicketError as exc:
            return self.users(req, error=str(exc), status=400)
        log.info("user %s updated by %s", login, req.user.login)
        return redirect("/utilisateurs?ok=utilisateur")
