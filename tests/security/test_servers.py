"""Attacks on the internal servers of the running stack: where they listen, Rasa's HTTP API without
its token, the action server without its secret, CORS from a foreign origin."""
from __future__ import annotations

import os
import socket
import uuid

import pytest

from bot.processes import rasa_api
from tests.security.conftest import EVIL, http, listening_addresses, non_loopback_address, rest, tracker

pytestmark = pytest.mark.e2e
LOOPBACK = {"127.0.0.1", "::1"}


@pytest.mark.parametrize("name", ["rasa", "actions", "console"])
def test_internal_servers_listen_on_loopback_only(stack, name):
    port = getattr(stack.ports, name)
    addresses = listening_addresses(port)
    assert addresses, f"{name} does not listen on {port}"
    assert addresses <= LOOPBACK, f"{name} listens on {addresses}"
    ip = non_loopback_address()
    if ip:                      # and really unreachable from the machine's own network address
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((ip, port)) != 0


@pytest.mark.parametrize("name", ["webchat", "api"])
def test_public_paths_listen_where_configured(stack, name):
    expected = os.environ.get("AIGUILLAGE_PUBLIC_HOST") or "0.0.0.0"
    assert listening_addresses(getattr(stack.ports, name)) == {expected}


RASA_API_CALLS = [
    ("GET", "/status", None),
    ("GET", "/conversations/{victim}/tracker", None),
    ("GET", "/conversations/{victim}/story", None),
    ("POST", "/conversations/{victim}/trigger_intent", {"name": "ouvrir_demande"}),
    ("POST", "/conversations/{victim}/tracker/events", {"event": "slot", "name": "commune", "value": "18033"}),
    ("POST", "/conversations/{victim}/messages", {"text": "bonjour", "sender": "user"}),
    ("POST", "/model/parse", {"text": "bonjour"}),
    ("PUT", "/model", {"model_server": {"url": "http://127.0.0.1:9/model.tar.gz"}}),
    ("DELETE", "/model", None),
    ("GET", "/domain", None),
]


@pytest.fixture(scope="module")
def victim(stack):
    sender = f"victime-{uuid.uuid4().hex[:8]}"
    assert rest(stack, sender, "dame 87 ans seule à Vierzon, chutes").status == 200
    return sender


@pytest.mark.parametrize("method,path,body", RASA_API_CALLS, ids=[f"{m} {p}" for m, p, _ in RASA_API_CALLS])
@pytest.mark.parametrize("token", [None, "", "mauvais-jeton"])
def test_rasa_api_refuses_calls_without_the_token(stack, victim, method, path, body, token):
    url = f"http://127.0.0.1:{stack.ports.rasa}{path.format(victim=victim)}"
    if token is not None:
        url += f"?token={token}"
    r = http(method, url, body)
    assert r.status in (401, 403), (r.status, r.body[:200])
    assert b"victime" not in r.body and b"Vierzon" not in r.body


def test_the_bot_still_answers_after_the_refused_calls(stack, victim):
    r = rest(stack, f"apres-{uuid.uuid4().hex[:8]}", "bonjour")
    assert r.status == 200 and any(m.get("text") for m in r.json())
    assert http("GET", rasa_api(stack, "/status")).status == 200     # the token itself works
    events = tracker(stack, victim)["events"]
    assert not any(e["event"] == "slot" and e.get("value") == "18033" for e in events)


@pytest.mark.parametrize("headers", [{}, {"X-Aiguillage-Secret": ""}, {"X-Aiguillage-Secret": "mauvais-secret"},
                                     {"Authorization": "Bearer x"}])
