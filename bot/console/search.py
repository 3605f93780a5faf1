"""The phone line's search (/recherche): the orientation engine on what the caller says, with the
commune, type and « open now » filters, the DAC to call, and the session's last searches."""
from __future__ import annotations

import logging
import threading

from bot.console.formats import fmt_dt
from bot.console.web import Request, Response
from knowledge import privacy
from knowledge.geo import distance_km, load_centres
from knowledge.tickets import TZ, route_dac

log = logging.getLogger("aiguillage.console")
WARM_UP_TEXT = "personne âgée seule à domicile"
HISTORY_SIZE = 5                  # last phone-line searches kept per session
TYPES_RECHERCHE = ("DAC", "CLIC", "MDPH", "SSIAD", "SAAD", "HAD", "EMG", "EMSP", "ESA", "PFR", "CMP",
                   "CMPP", "MDA", "CSAPA", "PASS", "MDS", "CCAS", "PMI", "CRIP", "CPTS", "CPAM")


class History:
    """The last searches of each signed-in session (console memory, masked text only)."""

    def __init__(self) -> None:
        self._entries: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    def remember(self, session_id: str | None, entry: dict) -> None:
        if not session_id:
            return
        with self._lock:
            past = [e for e in self._entries.get(session_id, []) if {**e, "heure": "", "resultats": 0}
                    != {**entry, "heure": "", "resultats": 0}]
            self._entries[session_id] = [entry] + past[:HISTORY_SIZE - 1]

    def recent(self, session_id: str | None) -> list[dict]:
        if not session_id:
            return []
        with self._lock:
            return list(self._entries.get(session_id, []))

    def forget(self, session_id: str | None) -> None:
        with self._lock:
            self._entries.pop(session_id, None)


class SearchPages:
    def __init__(self, app):
        self.app = app
        self._centres = None
        self._loading = threading.Lock()   # the engine loads once: a search waits for the warm-up
        self._loaded = False

    def routes(self) -> list[tuple]:
        return [("GET", r"/recherche", self.search),
                ("POST", r"/recherche", self.search)]

    def search(self, req: Request) -> Response:
        f = req.form if req.method == "POST" else {}
        texte = f.get("texte", "").strip()
        commune = f.get("commune", "").strip()
        type_ = f.get("type", "").strip()
        ouvert = f.get("ouvert") == "1"
        session_id = (req.session or {}).get("s")
        result, error, recos, dac = None, None, [], None
        if req.method == "POST" and (texte or commune):
            try:
                place = self.app.communes.place(commune) if commune else {}
                if commune and not place:
                    error = f"Commune non reconnue : « {commune} ». Essayez le nom exact ou le code postal."
                else:
                    result = self._orient(texte or commune, types=[type_] if type_ else [],
                                          ouvert_seulement=ouvert, **place)
            except Exception as exc:  # noqa: BLE001 - show the problem, keep the page usable
                log.exception("orientation failed")
                error = f"La recherche a échoué : {exc}"
            if result is not None:
                self._log_answer(result)
                recos = self._rows(result, type_, ouvert)
                dac = self._route(result)
                self.app.history.remember(session_id, {
                    "texte": privacy.mask(texte), "commune": commune, "type": type_, "ouvert": ouvert,
                    "resultats": len(recos), "heure": self.app.store.clock().astimezone(TZ).strftime("%Hh%M")})
        elif req.method == "POST":
            error = "Décrivez la situation ou indiquez une commune."
        return self.app.page("recherche.html", req, texte=texte, commune=commune, type=type_, ouvert=ouvert,
                             types=TYPES_RECHERCHE, result=result, recos=recos, error=error, dac=dac,
                             resume=privacy.mask(texte), historique=self.app.history.recent(session_id),
                             communes_liste=self.app.communes.options(),
                             imprime_le=fmt_dt(self.app.store.clock()))

    def warm(self) -> None:
        """Load the orientation engine now (language model, directory cache: ~25 s on a busy
        machine) so that the first caller's search does not wait for it; failures wait too."""
        try:
            self._orient(WARM_UP_TEXT)
        except Exception:  # noqa: BLE001 - e.g. no directory yet: the first search will say why
            log.info("orientation engine not preloaded", exc_info=True)

    def _orient(self, text: str, **kwargs):
        if self._loaded:
            return self.app.orienter(text, **kwargs)
        with self._loading:            # the first call loads the language model and directory cache
            if self.app.orienter is None:
                from knowledge.orientation import orient
                self.app.orienter = orient
            result = self.app.orienter(text, **kwargs)
            self._loaded = True
            return result

    def _log_answer(self, result) -> None:
        """The phone line's answer goes to the anonymous orientation log (knowledge.activity)."""
        directory = self.app.directory()
        if directory is not None and hasattr(result, "triage"):
            from knowledge import activity
            activity.record(result, canal="telephone", directory=directory)

    def _route(self, result):
        commune = getattr(result.situation, "commune", None)
        directory = self.app.directory()
        if commune is None or directory is None:
            return None
        try:
            return route_dac(commune.code_insee, directory)
        except Exception:  # noqa: BLE001 - routing is a convenience here
            log.exception("DAC routing failed")
            return None

    def _rows(self, result, type_: str, ouvert: bool) -> list[dict]:
        rows = []
        seen = set()
        for r in result.recommandations:
            rows.append({"service": r.service, "pourquoi": r.pourquoi, "ouvert": r.ouvert,
                         "statut": getattr(r, "statut", ""), "horaires": getattr(r, "horaires_du_jour", ""),
                         "distance": getattr(r, "distance_km", None)})
            seen.add(r.service.id)
        # with a type filter, list every service of that type serving the commune
        commune = getattr(result.situation, "commune", None)
        if type_ and commune is not None:
            directory = self.app.directory()
            if directory is not None:
                at = getattr(result, "at", None) or self.app.store.clock()
                origin = self._position(directory, commune.code_insee)
                for s in directory.serving(commune, types=[type_]):
                    if s.id in seen:
                        continue
                    where = getattr(s, "position", None) or self._position(directory, s.commune_insee)
                    rows.append({"service": s, "pourquoi": f"{s.type} intervenant sur {commune.nom}",
                                 "ouvert": s.schedule.is_open(at), "statut": s.schedule.status_text(at),
                                 "horaires": s.schedule.day_text(at.astimezone(TZ).date()),
                                 "distance": distance_km(origin, where) if origin and where else None})
        if type_:
            rows = [r for r in rows if r["service"].type == type_]
        if ouvert:
            rows = [r for r in rows if r["ouvert"]]
        return rows

    def _position(self, directory, code_insee: str | None):
        """A commune's centre (optional extract, else its ROR locations); None when unknown."""
        if not code_insee:
            return None
        if self._centres is None:
            self._centres = load_centres()
        try:
            return self._centres.get(code_insee) or directory.commune_position(code_insee)
        except Exception:  # noqa: BLE001 - distance is a convenience
            return None
