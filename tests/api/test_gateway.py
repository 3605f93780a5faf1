"""The API gateway, running as a real process over the real sample directory."""
from __future__ import annotations

import json
import re
import socket

import pytest

from tests.api.conftest import ORIGIN, TOKENS

EXAMPLE = "patiente 87 ans seule à domicile à Saint-Amand-Montrond, chutes à répétition, refuse les aides"
PHONE_RE = re.compile(r"^0\d( \d\d){4}$")


# -- authentication ----------------------------------------------------------------------------

AUTH_CASES = [
    # (method, path, token header, expected status, expected error code or None)
    ("GET", "/api/v1/health", None, 200, None),
    ("GET", "/api/v1/openapi.json", None, 200, None),
    ("GET", "/api/v1/services/dac-18", None, 401, "jeton_manquant"),
    ("GET", "/api/v1/services/dac-18", "Bearer pas-le-bon-jeton-du-tout", 401, "jeton_invalide"),
    ("GET", "/api/v1/services/dac-18", "Basic " + TOKENS["portail"], 401, "jeton_invalide"),
    ("GET", "/api/v1/services/dac-18", "Bearer " + TOKENS["portail"][:-1], 401, "jeton_invalide"),
    ("GET", "/api/v1/services/dac-18", "Bearer " + TOKENS["portail"], 200, None),
    ("GET", "/api/v1/services/dac-18", "bearer " + TOKENS["telephonie"], 200, None),
    ("POST", "/api/v1/orientation", None, 401, "jeton_manquant"),
    ("POST", "/api/v1/conversations/dr-martin/messages", "Bearer x", 401, "jeton_invalide"),
]


@pytest.mark.parametrize("method,path,auth,status,code", AUTH_CASES)
def test_authentication(gateway, method, path, auth, status, code):
    headers = {"Authorization": auth} if auth else {}
    r = gateway.request(method, path, token=None, headers=headers)
    assert r.status == status, r.body
    if code:
        assert r.body["erreur"]["code"] == code
        assert r.headers.get("www-authenticate", "").startswith("Bearer")
        assert any(ch in r.body["erreur"]["message"] for ch in "éèàç« ")  # a French sentence


# -- orientation -------------------------------------------------------------------------------

ORIENTATION_CASES = [
    # (request body, expected first type, expected niveau, expected emergency number, commune INSEE)
    ({"texte": EXAMPLE}, "DAC", 3, None, "18197"),
    ({"texte": "homme 45 ans douleur thoracique intense depuis 20 minutes à Bourges"}, None, None, "15", "18033"),
    ({"texte": "patient 70 ans diabétique, besoin de soins infirmiers à domicile", "commune": "Vierzon"}, None, None, None, "18279"),
    ({"texte": "patient 70 ans diabétique, besoin de soins infirmiers à domicile", "code_insee": "36044"}, None, None, None, "36044"),
    ({"texte": "enfant de 3 ans, retard de développement", "commune": "37000"}, None, None, None, "37261"),
    ({"texte": "dame 80 ans, perte d'autonomie", "commune": "Issoudun"}, None, None, None, "36088"),
]


@pytest.mark.parametrize("body,first_type,niveau,urgence,insee", ORIENTATION_CASES)
def test_orientation(gateway, body, first_type, niveau, urgence, insee):
    r = gateway.request("POST", "/api/v1/orientation", body)
    assert r.status == 200, r.body
    o = r.body["orientation"]
    assert isinstance(r.body["message"], str) and r.body["message"]
    assert o["commune"]["code_insee"] == insee
    if first_type:
        assert o["recommandations"][0]["type"] == first_type
    if niveau:
        assert o["niveau"] == niveau
    if urgence:
        assert o["urgence"]["numero"] == urgence
    else:
        assert o["urgence"] is None
        assert o["recommandations"], "a local service is proposed"
    for reco in o["recommandations"]:
        assert reco["telephone"] is None or PHONE_RE.match(reco["telephone"])
        assert isinstance(reco["ouvert_maintenant"], bool) and reco["pourquoi"]


