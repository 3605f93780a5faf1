"""OpenAPI 3.0 description of the API gateway (served at /api/v1/openapi.json)."""
from __future__ import annotations

import copy

from bot.api.errors import ERREURS
from bot.api.reports import openapi_paths
from knowledge.gazetteer import DEPARTEMENT_CODES, INSEE_PATTERN


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}}}


_AUTH_ERRORS = {
    "401": _error("Jeton manquant (`jeton_manquant`) ou invalide (`jeton_invalide`)."),
    "429": {
        "description": "Trop de requêtes pour ce client (`trop_de_requetes`).",
        "headers": {"Retry-After": {"description": "Secondes avant de réessayer.", "schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}},
    },
}
_BODY_ERRORS = {
    "400": _error("Requête invalide (`json_invalide`, `requete_invalide`, `commune_inconnue`)."),
    "413": _error("Corps trop volumineux (`corps_trop_volumineux`)."),
    "415": _error("Le corps n'est pas du JSON (`type_contenu`)."),
}

_NULLABLE_STR = {"type": "string", "nullable": True}

_DOC = {
    "openapi": "3.0.3",
    "info": {
        "title": "API Aiguillage",
        "version": "1.0.0",
        "description": (
            "Orientation des professionnels de santé en Centre-Val de Loire : moteur d'orientation, "
            "conversations avec l'assistant (canal REST de Rasa) et annuaire des ressources. "
            "Toutes les routes sauf `/health` et `/openapi.json` exigent un jeton "
            "(`Authorization: Bearer <jeton>`). Les erreurs sont en JSON, en français, avec un code stable."
        ),
    },
    "servers": [{"url": "/"}],
    "security": [{"jeton": []}],
    "tags": [
        {"name": "orientation", "description": "Moteur d'orientation"},
        {"name": "conversations", "description": "Dialogue avec l'assistant"},
        {"name": "annuaire", "description": "Fiches de l'annuaire"},
        {"name": "service", "description": "État et description de l'API"},
    ],
    "paths": {
        "/api/v1/health": {
            "get": {
                "tags": ["service"],
                "summary": "État du service",
                "operationId": "health",
                "security": [],
                "responses": {
                    "200": {
                        "description": "Le service répond.",
                        "content": {"application/json": {"schema": {
                            "type": "object", "required": ["statut"],
                            "properties": {"statut": {"type": "string", "enum": ["ok"]}, "version": {"type": "string"}},
                        }}},
                    }
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "tags": ["service"],
                "summary": "Cette description OpenAPI",
                "operationId": "openapi",
                "security": [],
                "responses": {"200": {"description": "Document OpenAPI 3.0.", "content": {"application/json": {"schema": {"type": "object"}}}}},
            }
        },
        "/api/v1/orientation": {
            "post": {
                "tags": ["orientation"],
                "summary": "Orienter une situation décrite en français",
                "description": (
                    "Analyse le texte (lieu, âge, publics, besoins, urgences), gradue la réponse et propose "
                    "jusqu'à trois services avec coordonnées, ouverture et raison. Rien n'est conservé."
                ),
                "operationId": "orienter",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DemandeOrientation"}}},
                },
                "responses": {
                    "200": {
                        "description": "Orientation (charge utile du contrat) et réponse rédigée.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReponseOrientation"}}},
                    },
                    **_BODY_ERRORS,
                    **_AUTH_ERRORS,
                },
            }
        },
        "/api/v1/conversations/{sender}/messages": {
            "post": {
                "tags": ["conversations"],
                "summary": "Envoyer un message dans une conversation",
                "description": (
                    "Transmet le message à l'assistant (canal REST de Rasa) et renvoie ses réponses. "
                    "Les conversations sont propres à chaque client de l'API."
                ),
                "operationId": "envoyerMessage",
                "parameters": [{
                    "name": "sender", "in": "path", "required": True,
                    "description": "Identifiant de la conversation chez le client.",
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._@+-]{1,64}$"},
                }],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["message"], "additionalProperties": False,
                        "properties": {"message": {"type": "string", "minLength": 1, "maxLength": 4000}},
                    }}},
                },
                "responses": {
                    "200": {
                        "description": "Réponses de l'assistant.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReponsesConversation"}}},
                    },
                    **_BODY_ERRORS,
                    **_AUTH_ERRORS,
                    "503": _error("Assistant indisponible (`bot_indisponible`)."),
                },
            }
        },
        "/api/v1/services/{service_id}": {
            "get": {
                "tags": ["annuaire"],
                "summary": "Fiche d'un service de l'annuaire",
                "operationId": "lireService",
                "parameters": [{
                    "name": "service_id", "in": "path", "required": True,
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
                }],
                "responses": {
                    "200": {"description": "La fiche.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Service"}}}},
                    "404": _error("Service inconnu (`service_introuvable`)."),
                    **_AUTH_ERRORS,
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"jeton": {"type": "http", "scheme": "bearer", "description": "Jeton attribué à chaque client."}},
        "schemas": {
            "Erreur": {
                "type": "object",
                "required": ["erreur"],
                "properties": {"erreur": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "enum": sorted(ERREURS)},
                        "message": {"type": "string", "description": "Message en français."},
                        "champ": {"type": "string", "description": "Champ en cause, le cas échéant."},
                    },
                }},
            },
            "DemandeOrientation": {
                "type": "object",
                "required": ["texte"],
                "properties": {
                    "texte": {"type": "string", "minLength": 1, "maxLength": 4000,
                              "example": "patiente 87 ans seule à domicile à Saint-Amand-Montrond, chutes à répétition, refuse les aides"},
                    "commune": {"type": "string", "description": "Nom de commune ou code postal (remplace le lieu lu dans le texte)."},
                    "code_insee": {"type": "string", "pattern": "^" + INSEE_PATTERN + "$", "description": "Code INSEE de la commune."},
                    "departement": {"type": "string", "enum": list(DEPARTEMENT_CODES)},
                    "types": {"type": "array", "items": {"type": "string"}, "description": "Types de ressources à chercher d'abord (DAC, CMP…)."},
                    "ouvert_maintenant": {"type": "boolean", "default": False, "description": "Seulement les services ouverts au moment donné."},
                    "moment": {"type": "string", "format": "date-time", "description": "Moment de référence (défaut : maintenant, heure de Paris)."},
                },
            },
            "Urgence": {
                "type": "object", "required": ["numero", "libelle"],
                "properties": {"numero": {"type": "string"}, "libelle": {"type": "string"}},
            },
            "Recommandation": {
                "type": "object",
                "required": ["id", "type", "nom", "ouvert_maintenant", "pourquoi"],
                "properties": {
                    "id": {"type": "string"}, "type": {"type": "string"}, "nom": {"type": "string"},
                    "departements": {"type": "array", "items": {"type": "string"}},
                    "telephone": _NULLABLE_STR, "messagerie_securisee": _NULLABLE_STR, "adresse": _NULLABLE_STR,
                    "ouvert_maintenant": {"type": "boolean"},
                    "prochaine_ouverture": {"type": "string", "format": "date-time", "nullable": True},
                    "horaires_du_jour": {"type": "string"}, "statut": {"type": "string"},
                    "pourquoi": {"type": "string"}, "exemple": {"type": "boolean"},
                    "distance_km": {"type": "number", "nullable": True},
                    "verifie_le": {"type": "string", "format": "date"},
                    "source": {"type": "string"},
                },
            },
            "Orientation": {
                "type": "object",
                "required": ["urgence", "niveau", "commune", "motifs", "recommandations"],
                "properties": {
                    "urgence": {
                        "type": "object", "nullable": True, "required": ["numero", "libelle"],
                        "properties": {"numero": {"type": "string"}, "libelle": {"type": "string"}},
                    },
                    "urgences": {"type": "array", "items": {"$ref": "#/components/schemas/Urgence"}},
                    "niveau": {"type": "integer", "enum": [1, 2, 3, None], "nullable": True},
                    "commune": {
                        "type": "object", "nullable": True,
                        "properties": {"code_insee": {"type": "string"}, "nom": {"type": "string"}, "departement": {"type": "string"}},
                    },
                    "motifs": {"type": "array", "items": {"type": "string"}},
                    "recommandations": {"type": "array", "items": {"$ref": "#/components/schemas/Recommandation"}},
                    "ouverts_maintenant": {"type": "array", "items": {"$ref": "#/components/schemas/Urgence"}},
                    "ticket": {
                        "type": "object", "nullable": True,
                        "properties": {"numero": {"type": "string"}, "statut": {"type": "string"}},
                    },
                },
            },
            "ReponseOrientation": {
                "type": "object",
                "required": ["orientation", "message"],
                "properties": {
                    "orientation": {"$ref": "#/components/schemas/Orientation"},
                    "message": {"type": "string", "description": "Réponse rédigée en français."},
                },
            },
            "ReponsesConversation": {
                "type": "object",
                "required": ["conversation", "messages"],
                "properties": {
                    "conversation": {"type": "string"},
                    "messages": {"type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "text": {"type": "string"},
                            "buttons": {"type": "array", "items": {
                                "type": "object", "properties": {"title": {"type": "string"}, "payload": {"type": "string"}},
                            }},
                            "custom": {"type": "object", "properties": {"orientation": {"$ref": "#/components/schemas/Orientation"}}},
                        },
                    }},
                },
            },
            "Service": {
                "type": "object",
                "required": ["id", "type", "nom", "horaires", "ouvert_maintenant"],
                "properties": {
                    "id": {"type": "string"}, "type": {"type": "string"}, "nom": {"type": "string"},
                    "description": {"type": "string"},
                    "audience": {"type": "string", "enum": ["professionnels", "public", "les_deux"]},
                    "missions": {"type": "array", "items": {"type": "string"}},
                    "publics": {"type": "array", "items": {"type": "object", "properties": {
                        "public": {"type": "string"},
                        "age_min": {"type": "integer", "nullable": True}, "age_max": {"type": "integer", "nullable": True},
                    }}},
                    "besoins": {"type": "array", "items": {"type": "string"}},
                    "zones": {"type": "array", "items": {"type": "object", "properties": {
                        "type": {"type": "string", "enum": ["commune", "epci", "departement", "region"]}, "code": {"type": "string"},
                    }}},
                    "telephone": _NULLABLE_STR, "messagerie_securisee": _NULLABLE_STR, "email": _NULLABLE_STR,
                    "adresse": _NULLABLE_STR, "site_web": _NULLABLE_STR,
                    "contacts": {"type": "array", "items": {"type": "object", "properties": {
                        "fonction": {"type": "string"}, "telephone": _NULLABLE_STR, "email": _NULLABLE_STR,
                        "messagerie_securisee": _NULLABLE_STR,
                    }}},
                    "horaires": {"type": "object", "properties": {
                        "permanent": {"type": "boolean"}, "ferme_jours_feries": {"type": "boolean"},
                        "creneaux": {"type": "array", "items": {"type": "object", "properties": {
                            "jour": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = lundi"},
                            "debut": {"type": "string", "example": "09:00"}, "fin": {"type": "string", "example": "17:30"},
                        }}},
                        "fermetures": {"type": "array", "items": {"type": "object", "properties": {
                            "debut": {"type": "string", "format": "date"}, "fin": {"type": "string", "format": "date"},
                            "motif": {"type": "string"},
                        }}},
                    }},
                    "ouvert_maintenant": {"type": "boolean"},
                    "prochaine_ouverture": {"type": "string", "format": "date-time", "nullable": True},
                    "horaires_du_jour": {"type": "string"}, "statut": {"type": "string"},
                    "source": {"type": "string"}, "verifie_le": {"type": "string", "format": "date", "nullable": True},
                    "exemple": {"type": "boolean"},
                },
            },
        },
    },
}


def openapi_document() -> dict:
    """A copy of the OpenAPI 3.0 document."""
    doc = copy.deepcopy(_DOC)
    doc["paths"].update(openapi_paths())
    return doc
