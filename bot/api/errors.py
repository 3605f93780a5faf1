"""JSON errors in French with stable codes: ``{"erreur": {"code": "...", "message": "..."}}``."""
from __future__ import annotations

import json

from sanic import response


def json_response(body, status: int = 200, headers: dict | None = None):
    """JSON with UTF-8 characters kept as is (French accents)."""
    return response.json(body, status=status, headers=headers, dumps=lambda o: json.dumps(o, ensure_ascii=False))

# code -> (HTTP status, default French message). Codes are stable: clients may branch on them.
ERREURS: dict[str, tuple[int, str]] = {
    "json_invalide": (400, "Le corps de la requête n'est pas un JSON valide."),
    "requete_invalide": (400, "La requête est invalide."),
    "commune_inconnue": (400, "Commune inconnue en Centre-Val de Loire."),
    "jeton_manquant": (401, "Authentification requise : en-tête « Authorization: Bearer <jeton> »."),
    "jeton_invalide": (401, "Jeton d'accès invalide."),
    "origine_refusee": (403, "Origine non autorisée."),
    "ressource_introuvable": (404, "Ressource introuvable."),
    "service_introuvable": (404, "Service introuvable dans l'annuaire."),
    "methode_non_autorisee": (405, "Méthode non autorisée pour cette ressource."),
    "corps_trop_volumineux": (413, "Le corps de la requête est trop volumineux."),
    "type_contenu": (415, "Le corps doit être envoyé en JSON (Content-Type: application/json)."),
    "trop_de_requetes": (429, "Trop de requêtes : réessayez plus tard."),
    "erreur_interne": (500, "Erreur interne du service."),
    "bot_indisponible": (503, "L'assistant conversationnel est momentanément indisponible."),
}


class ApiError(Exception):
    """An error answered as JSON with a stable code."""

    def __init__(self, code: str, message: str | None = None, *, champ: str | None = None, headers: dict | None = None):
        status, default = ERREURS[code]
        super().__init__(message or default)
        self.code = code
        self.status = status
        self.message = message or default
        self.champ = champ
        self.headers = headers or {}

    def body(self) -> dict:
        err = {"code": self.code, "message": self.message}
        if self.champ:
            err["champ"] = self.champ
        return {"erreur": err}


def error_response(err: ApiError):
    return json_response(err.body(), status=err.status, headers=err.headers)