def test_orientation_filters(gateway):
    """types puts the asked type first; ouvert_maintenant keeps only open services at `moment`."""
    r = gateway.request("POST", "/api/v1/orientation", {"texte": EXAMPLE, "types": ["MDPH"]})
    assert r.status == 200
    assert r.body["orientation"]["recommandations"][0]["type"] == "MDPH"
    sunday = "2026-11-22T03:00:00+01:00"
    r = gateway.request("POST", "/api/v1/orientation", {"texte": EXAMPLE, "moment": sunday, "ouvert_maintenant": True})
    assert r.status == 200
    assert all(reco["ouvert_maintenant"] for reco in r.body["orientation"]["recommandations"])
    r = gateway.request("POST", "/api/v1/orientation", {"texte": EXAMPLE, "moment": sunday})
    assert r.body["orientation"]["recommandations"][0]["ouvert_maintenant"] is False


ERROR_CASES = [
    # (raw body, content type, expected status, expected code, expected champ)
    (b"{pas du json", "application/json", 400, "json_invalide", None),
    (b'["texte"]', "application/json", 400, "requete_invalide", None),
    (b"texte=bonjour", "application/x-www-form-urlencoded", 415, "type_contenu", None),
    (b"{}", "application/json", 400, "requete_invalide", "texte"),
    (b'{"texte": "   "}', "application/json", 400, "requete_invalide", "texte"),
    (b'{"texte": 42}', "application/json", 400, "requete_invalide", "texte"),
    (b'{"texte": "dame 80 ans", "types": "DAC"}', "application/json", 400, "requete_invalide", "types"),
    (b'{"texte": "dame 80 ans", "types": ["XYZ"]}', "application/json", 400, "requete_invalide", "types"),
    (b'{"texte": "dame 80 ans", "commune": "Trifouillis-les-Oies"}', "application/json", 400, "commune_inconnue", "commune"),
    (b'{"texte": "dame 80 ans", "commune": "18200"}', "application/json", 400, "commune_inconnue", "commune"),
    (b'{"texte": "dame 80 ans", "code_insee": "75056"}', "application/json", 400, "commune_inconnue", "code_insee"),
    (b'{"texte": "dame 80 ans", "departement": "75"}', "application/json", 400, "requete_invalide", "departement"),
    (b'{"texte": "dame 80 ans", "moment": "lundi matin"}', "application/json", 400, "requete_invalide", "moment"),
    (b'{"texte": "dame 80 ans", "ouvert_maintenant": "oui"}', "application/json", 400, "requete_invalide", "ouvert_maintenant"),
]


@pytest.mark.parametrize("raw,ctype,status,code,champ", ERROR_CASES)
def test_orientation_errors(gateway, raw, ctype, status, code, champ):
    r = gateway.request("POST", "/api/v1/orientation", raw=raw, headers={"Content-Type": ctype})
    assert r.status == status, r.body
    assert r.body["erreur"]["code"] == code
    assert r.body["erreur"].get("champ") == champ
    assert r.headers["content-type"].startswith("application/json")


ROUTING_CASES = [
    ("GET", "/api/v1/inconnu", 404, "ressource_introuvable"),
    ("DELETE", "/api/v1/services/dac-18", 405, "methode_non_autorisee"),
    ("GET", "/api/v1/orientation", 405, "methode_non_autorisee"),
    ("GET", "/api/v1/services/n-existe-pas", 404, "service_introuvable"),
    ("GET", "/api/v1/services/..%2f..%2fetc", 404, "service_introuvable"),
]


@pytest.mark.parametrize("method,path,status,code", ROUTING_CASES)
def test_routing_errors(gateway, method, path, status, code):
    r = gateway.request(method, path)
    assert r.status == status, r.raw
    assert r.body["erreur"]["code"] == code


