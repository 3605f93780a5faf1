"""E-mail notifications to the requester, received by a real SMTP peer (aiosmtpd)."""
from __future__ import annotations

import socket
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from knowledge.tickets import compose, send_pending, settings_from_env
from knowledge.tickets import TZ, TicketStore
from tests.knowledge.test_tickets import Clock, db_url, request  # noqa: F401 - fixture reuse


class Inbox:
    """aiosmtpd handler keeping the received messages; refuses recipients in `refuse`."""

    def __init__(self, refuse=()):
        self.messages = []
        self.refuse = set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Boîte inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        self.messages.append((envelope.rcpt_tos[:], msg))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=free_port())
    ctl.start()
    yield inbox, ctl.port
    ctl.stop()


@pytest.fixture
def clock():
    return Clock(datetime(2026, 11, 23, 10, 0, tzinfo=TZ))


@pytest.fixture
def store(db_url, clock):  # noqa: F811
    s = TicketStore(db_url, clock=clock)
    yield s
    s.dispose()


SENDER = "aiguillage@dac.exemple.fr"


def body(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_status_changes_reach_the_requester_in_french_without_identifiers(store, smtp):
    inbox, port = smtp
    t = store.create(request(), "k")
    store.transition(t.numero, "en_cours", by="alice")
    store.transition(t.numero, "cloturee", by="alice",
                     outcome="Prise en charge par le DAC ; Mme Dupont sera vue à domicile")
    report = send_pending(store, "127.0.0.1", port, SENDER)
    assert (report.envoyees, report.echecs) == (3, 0)
    assert [m["Subject"] for _, m in inbox.messages] == [
        f"Demande {t.numero} : reçue", f"Demande {t.numero} : en cours",
        f"Demande {t.numero} : clôturée"]
    for rcpt, msg in inbox.messages:
        assert rcpt == ["claire.martin@medecin.mssante.fr"]
        assert msg["From"] == SENDER and msg["To"] == "claire.martin@medecin.mssante.fr"
        text = body(msg)
        assert text.startswith("Bonjour,")
        assert "DAC du Cher" in text and "02 61 91 18 00" in text and t.numero in text
        for secret in ("Dupont", "1939", "06 12 34 56 78", "Claire"):
            assert secret not in text
    first = body(inbox.messages[0][1])
    assert "au plus tard le mardi 24 novembre 2026 à 18h" in first
    last = body(inbox.messages[-1][1])
    assert "Issue : Prise en charge par le DAC ; Mme [nom] sera vue à domicile" in last
    # nothing left to send, nothing sent twice
    assert send_pending(store, "127.0.0.1", port, SENDER) == (0, 0)
    assert len(inbox.messages) == 3
    assert all(row["envoyee_le"] is not None for row in store.outbox(t.numero))


def test_smtp_down_then_up_retries_without_loss_or_duplicate(store, clock):
    t = store.create(request(), "k")
    port = free_port()  # nothing listens there yet
    report = send_pending(store, "127.0.0.1", port, SENDER, timeout=3)
    assert (report.envoyees, report.echecs) == (0, 1)
    row = store.outbox(t.numero)[0]
    assert row["envoyee_le"] is None and row["tentatives"] == 1
    assert "connexion SMTP impossible" in row["derniere_erreur"]
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        assert send_pending(store, "127.0.0.1", port, SENDER) == (0, 0)   # backoff not over
        clock.at += timedelta(minutes=2)
        assert send_pending(store, "127.0.0.1", port, SENDER) == (1, 0)
        assert send_pending(store, "127.0.0.1", port, SENDER) == (0, 0)
    finally:
        ctl.stop()
    assert len(inbox.messages) == 1
    assert inbox.messages[0][1]["Message-ID"] == f"<notification-{row['id']}.{t.numero}@dac.exemple.fr>"


def test_a_refused_recipient_does_not_block_the_others(store):
    inbox = Inbox(refuse={"inconnu@medecin.mssante.fr"})
    ctl = Controller(inbox, hostname="127.0.0.1", port=free_port())
    ctl.start()
    try:
        bad = store.create(request(rappel_messagerie="inconnu@medecin.mssante.fr"), "bad")
        good = store.create(request(), "good")
        report = send_pending(store, "127.0.0.1", ctl.port, SENDER)
    finally:
        ctl.stop()
    assert (report.envoyees, report.echecs) == (1, 1)
    assert [m["Subject"] for _, m in inbox.messages] == [f"Demande {good.numero} : reçue"]
    assert store.outbox(bad.numero)[0]["envoyee_le"] is None
    assert "550" in store.outbox(bad.numero)[0]["derniere_erreur"]


@pytest.mark.parametrize("statut,issue,expected", [
    ("recue", None, "Votre demande a bien été reçue"),
    ("en_cours", None, "a pris en charge votre demande"),
    ("en_attente", None, "en attente d'un élément"),
    ("cloturee", "Orientée vers un autre service", "Issue : Orientée vers un autre service"),
    ("cloturee", "appeler M. Martin au 0612345678", "Issue : appeler M. [nom] au [téléphone]"),
])
def test_compose(statut, issue, expected):
    sujet, corps = compose("AIG-2026-000123", statut, issue=issue, dac_nom="DAC de l'Indre",
                           dac_telephone="02 61 91 36 00")
    assert sujet.startswith("Demande AIG-2026-000123 : ")
    assert expected in corps
    assert "appelez DAC de l'Indre au 02 61 91 36 00 en rappelant le numéro AIG-2026-000123" in corps
    assert "Martin" not in corps and "0612345678" not in corps


@pytest.mark.parametrize("env,expected", [
    ({}, None),
    ({"AIGUILLAGE_SMTP_HOST": "smtp.exemple.fr"}, ("smtp.exemple.fr", 25, "aiguillage@localhost", False, None)),
    ({"AIGUILLAGE_SMTP_HOST": "smtp.exemple.fr", "AIGUILLAGE_SMTP_PORT": "587",
      "AIGUILLAGE_SMTP_STARTTLS": "oui", "AIGUILLAGE_SMTP_USER": "u", "AIGUILLAGE_SMTP_PASSWORD": "p",
      "AIGUILLAGE_SMTP_FROM": "dac@exemple.fr"}, ("smtp.exemple.fr", 587, "dac@exemple.fr", True, "u")),
])
def test_settings_from_env(env, expected):
    s = settings_from_env(env)
    if expected is None:
        assert s is None
    else:
        assert (s.host, s.port, s.sender, s.starttls, s.username) == expected


def test_after_an_18_minute_relay_outage_every_mail_leaves_within_a_minute(store, clock):
    """Worker passes every 30 s; the relay is down 18 min: the capped back-off (30 s) means the
    first pass after its return finds every notification due, whatever the number of failures."""
    tickets = [store.create(request(), f"k{i}") for i in range(3)]
    port = free_port()  # nothing listens there during the outage
    start = clock.at
    while clock.at - start < timedelta(minutes=18):
        send_pending(store, "127.0.0.1", port, SENDER, timeout=1)
        clock.at += timedelta(seconds=30)
    assert all(row["envoyee_le"] is None and row["tentatives"] >= 10
               for t in tickets for row in store.outbox(t.numero))
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()  # the relay is back
    back = clock.at
    try:
        while len(inbox.messages) < 3 and clock.at - back <= timedelta(minutes=5):
            send_pending(store, "127.0.0.1", port, SENDER)
            if len(inbox.messages) < 3:
                clock.at += timedelta(seconds=30)
    finally:
        ctl.stop()
    assert len(inbox.messages) == 3
    assert clock.at - back <= timedelta(seconds=60)
    assert send_pending(store, "127.0.0.1", port, SENDER) == (0, 0)  # nothing sent twice
