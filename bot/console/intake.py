"""A request on behalf of a caller (/demandes/nouvelle), possibly prefilled from the search page."""
from __future__ import annotations

import secrets
import uuid

from bot.console.web import Request, Response, redirect
from knowledge.tickets import NewRequest, TicketError

PREFILLED = ("resume", "commune_insee", "dac_id", "niveau", "motifs", "public")


class IntakePages:
    def __init__(self, app):
        self.app = app

    def routes(self) -> list[tuple]:
        return [("GET", r"/demandes/nouvelle", self.new_form),
                ("POST", r"/demandes/nouvelle", self.new_request)]

    def new_form(self, req: Request, values: dict | None = None, error: str | None = None,
                 status: int = 200) -> Response:
        values = dict(values or {})
        values.setdefault("cle", uuid.uuid4().hex)
        values.setdefault("urgence", "programme")
        values.setdefault("consentement", "oui")
        if not values.get("commune") and values.get("commune_insee"):
            values["commune"] = self.app.communes.label(values["commune_insee"])
        return self.app.page("nouvelle.html", req, status=status, v=values, dacs=self.app.dacs(), error=error,
                             communes_liste=self.app.communes.options())

    def new_request(self, req: Request) -> Response:
        f = req.form
        if f.get("etape") != "enregistrer":       # coming from the search page: prefill only
            return self.new_form(req, {k: f.get(k, "") for k in PREFILLED})
        dac_id = f.get("dac_id") or None
        dac = self.app.service(dac_id) if dac_id else None
        commune_insee = None
        if f.get("commune", "").strip():
            commune, candidates, _ = self.app.communes.read(f["commune"])
            if commune is None:
                noms = ", ".join(self.app.communes.label(c.code_insee) for c in candidates[:6])
                problem = (f"Plusieurs communes possibles pour « {f['commune'].strip()} » : {noms}. "
                           "Choisissez-en une dans la liste." if candidates else
                           f"Commune non reconnue : « {f['commune'].strip()} ». Tapez le début du nom "
                           "ou le code postal et choisissez dans la liste.")
                return self.new_form(req, dict(f), error=problem, status=400)
            commune_insee = commune.code_insee
        try:
            niveau = int(f["niveau"]) if f.get("niveau") in ("1", "2", "3") else None
            t = self.app.store.create(NewRequest(
                resume=f.get("resume", ""), demandeur_nom=f.get("demandeur_nom", ""),
                demandeur_profession=f.get("demandeur_profession") or None,
                demandeur_rpps=f.get("demandeur_rpps") or None, niveau=niveau,
                motifs=[m.strip() for m in f.get("motifs", "").split(",") if m.strip()],
                urgence=f.get("urgence", "programme"), consentement=f.get("consentement", "non_demande"),
                commune_insee=commune_insee, dac_id=dac_id,
                dac_nom=dac.nom if dac else None, dac_telephone=dac.telephone if dac else None,
                public=f.get("public") or None,
                rappel_telephone=f.get("rappel_telephone") or None,
                rappel_messagerie=f.get("rappel_messagerie") or None,
                creneau_rappel=f.get("creneau_rappel") or None, canal="telephone",
                conversation_id=None, cree_par=req.user.login),
                idempotency_key=f"console:{f.get('cle') or secrets.token_hex(8)}")
        except TicketError as exc:
            return self.new_form(req, dict(f), error=str(exc), status=400)
        self.app.notify_soon()
        return redirect(f"/demandes/{t.numero}?ok=cree")