def test_action_server_refuses_webhook_without_the_secret(stack, headers):
    forged = {"next_action": "action_enregistrer_demande", "sender_id": "faussaire",
              "tracker": {"sender_id": "faussaire", "slots": {"demande_confirmation": "confirmee"}, "events": [],
                          "latest_message": {}}, "domain": {}, "version": "3.6.2"}
    r = http("POST", f"http://127.0.0.1:{stack.ports.actions}/webhook", forged, headers=headers)
    assert r.status == 403 and b"refus" in r.body
    assert http("GET", f"http://127.0.0.1:{stack.ports.actions}/actions", headers=headers).status == 403
    assert http("GET", f"http://127.0.0.1:{stack.ports.actions}/health").status == 200


def test_action_server_accepts_rasa_with_the_secret(stack):
    secret = stack.env["AIGUILLAGE_ACTION_SECRET"]
    r = http("GET", f"http://127.0.0.1:{stack.ports.actions}/actions", headers={"X-Aiguillage-Secret": secret})
    assert r.status == 200 and {"name": "action_orienter"} in r.json()


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/status", "/conversations/x/tracker", "/socket.io/?EIO=4&transport=polling"])
def test_rasa_does_not_reflect_a_foreign_origin(stack, path):
    for method in ("OPTIONS", "GET"):
        r = http(method, f"http://127.0.0.1:{stack.ports.rasa}{path}",
                 headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
        allowed = r.headers.get("access-control-allow-origin")
        assert allowed not in (EVIL, "*"), (method, path, r.headers)


def test_rasa_socketio_refuses_browser_pages(stack):
    """Only the relay (no Origin) speaks to Rasa's socket.io; a page reaching 127.0.0.1 is refused."""
    url = f"http://127.0.0.1:{stack.ports.rasa}/socket.io/?EIO=4&transport=polling"
    assert http("GET", url, headers={"Origin": EVIL}).status in (400, 403)
    assert http("GET", url, headers={"Origin": f"http://127.0.0.1:{stack.ports.rasa}"}).status in (400, 403)
    assert http("GET", url).status == 200


def test_rest_channel_refuses_web_pages(stack):
    """Another site's page in a user's browser can POST to 127.0.0.1 without CORS: refused."""
    r = http("POST", f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook",
             raw=b'{"sender": "dr-local", "message": "bonjour"}', headers={"Origin": EVIL, "Content-Type": "text/plain"})
    assert r.status == 403


def test_webchat_relay_and_api_do_not_reflect_a_foreign_origin(stack, api_url):
    r = http("GET", f"http://127.0.0.1:{stack.ports.webchat}/socket.io/?EIO=4&transport=polling", headers={"Origin": EVIL})
    assert r.status == 403 and "access-control-allow-origin" not in r.headers
    ok = http("GET", f"http://127.0.0.1:{stack.ports.webchat}/socket.io/?EIO=4&transport=polling",
              headers={"Origin": f"http://127.0.0.1:{stack.ports.webchat}"})
    assert ok.status == 200 and b"sid" in ok.body                      # the page's own origin works
    for method in ("OPTIONS", "POST"):
        r = http(method, f"{api_url}/api/v1/orientation", {"texte": "x"} if method == "POST" else None,
                 headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
        assert r.headers.get("access-control-allow-origin") not in (EVIL, "*")


def test_processes_show_no_secret_in_their_command_line(stack):
    for name, proc in stack.procs.items():
        cmdline = open(f"/proc/{proc.pid}/cmdline", "rb").read().decode(errors="replace")
        for key in ("AIGUILLAGE_RASA_TOKEN", "AIGUILLAGE_ACTION_SECRET", "AIGUILLAGE_CHANNEL_SECRET", "AIGUILLAGE_ID_KEY"):
            assert stack.env[key] not in cmdline, (name, key)
        assert "--cors" not in cmdline


def test_secrets_file_is_private_and_outside_git(stack):
    import stat
    import subprocess

    from bot import keys
    from bot.processes import ROOT

    path = keys.secrets_file(stack.env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert all(len(v) >= 32 for v in keys.ensure(path).values())
    if path.is_relative_to(ROOT) and (ROOT / ".git").exists():
        ignored = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT)
        assert ignored.returncode == 0, "the secrets file must be ignored by git"
