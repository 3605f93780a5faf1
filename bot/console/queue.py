"""The queue of requests (/demandes): filters, search, pages of 50, and its CSV export."""
from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta
from urllib.parse import urlencode

from bot.console.formats import csv_cell, fmt_age, fmt_dt
from bot.console.web import HttpError, Request, Response
from knowledge.tickets import STATUTS, TZ, URGENCES

log = logging.getLogger("aiguillage.console")
PAGE_SIZE = 50
AGES = {"1": "plus d'un jour", "2": "plus de 2 jours", "7": "plus d'une semaine", "30": "plus d'un mois"}
CSV_COLUMNS = (("numero", "Numéro"), ("cree_le", "Créée le"), ("echeance", "Échéance"),
               ("statut", "Statut"), ("niveau", "Niveau"), ("urgence", "Délai"), ("dac", "DAC"),
               ("demandeur_nom", "Demandeur"), ("demandeur_profession", "Profession"),
               ("commune", "Commune"), ("canal", "Canal"), ("assigne_a", "Attribuée à"),
               ("en_retard", "En retard"))   # no summary, reasons, outcome or contact: no patient text


class QueuePages:
    def __init__(self, app):
        self.app = app

    def routes(self) -> list[tuple]:
        return [("GET", r"/demandes", self.queue),
                ("GET", r"/demandes\.csv", self.queue_csv)]

    def _filters(self, req: Request) -> tuple[dict, dict, str | None]:
        """Store keywords of the queue's filters and search, the values to show, an error."""
        q = req.query
        statut = q.get("statut") or None
        if statut not in (None, "toutes") and statut not in STATUTS:
            statut = None
        niveau = int(q["niveau"]) if q.get("niveau") in ("1", "2", "3") else None
        age = q.get("age") if q.get("age") in AGES else None
        dac = q.get("dac") or None
        shown = {"dac": dac or "", "statut": statut or "", "niveau": q.get("niveau", "") if niveau else "",
                 "age": age or ""}
        kw = {"dac_id": dac, "statut": statut, "niveau": niveau,
              "older_than": timedelta(days=int(age)) if age else None}
        error = None
        for key in ("numero", "demandeur", "texte", "commune"):
            shown[key] = (q.get(key) or "").strip()[:200]
        if shown["numero"]:
            kw["numero"] = shown["numero"]
        if shown["demandeur"]:
            kw["demandeur"] = shown["demandeur"]
        if shown["texte"]:
            kw["texte"] = shown["texte"]
        if shown["commune"]:
            codes = self.app.communes.codes(shown["commune"])
            if not codes:
                error = (f"Commune non reconnue : « {shown['commune']} ». Essayez le nom ou le code "
                         "postal ; la file n'est pas filtrée par commune.")
            else:
                kw["communes"] = codes
        return kw, shown, error

    def queue(self, req: Request) -> Response:
        store = self.app.store
        kw, shown, error = self._filters(req)
        total = store.count(**kw)
        pages = max(1, -(-total // PAGE_SIZE))
        try:
            page = min(max(int(req.query.get("page", "1")), 1), pages)
        except ValueError:
            page = 1
        tickets = store.queue(**kw, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        now = store.clock()
        params = {k: v for k, v in shown.items() if v}
        return self.app.page("demandes.html", req, tickets=tickets, dacs=self.app.dacs(), filtres=shown,
                             ages={t.numero: fmt_age(t.cree_le, now) for t in tickets}, total=total,
                             page=page, pages=pages, premier=(page - 1) * PAGE_SIZE + 1 if tickets else 0,
                             lien=lambda **extra: "?" + urlencode({**params, **extra}),
                             communes_liste=self.app.communes.options(), error=error)

    def queue_csv(self, req: Request) -> Response:
        """The filtered queue as CSV (semicolons, UTF-8 with BOM for spreadsheets), no patient text."""
        kw, _, error = self._filters(req)
        if error:
            raise HttpError(400, error)
        gaz = self.app.communes.gazetteer()
        out = io.StringIO()
        out.write("\ufeff")
        w = csv.writer(out, delimiter=";", lineterminator="\r\n")
        w.writerow([label for _, label in CSV_COLUMNS])
        for t in self.app.store.queue(**kw, limit=None):
            commune = gaz.communes.get(t.commune_insee) if t.commune_insee else None
            row = {"numero": t.numero, "cree_le": fmt_dt(t.cree_le), "echeance": fmt_dt(t.echeance),
                   "statut": t.statut_libelle, "niveau": t.niveau or "", "urgence": URGENCES.get(t.urgence, t.urgence),
                   "dac": t.dac_nom or t.dac_id or "", "demandeur_nom": t.demandeur_nom,
                   "demandeur_profession": t.demandeur_profession or "",
                   "commune": commune.nom if commune else (t.commune_insee or ""), "canal": t.canal,
                   "assigne_a": t.assigne_a or "", "en_retard": "oui" if t.en_retard else "non"}
            w.writerow([csv_cell(row[k]) for k, _ in CSV_COLUMNS])
        log.info("queue exported by %s", req.user.login)
        stamp = self.app.store.clock().astimezone(TZ).strftime("%Y%m%d-%H%M")
        return Response(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers=[("Content-Disposition", f'attachment; filename="demandes-{stamp}.csv"')])
