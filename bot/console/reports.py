"""The console's reports page (/rapports) and CSV downloads (/rapports/<nom>.csv).

Coordinator and admin roles only. Figures come from knowledge.reports (small cells already
suppressed); the map and charts are server-side SVG (no script, strict CSP).
"""
from __future__ import annotations

from markupsafe import Markup

from bot.console.web import HttpError, Response
from knowledge.reports import ReportUnavailable

MAP_FIGURES = {
    "demandes": "Demandes",
    "non_couvertes": "Besoins non couverts",
    "taux_non_couvert": "Part non couverte",
    "hors_horaires": "Service fermé à l'heure de la demande",
    "appui": "Suivies d'une demande d'appui",
}


class ReportsPage:
    def __init__(self, app):
        self.app = app
        self._reports = None

    def routes(self) -> list[tuple]:
        return [("GET", r"/rapports", self.page),
                ("GET", r"/rapports/(?P<nom>[a-z\-]+)\.csv", self.csv)]

    def reports(self):
        if self._reports is None:
            from knowledge.reports import Reports
            directory = self.app.directory()
            if directory is None:
                raise HttpError(503, "L'annuaire n'est pas disponible : rapports impossibles.")
            self._reports = Reports(directory=directory, clock=self.app.store.clock)
        return self._reports

    def _params(self, req):
        from knowledge.reports import parse_period
        q = req.query
        try:
            start, end = parse_period(q.get("du") or None, q.get("au") or None,
                                      today=self.app.store.clock().date())
        except ValueError as exc:
            raise HttpError(400, str(exc)) from None
        par = q.get("par") if q.get("par") in ("departement", "epci") else "departement"
        return start, end, par

    def page(self, req):
        self.app.require(req, "coordinateur")
        start, end, par = self._params(req)
        figure = req.query.get("carte") if req.query.get("carte") in MAP_FIGURES else "non_couvertes"
        try:
            return self._page(req, start, end, par, figure)
        except ReportUnavailable as exc:
            raise HttpError(503, str(exc)) from None

    def _page(self, req, start, end, par, figure):
        from knowledge.reports import carte
        r = self.reports()
        deps = r.build("besoins", start, end, "departement")
        tables = {
            "besoins": deps if par == "departement" else r.build("besoins", start, end, "epci"),
            "besoins-par-besoin": r.build("besoins-par-besoin", start, end),
            "types": r.build("types", start, end),
            "horaires": r.build("horaires", start, end),
            "appui": r.build("appui", start, end),
            "fraicheur": r.build("fraicheur", start, end),
        }
        values = {row["code"]: row.get(figure) for row in deps.rows if row["code"]}
        title = f"{MAP_FIGURES[figure]} par département, du {start:%d/%m/%Y} au {end:%d/%m/%Y}"
        svg_map = Markup(carte.region_map(values, title, rate=figure.startswith("taux")))
        charts = {
            "besoins-par-besoin": Markup(carte.bar_chart(
                sorted(tables["besoins-par-besoin"].rows, key=_sort_key("non_couvertes")), "besoin",
                "non_couvertes", "Besoins non couverts par besoin")),
            "types": Markup(carte.bar_chart(
                sorted(tables["types"].rows, key=_sort_key("non_couvertes")), "code", "non_couvertes",
                "Demandes sans service local, par type de ressource")),
            "horaires": Markup(carte.bar_chart(
                sorted(tables["horaires"].rows, key=_sort_key("hors_horaires")), "code", "hors_horaires",
                "Demandes arrivées quand le service local était fermé, par type")),
        }
        query = f"du={start.isoformat()}&au={end.isoformat()}&par={par}"
        return self.app.page("rapports.html", req, start=start, end=end, par=par, figure=figure,
                              figures=MAP_FIGURES, carte=svg_map, map_table=deps, tables=tables,
                              charts=charts, query=query, source=carte.contours()["source"],
                              licence=carte.contours()["licence"])

    def csv(self, req, nom: str):
        self.app.require(req, "coordinateur")
        start, end, par = self._params(req)
        try:
            table = self.reports().build(nom, start, end, par)
        except ValueError as exc:
            raise HttpError(404, str(exc)) from None
        except ReportUnavailable as exc:
            raise HttpError(503, str(exc)) from None
        filename = f"aiguillage-{nom}{'-epci' if nom == 'besoins' and par == 'epci' else ''}-{start}-{end}.csv"
        return Response("\ufeff" + table.csv(), content_type="text/csv; charset=utf-8",
                        headers=[("Content-Disposition", f'attachment; filename="{filename}"')])


def _sort_key(col: str):
    """Largest counts first, then hidden ("< 5", "masqué"), then zero or empty."""
    from knowledge.reports import HIDDEN

    def key(row):
        v = row.get(col)
        if isinstance(v, (int, float)) and v > 0:
            return (0, -v)
        return (1, 0) if v in HIDDEN else (2, 0)
    return key
