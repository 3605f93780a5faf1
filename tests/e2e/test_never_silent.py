"""Never silent, against the running stack: every message of tests/faults/inputs.yml gets a French
text, malformed bodies get a French 400, long messages are cut before the NLU, a "oui" outside a
form always answers (and re-confirms a written request with the same number)."""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.harness import post

pytestmark = pytest.mark.e2e


def sid() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def raw_post(port: int, body: bytes, ctype: str = "application/json"):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_every_varied_or_hostile_input_gets_a_text_in_time(stack):
    from scripts.silence_report import load_inputs

    singles, conversations = load_inputs()
    jobs = [[m] for m in singles] + conversations
    assert sum(map(len, jobs)) >= 200

    def run(messages):
        sender = sid()
        return [(m, post(stack.ports.rasa, sender, m, timeout=30)) for m in messages]

    with ThreadPoolExecutor(3) as pool:
        replies = [x for rs in pool.map(run, jobs) for x in rs]
    silent = [m[:60] for m, r in replies if r.status != 200 or not r.texts]
    assert silent == []
    # The guard answers within its 4 s budget (its clock no longer runs on the bot's loop), plus
    # at most 1 s for a committed turn's save and the fallback; the loose bound here leaves room
    # for the client's side on 2 cores shared by several stacks (figures in docs/reliability.md).
    slow = [(m[:40], round(r.seconds, 1)) for m, r in replies if r.seconds > 12.0]
    assert slow == []


@pytest.mark.parametrize("body", [b"pas du json", b"[1, 2, 3]", b'"texte"', b"null", b'{"sender": "x"}',
                                  b'{"sender": "x", "message": 5}', b'{"sender": [], "message": "x"}'])
def test_malformed_bodies_get_a_french_400(stack, body):
    status, answer = raw_post(stack.ports.rasa, body)
    assert status == 400
    assert answer["erreur"]["code"] in ("json_invalide", "requete_invalide")
    assert re.search(r"corps|champ|JSON", answer["erreur"]["message"])


def test_a_100_kb_message_is_cut_before_the_nlu_and_answered_at_once(stack):
    text = "dame 87 ans seule à Bourges, chutes, refuse les aides. " + "a%" * 50000
    reply = post(stack.ports.rasa, sid(), text, timeout=30)
    assert reply.status == 200 and reply.seconds < 12.0
    assert "trop long" in reply.texts[0] and "100\u202f" in reply.texts[0]
    assert len(reply.texts) >= 2  # the note, then the bot's own answer or the French fallback


def test_oui_outside_a_form_always_answers(stack):
    for flow in (["oui"], ["bonjour", "oui"], ["merci", "oui", "oui"]):
        sender = sid()
        for m in flow:
            reply = post(stack.ports.rasa, sender, m, timeout=30)
            assert reply.status == 200 and reply.texts, (flow, m)


def test_fifteen_alone_is_not_a_place_outside_the_region(stack):
    sender = sid()
    post(stack.ports.rasa, sender, "patiente 80 ans troubles cognitifs", timeout=30)
    reply = post(stack.ports.rasa, sender, "15", timeout=30)
    assert reply.texts and not any("n'est pas en Centre-Val de Loire" in t for t in reply.texts)
    reply = post(stack.ports.rasa, sid(), "3.14159", timeout=30)
    assert reply.texts and not any("n'est pas en Centre-Val de Loire" in t for t in reply.texts)


def test_a_retried_oui_reconfirms_the_same_request(stack):
    from tests.faults.harness import drive_form

    out = drive_form(stack, sid())  # no fault: ends with a second "oui" (double click)
    assert len(out.confirmed) == 1 and out.written == sorted(out.confirmed)
    assert "inutile de la renvoyer" in out.replies[-1].text and out.written[0] in out.replies[-1].text
    time.sleep(0.1)