SERVICE_CASES = [("dac-18", "DAC", "18"), ("mdph-18", "MDPH", "18")]


@pytest.mark.parametrize("service_id,type_,dep", SERVICE_CASES)
def test_service_entry(gateway, service_id, type_, dep):
    r = gateway.request("GET", f"/api/v1/services/{service_id}")
    assert r.status == 200
    s = r.body
    assert (s["id"], s["type"]) == (service_id, type_)
    assert {"type": "departement", "code": dep} in s["zones"] or any(z["code"].startswith(dep) for z in s["zones"])
    assert PHONE_RE.match(s["telephone"])
    assert s["horaires"]["creneaux"] and all(0 <= c["jour"] <= 6 for c in s["horaires"]["creneaux"])
    assert isinstance(s["ouvert_maintenant"], bool) and s["statut"]


# -- conversations (proxy to the Rasa REST channel) ------------------------------------------------


def test_conversation_proxy(gateway, rasa_peer):
    rasa_peer.answers = [
        {"recipient_id": "api:portail:dr-martin", "text": "Dans quelle commune vit la personne ?"},
        {"recipient_id": "api:portail:dr-martin", "custom": {"orientation": {"urgence": None, "recommandations": []}}},
    ]
    r = gateway.request("POST", "/api/v1/conversations/dr-martin/messages", {"message": "dame 87 ans chutes"})
    assert r.status == 200, r.body
    assert r.body["conversation"] == "dr-martin"
    assert r.body["messages"][0] == {"text": "Dans quelle commune vit la personne ?"}
    assert r.body["messages"][1]["custom"]["orientation"]["recommandations"] == []
    path, sent = rasa_peer.requests[-1]
    assert path == "/webhooks/rest/webhook"
    assert sent == {"sender": "api:portail:dr-martin", "message": "dame 87 ans chutes"}
    # another client using the same conversation name reaches a different Rasa conversation
    gateway.request("POST", "/api/v1/conversations/dr-martin/messages", {"message": "bonjour"}, token="telephonie")
    assert rasa_peer.requests[-1][1]["sender"] == "api:telephonie:dr-martin"


@pytest.mark.parametrize("sender,body,status,code", [
    ("dr martin", {"message": "bonjour"}, 400, "requete_invalide"),
    ("x" * 65, {"message": "bonjour"}, 400, "requete_invalide"),
    ("dr-martin", {"message": ""}, 400, "requete_invalide"),
    ("dr-martin", {"texte": "bonjour"}, 400, "requete_invalide"),
])
def test_conversation_errors(gateway, sender, body, status, code):
    r = gateway.request("POST", f"/api/v1/conversations/{sender.replace(' ', '%20')}/messages", body)
    assert r.status == status
    assert r.body["erreur"]["code"] == code


def test_conversation_bot_down(slow_gateway):
    r = slow_gateway.request("POST", "/api/v1/conversations/dr-martin/messages", {"message": "bonjour"}, token="telephonie")
    assert r.status == 503
    assert r.body["erreur"]["code"] == "bot_indisponible"


# -- limits ------------------------------------------------------------------------------------


def test_body_size_limit(slow_gateway):
    big = {"texte": "dame 87 ans " + "x" * 2000}
    r = slow_gateway.request("POST", "/api/v1/orientation", big, token="telephonie")
    assert r.status == 413
    assert r.body["erreur"]["code"] == "corps_trop_volumineux"


