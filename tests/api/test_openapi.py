"""The OpenAPI description: valid OpenAPI 3.0, served, and in step with the routes."""
from __future__ import annotations

import re

import pytest

from bot.api.app import create_app
from bot.api.errors import ERREURS
from bot.api.openapi import openapi_document
from knowledge.settings import ApiSettings

openapi_spec_validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator n'est pas installé")
from openapi_schema_validator import OAS30Validator  # noqa: E402

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def served_routes() -> set[tuple[str, str]]:
    """(METHOD, /path/{param}) of every route of the app, OPTIONS (CORS preflight) aside."""
    app = create_app(ApiSettings(tokens={}), name="aiguillage_api_routes")
    out = set()
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        path = re.sub(r"<(\w+)(?::[^>]*)?>", r"{\1}", path)
        for m in route.methods:
            if m.lower() in HTTP_METHODS:
                out.add((m.upper(), path))
    return out


def described_routes() -> set[tuple[str, str]]:
    doc = openapi_document()
    return {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops if m in HTTP_METHODS}


def test_document_is_valid_openapi_3():
    doc = openapi_document()
    assert doc["openapi"].startswith("3.0")
    openapi_spec_validator.validate_spec(doc)


def test_every_route_described_and_every_description_served():
    assert served_routes() == described_routes()


def test_error_codes_documented():
    enum = openapi_document()["components"]["schemas"]["Erreur"]["properties"]["erreur"]["properties"]["code"]["enum"]
    assert set(enum) == set(ERREURS)


def test_served_document(gateway):
    r = gateway.request("GET", "/api/v1/openapi.json", token=None)
    assert r.status == 200
    assert r.body == openapi_document()


SCHEMA_CASES = [
    ("POST", "/api/v1/orientation", {"texte": "patiente 87 ans seule à Saint-Amand-Montrond, chutes, refuse les aides"}, "ReponseOrientation"),
    ("POST", "/api/v1/orientation", {"texte": "douleur thoracique intense, homme 50 ans à Vierzon"}, "ReponseOrientation"),
    ("GET", "/api/v1/services/dac-18", None, "Service"),
    ("GET", "/api/v1/services/inexistant", None, "Erreur"),
    ("POST", "/api/v1/orientation", {}, "Erreur"),
]


@pytest.mark.parametrize("method,path,body,schema", SCHEMA_CASES)
def test_responses_match_schemas(gateway, method, path, body, schema):
    """Real answers validate against the schemas the document declares."""
    doc = openapi_document()
    r = gateway.request(method, path, body)
    resolver_doc = {"components": doc["components"], "$ref": f"#/components/schemas/{schema}"}
    OAS30Validator(resolver_doc).validate(r.body)
