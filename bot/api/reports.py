"""API route for the reports: GET /api/v1/rapports/{rapport}?du=&au=&par=&format=json|csv.

Behind the gateway's bearer token like every /api/v1 route. Same figures and small-cell
suppression as the console and `python -m knowledge.reports` (knowledge.reports).
"""
from __future__ import annotations

import asyncio

from sanic import response
from sanic.request import Request

from bot.api.errors import ApiError, json_response
from knowledge.reports import parse_period, Reports, ReportUnavailable

NOMS = ("besoins", "besoins-par-besoin", "types", "horaires", "appui", "fraicheur")


def register(app, prefix: str, get_orienter) -> None:
    state: dict = {}

    def reports():
        if "r" not in state:
            orienter = get_orienter()
            state["r"] = Reports(directory=orienter.directory, gazetteer=orienter.gazetteer,
                                 vocabulary=orienter.vocabulary)
        return state["r"]

    @app.route(f"{prefix}/rapports/<rapport>", methods=["GET", "OPTIONS"])
    async def rapport(request: Request, rapport: str):
        if rapport not in NOMS:
            raise ApiError("ressource_introuvable", f"Rapport inconnu. Rapports : {', '.join(NOMS)}.")
        fmt = request.args.get("format", "json")
        par = request.args.get("par", "departement")
        if fmt not in ("json", "csv"):
            raise ApiError("requete_invalide", "Le paramètre « format » vaut json ou csv.", champ="format")
        if par not in ("departement", "epci"):
            raise ApiError("requete_invalide", "Le paramètre « par » vaut departement ou epci.", champ="par")
        try:
            start, end = parse_period(request.args.get("du"), request.args.get("au"),
                                      today=reports().clock().date())
        except ValueError as exc:
            raise ApiError("requete_invalide", str(exc), champ="du") from None
        try:
            table = await asyncio.get_running_loop().run_in_executor(
                None, lambda: reports().build(rapport, start, end, par))
        except ReportUnavailable as exc:
            raise ApiError("erreur_interne", str(exc)) from None
        if fmt == "csv":
            return response.text(table.csv(), content_type="text/csv; charset=utf-8", headers={
                "Content-Disposition": f'attachment; filename="aiguillage-{rapport}-{start}-{end}.csv"'})
        return json_response(table.as_json())


def openapi_paths() -> dict:
    """The OpenAPI entry of the route (merged into bot/api/openapi.py)."""
    err = {"$ref": "#/components/schemas/Erreur"}
    return {"/api/v1/rapports/{rapport}": {"get": {
        "tags": ["rapports"],
        "summary": "Rapport d'activité ou de besoins non couverts (effectifs de 1 à 4 affichés « < 5 »)",
        "operationId": "lireRapport",
        "parameters": [
            {"name": "rapport", "in": "path", "required": True, "schema": {"type": "string", "enum": list(NOMS)}},
            {"name": "du", "in": "query", "schema": {"type": "string", "format": "date"},
             "description": "Premier jour (défaut : il y a 29 jours)."},
            {"name": "au", "in": "query", "schema": {"type": "string", "format": "date"},
             "description": "Dernier jour inclus (défaut : aujourd'hui)."},
            {"name": "par", "in": "query", "schema": {"type": "string", "enum": ["departement", "epci"]}},
            {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}},
        ],
        "responses": {
            "200": {"description": "Le rapport (colonnes, lignes, total ; « < 5 » pour les petits effectifs).",
                    "content": {"application/json": {"schema": {"type": "object", "required": ["rapport", "colonnes", "lignes"],
                                                                 "properties": {"rapport": {"type": "string"}, "titre": {"type": "string"},
                                                                                "du": {"type": "string"}, "au": {"type": "string"},
                                                                                "colonnes": {"type": "array", "items": {"type": "object"}},
                                                                                "lignes": {"type": "array", "items": {"type": "object"}},
                                                                                "total": {"type": "object", "nullable": True},
                                                                                "note": {"type": "string"}, "seuil": {"type": "integer"}}}},
                                "text/csv": {"schema": {"type": "string"}}}},
            "400": {"description": "Paramètre invalide (`requete_invalide`).", "content": {"application/json": {"schema": err}}},
            "401": {"description": "Jeton manquant ou invalide.", "content": {"application/json": {"schema": err}}},
            "404": {"description": "Rapport inconnu (`ressource_introuvable`).", "content": {"application/json": {"schema": err}}},
        },
    }}}