def test_body_size_limit_chunked(slow_gateway):
    """Without Content-Length (chunked upload) the limit still holds."""
    host, port = slow_gateway.url.removeprefix("http://").split(":")
    body = json.dumps({"texte": "y" * 4000}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 500]), body[i:i + 500]) for i in range(0, len(body), 500)) + b"0\r\n\r\n"
    head = (
        f"POST /api/v1/orientation HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKENS['telephonie']}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(head + chunks)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert b"corps_trop_volumineux" in data


def test_rate_limit_per_client(slow_gateway):
    """6 requests per minute for `portail`; the 7th gets 429 with Retry-After; `telephonie` is not affected."""
    statuses = []
    for _ in range(7):
        r = slow_gateway.request("GET", "/api/v1/services/dac-18", token="portail")
        statuses.append(r.status)
    assert statuses[:6] == [200] * 6
    assert statuses[6] == 429
    assert r.body["erreur"]["code"] == "trop_de_requetes"
    assert 1 <= int(r.headers["retry-after"]) <= 10
    assert slow_gateway.request("GET", "/api/v1/services/dac-18", token="telephonie").status == 200


# -- CORS --------------------------------------------------------------------------------------

CORS_CASES = [
    # (origin, allowed)
    (ORIGIN, True),
    (ORIGIN + "/", True),
    ("https://malveillant.exemple", False),
    ("http://portail.exemple.fr", False),
]


@pytest.mark.parametrize("origin,allowed", CORS_CASES)
def test_cors(gateway, origin, allowed):
    r = gateway.request("POST", "/api/v1/orientation", {"texte": EXAMPLE}, headers={"Origin": origin})
    assert r.status == 200
    assert (r.headers.get("access-control-allow-origin") == origin) is allowed
    assert "origin" in r.headers.get("vary", "").lower()
    pre = gateway.request("OPTIONS", "/api/v1/orientation", token=None, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"})
    if allowed:
        assert pre.status == 204
        assert pre.headers["access-control-allow-origin"] == origin
        assert "authorization" in pre.headers["access-control-allow-headers"].lower()
    else:
        assert pre.status == 403
        assert pre.body["erreur"]["code"] == "origine_refusee"
        assert "access-control-allow-origin" not in pre.headers


BUCKET_CASES = [
    # (rate per minute, request times in seconds, expected allowed flags)
    (2, [0, 0, 0], [True, True, False]),
    (2, [0, 0, 30], [True, True, True]),        # one token back after 30 s at 2/min
    (2, [0, 0, 10], [True, True, False]),
    (60, [0] * 60 + [0.5, 1.0], [True] * 60 + [False, True]),
]


@pytest.mark.parametrize("rate,times,expected", BUCKET_CASES)
def test_token_bucket(rate, times, expected):
    from bot.api.app import TokenBucket

    now = [0.0]
    bucket = TokenBucket(rate, clock=lambda: now[0])
    got = []
    for t in times:
        now[0] = t
        got.append(bucket.take("client:portail")[0])
    assert got == expected
    assert bucket.take("client:autre")[0] is True     # buckets are per client


@pytest.mark.e2e
def test_conversation_with_the_real_bot(real_gateway):
    """A phone-line tool drives a whole exchange: request without a place, then the commune."""
    path = "/api/v1/conversations/appel-4711/messages"
    r = real_gateway.request("POST", path, {"message": "monsieur 78 ans, troubles de la mémoire, épouse épuisée"}, token="telephonie")
    assert r.status == 200, r.body
    assert any("commune" in m.get("text", "").lower() for m in r.body["messages"])
    r = real_gateway.request("POST", path, {"message": "Vierzon"}, token="telephonie")
    payloads = [m["custom"]["orientation"] for m in r.body["messages"] if "custom" in m]
    assert payloads and payloads[-1]["commune"]["code_insee"] == "18279"
    assert payloads[-1]["recommandations"] and all(PHONE_RE.match(x["telephone"]) for x in payloads[-1]["recommandations"] if x["telephone"])
    # the same conversation name under another client is another conversation: no place known yet
    r = real_gateway.request("POST", path, {"message": "est-il ouvert samedi ?"}, token="portail")
    assert not any("custom" in m and m["custom"]["orientation"]["commune"] for m in r.body["messages"])
