"""Directory freshness (/annuaire/fraicheur): entries not verified for more than 12 months, and
those the last ROR import withdrew."""
from __future__ import annotations

import logging

from bot.console.web import HttpError, Request, Response

log = logging.getLogger("aiguillage.console")


class FreshnessPage:
    def __init__(self, app):
        self.app = app

    def routes(self) -> list[tuple]:
        return [("GET", r"/annuaire/fraicheur", self.freshness)]

    def freshness(self, req: Request) -> Response:
        directory = self.app.directory()
        if directory is None:
            raise HttpError(503, "Annuaire indisponible.")
        today = self.app.store.clock().date()
        try:
            stale, withdrawn = directory.stale(today), directory.withdrawn_by_last_import()
        except Exception:  # noqa: BLE001 - e.g. the directory was never loaded here
            log.warning("directory unavailable for the freshness page")
            raise HttpError(503, "Annuaire indisponible (non chargé dans cette base).") from None
        return self.app.page("fraicheur.html", req, stale=stale, withdrawn=withdrawn, today=today)
