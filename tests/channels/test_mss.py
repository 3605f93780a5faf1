"""The MSSanté mail channel against local peers: TLS IMAP mailbox, STARTTLS+AUTH SMTP, Rasa REST."""
from __future__ import annotations

import hashlib
import imaplib
import json
import re
from email.message import EmailMessage

import pytest

from bot import keys
from bot.channels.mss import (ATTACHMENT_NOTE, EMPTY_ANSWER, MailSettings, MailSettingsError, State,
                              conversation_id, poll_once)
from bot.processes import free_port
from tests.channels.conftest import USER, make_settings

GP = "anne.martin@medecin.mssante.fr"
REQUEST = "patiente 87 ans seule à domicile à Saint-Amand-Montrond, chutes à répétition, refuse les aides"
PAYLOAD = {"orientation": {
    "urgence": None, "urgences": [], "niveau": 3,
    "commune": {"code_insee": "18197", "nom": "Saint-Amand-Montrond", "departement": "18"},
    "motifs": ["personne âgée", "chutes à répétition"],
    "recommandations": [{
        "id": "dac-18", "type": "DAC", "nom": "DAC du Cher", "departements": ["18"], "telephone": "02 61 91 18 00",
        "messagerie_securisee": "contact@dac18.exemple.mssante.fr", "adresse": "12 rue Jean-Baffier, 18000 Bourges",
        "ouvert_maintenant": True, "prochaine_ouverture": None, "horaires_du_jour": "8h30–12h30, 13h30–18h",
        "statut": "ouvert jusqu'à 12h30", "pourquoi": "Situation complexe.", "exemple": True}],
    "ouverts_maintenant": [], "ticket": None}}
ANSWERS = [{"recipient_id": GP, "text": "Niveau 3 – appui du DAC.", "buttons": [
    {"title": "Ouvrir une demande d'appui", "payload": "/ouvrir_demande"}, {"title": "Non merci", "payload": "/nier"}],
    "custom": PAYLOAD}]


def gp_mail(body: str, sender: str = f"Dr Anne Martin <{GP}>", subject: str = "Orientation patiente", mid: str = "<m1@medecin.mssante.fr>",
            attachments=(), **headers) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"] = sender, USER, subject, mid
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    for name, data, mime in attachments:
        m.add_attachment(data, maintype=mime.split("/")[0], subtype=mime.split("/")[1], filename=name)
    return m.as_bytes()


@pytest.fixture
def settings(imap, smtp, certs, rasa_peer, tmp_path):
    rasa_peer.answers = ANSWERS
    return make_settings(imap, smtp, certs, f"http://127.0.0.1:{rasa_peer.port}", tmp_path / "state.json")


def parts(msg):
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    atts = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    return plain, html, atts


THREAD_CASES = [
    # (case, body, subject, what the bot must receive)
    ("new request", f"Bonjour,\n\n{REQUEST}\n\nCordialement,\nDr Anne Martin\nMédecin généraliste", "Orientation patiente", REQUEST),
    ("answer in a thread", "Saint-Amand-Montrond\n\nLe lun. 23 nov. 2026 à 10:02, Aiguillage <aiguillage@dac18.exemple.mssante.fr> a écrit :\n> Dans quelle commune ?",
     "Re: Orientation patiente", "Saint-Amand-Montrond"),
    ("outlook reply", f"{REQUEST}\n\nDe : Aiguillage\nEnvoyé : lundi 23 novembre 2026\nObjet : RE: Orientation\n\nancien texte", "RE: Orientation", REQUEST),
]


@pytest.mark.parametrize("case,body,subject,sent", THREAD_CASES, ids=[c[0] for c in THREAD_CASES])
def test_answer_in_the_same_thread(settings, imap, smtp, rasa_peer, case, body, subject, sent):
    uid = imap.deliver(gp_mail(body, subject=subject, References="<m0@medecin.mssante.fr>"))
    report = poll_once(settings)
    assert (report.lus, report.repondus, report.en_attente) == (1, 1, 0)
    conversation = conversation_id(GP)
    assert rasa_peer.received == [{"sender": conversation, "message": sent, "metadata": {"canal": "email"}}]
    # a keyed HMAC of the address: stable, case-insensitive, not the address nor a plain hash of it
    assert re.fullmatch(r"mail:[0-9a-f]{32}", conversation) and conversation == conversation_id(GP.upper())
    assert GP not in conversation and hashlib.sha256(GP.encode()).hexdigest()[:32] not in conversation
    assert rasa_peer.headers[-1][keys.CHANNEL_HEADER] == keys.get("AIGUILLAGE_CHANNEL_SECRET")
    assert imap.seen(uid)
    assert smtp.logins == [USER]                      # authenticated after STARTTLS
    (mail_from, rcpts, reply), = smtp.messages
    assert rcpts == [GP] and mail_from == USER
    assert reply["Subject"] == ("Re: Orientation patiente" if subject.startswith("Orientation") else subject)
    assert reply["In-Reply-To"] == "<m1@medecin.mssante.fr>"
    assert reply["References"].split() == ["<m0@medecin.mssante.fr>", "<m1@medecin.mssante.fr>"]
    assert reply["Auto-Submitted"] == "auto-replied"
    plain, html, atts = parts(reply)
    assert "Niveau 3 – appui du DAC." in plain
    assert "DAC du Cher (DAC) — ouvert maintenant" in plain and "Téléphone : 02 61 91 18 00" in plain
    assert "« Ouvrir une demande d'appui »" in plain
    assert '<a href="tel:0261911800">02 61 91 18 00</a>' in html
    assert json.loads(atts["orientation.json"]) == PAYLOAD


def test_emergency_first(settings, imap, smtp, rasa_peer):
    rasa_peer.answers = [{"text": "⚠️ SAMU – urgence vitale : appelez le 15.", "custom": {"orientation": {
        "urgence": {"numero": "15", "libelle": "SAMU – urgence vitale"}, "urgences": [{"numero": "15", "libelle": "SAMU – urgence vitale"}],
        "niveau": None, "commune": None, "motifs": [], "recommandations": [], "ticket": None}}}]
    imap.deliver(gp_mail("homme 50 ans douleur thoracique intense depuis 20 minutes"))
    poll_once(settings)
    plain, html, _ = parts(smtp.messages[0][2])
    assert plain.startswith("URGENCE : appelez le 15 (SAMU – urgence vitale).")
    assert html.index("URGENCE") < html.index("⚠️")
    assert 'href="tel:15"' in html


def test_bot_down_message_stays_unread_and_is_retried(settings, imap, smtp, rasa_peer):
    uid = imap.deliver(gp_mail(REQUEST))
    rasa_peer.status = 500
    report = poll_once(settings)
    assert (report.repondus, report.en_attente) == (0, 1)
    assert not imap.seen(uid) and smtp.messages == []
    rasa_peer.status = 200
    report = poll_once(settings)
    assert (report.repondus, report.en_attente) == (1, 0)
    assert imap.seen(uid) and len(smtp.messages) == 1


def test_bot_unreachable(imap, smtp, certs, tmp_path):
    s = make_settings(imap, smtp, certs, f"http://127.0.0.1:{free_port()}", tmp_path / "state.json")
    uid = imap.deliver(gp_mail(REQUEST))
    report = poll_once(s)
    assert report.en_attente == 1 and "assistant indisponible" in report.erreurs[0]
    assert not imap.seen(uid) and smtp.messages == []


def test_smtp_down_retry_does_not_ask_the_bot_twice(settings, imap, smtp, rasa_peer):
    uid = imap.deliver(gp_mail(REQUEST))
    smtp.down = True
    report = poll_once(settings)
    assert report.en_attente == 1 and not imap.seen(uid)
    smtp.down = False
    report = poll_once(settings)
    assert report.repondus == 1 and imap.seen(uid)
    assert len(rasa_peer.received) == 1 and len(smtp.messages) == 1


def test_never_answered_twice(settings, imap, smtp, rasa_peer):
    """If the \\Seen flag is lost after the reply was sent (crash, other client), no second reply."""
    uid = imap.deliver(gp_mail(REQUEST))
    poll_once(settings)
    imap.get(uid).flags.discard("\\Seen")
    report = poll_once(settings, State(settings.state_file))   # a restarted process
    assert report.repondus == 1 and imap.seen(uid)
    assert len(smtp.messages) == 1 and len(rasa_peer.received) == 1


REFUSED_CASES = [
    # (case, raw mail, outcome counter)
    ("domain not allowed", gp_mail(REQUEST, sender="Dr X <x@gmail.com>"), "refuses"),
    ("look-alike domain", gp_mail(REQUEST, sender="x@mssante.fr.attaquant.com"), "refuses"),
    ("reply-to outside", gp_mail(REQUEST, Reply_To="x@gmail.com"), "refuses"),
    ("out of office", gp_mail("Absente jusqu'au 30.", Auto_Submitted="auto-replied"), "automatiques"),
    ("bounce", gp_mail("Undelivered", sender="MAILER-DAEMON@medecin.mssante.fr"), "automatiques"),
    ("our own message", gp_mail("Réponse", sender=USER), "automatiques"),
]


@pytest.mark.parametrize("case,raw,counter", REFUSED_CASES, ids=[c[0] for c in REFUSED_CASES])
def test_not_answered_but_marked_seen(settings, imap, smtp, rasa_peer, case, raw, counter):
    uid = imap.deliver(raw)
    report = poll_once(settings)
    assert getattr(report, counter) == 1 and report.repondus == 0
    assert imap.seen(uid)
    assert smtp.messages == [] and rasa_peer.received == []


def test_attachments_ignored_with_a_note(settings, imap, smtp, rasa_peer):
    imap.deliver(gp_mail(REQUEST, attachments=[("compte-rendu.pdf", b"%PDF-1.4 x", "application/pdf")]))
    poll_once(settings)
    assert rasa_peer.received[0]["message"] == REQUEST
    plain, html, atts = parts(smtp.messages[0][2])
    assert ATTACHMENT_NOTE.format(noms="compte-rendu.pdf") in plain
    assert set(atts) == {"orientation.json"}


def test_empty_text_answered_without_the_bot(settings, imap, smtp, rasa_peer):
    imap.deliver(gp_mail("\n-- \nDr Anne Martin", attachments=[("scan.jpg", b"\xff\xd8", "image/jpeg")]))
    poll_once(settings)
    assert rasa_peer.received == []
    plain, _, atts = parts(smtp.messages[0][2])
    assert EMPTY_ANSWER in plain and "scan.jpg" in plain
    assert "orientation.json" not in atts


def test_several_messages_one_poll(settings, imap, smtp, rasa_peer):
    uids = [imap.deliver(gp_mail(f"{REQUEST} ({i})", mid=f"<m{i}@medecin.mssante.fr>")) for i in range(3)]
    report = poll_once(settings)
    assert report.repondus == 3 and all(imap.seen(u) for u in uids)
    assert [m[2]["In-Reply-To"] for m in smtp.messages] == [f"<m{i}@medecin.mssante.fr>" for i in range(3)]


def test_bad_credentials_leave_the_mailbox_untouched(imap, smtp, certs, rasa_peer, tmp_path):
    s = make_settings(imap, smtp, certs, f"http://127.0.0.1:{rasa_peer.port}", tmp_path / "s.json")
    s.password = "faux"
    uid = imap.deliver(gp_mail(REQUEST))
    with pytest.raises(imaplib.IMAP4.error):
        poll_once(s)
    assert not imap.seen(uid) and rasa_peer.received == []


def test_untrusted_certificate_is_refused(imap, smtp, rasa_peer, tmp_path, certs):
    """Without the CA of the server's certificate, the channel does not talk to it."""
    import ssl

    s = make_settings(imap, smtp, certs, f"http://127.0.0.1:{rasa_peer.port}", tmp_path / "s.json")
    s.ca_file = None
    with pytest.raises(ssl.SSLError):
        poll_once(s)


ENV_CASES = [
    # (env, error fragment or None)
    ({"AIGUILLAGE_MAIL_IMAP_HOST": "imap.exemple.mssante.fr", "AIGUILLAGE_MAIL_SMTP_HOST": "smtp.exemple.mssante.fr",
      "AIGUILLAGE_MAIL_USER": "aiguillage@dac18.exemple.mssante.fr"}, None),
    ({"AIGUILLAGE_MAIL_SMTP_HOST": "s", "AIGUILLAGE_MAIL_USER": "u"}, "AIGUILLAGE_MAIL_IMAP_HOST"),
    ({"AIGUILLAGE_MAIL_IMAP_HOST": "i", "AIGUILLAGE_MAIL_SMTP_HOST": "s", "AIGUILLAGE_MAIL_USER": "u",
      "AIGUILLAGE_MAIL_IMAP_TLS": "tls1.3"}, "ssl, starttls ou aucune"),
    ({"AIGUILLAGE_MAIL_IMAP_HOST": "i", "AIGUILLAGE_MAIL_SMTP_HOST": "s", "AIGUILLAGE_MAIL_USER": "u",
      "AIGUILLAGE_MAIL_IMAP_PORT": "neuf"}, "numérique"),
    ({"AIGUILLAGE_MAIL_IMAP_HOST": "i", "AIGUILLAGE_MAIL_SMTP_HOST": "s", "AIGUILLAGE_MAIL_USER": "u",
      "AIGUILLAGE_MAIL_ALLOWED_DOMAINS": " , "}, "ALLOWED_DOMAINS"),
]


@pytest.mark.parametrize("env,error", ENV_CASES)
def test_settings_from_env(env, error):
    if error is None:
        s = MailSettings.from_env(env)
        assert (s.imap_port, s.imap_security, s.smtp_port, s.smtp_security) == (993, "ssl", 587, "starttls")
        assert s.allowed_domains == ("mssante.fr",) and s.sender_address == env["AIGUILLAGE_MAIL_USER"]
    else:
        with pytest.raises(MailSettingsError, match=error):
            MailSettings.from_env(env)


# -- against the real bot --------------------------------------------------------------------------


@pytest.mark.e2e
def test_real_bot_by_mail(stack, imap, smtp, certs, tmp_path):
    """The issue's example by e-mail, then "ouvrir une demande" in the same thread."""
    s = make_settings(imap, smtp, certs, f"http://127.0.0.1:{stack.ports.rasa}", tmp_path / "state.json")
    sender = "dr.mail.e2e@medecin.mssante.fr"
    imap.deliver(gp_mail(f"Bonjour,\n{REQUEST}\nCordialement,\nDr Mail", sender=sender, mid="<e2e1@medecin.mssante.fr>"))
    assert poll_once(s).repondus == 1
    plain, html, atts = parts(smtp.messages[0][2])
    o = json.loads(atts["orientation.json"])["orientation"]
    assert o["recommandations"][0]["type"] == "DAC" and o["commune"]["code_insee"] == "18197"
    assert o["recommandations"][0]["telephone"] in plain
    imap.deliver(gp_mail("Ouvrir une demande d'appui", sender=sender, subject="Re: Orientation patiente",
                         mid="<e2e2@medecin.mssante.fr>", In_Reply_To="<e2e1@medecin.mssante.fr>"))
    assert poll_once(s).repondus == 1
    plain2, _, _ = parts(smtp.messages[1][2])
    assert "?" in plain2.split("—")[0]          # the support-request form asks its first question
    assert smtp.messages[1][2]["In-Reply-To"] == "<e2e2@medecin.mssante.fr>"


def _run_in_thread(settings):
    import threading
    from bot.channels.mss import run
    stop = threading.Event()
    t = threading.Thread(target=run, args=(settings,), kwargs={"stop": stop}, daemon=True)
    t.start()
    return stop, t


def _until(predicate, timeout=15.0):
    import time
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_idle_answers_new_mail_at_once(imap, smtp, rasa_peer, certs, tmp_path):
    """With IDLE, a message is answered as it arrives, long before the next poll would run."""
    import time
    from tests.channels.conftest import make_settings
    rasa_peer.answers = ANSWERS
    settings = make_settings(imap, smtp, certs, f"http://127.0.0.1:{rasa_peer.port}", tmp_path / "state.json",
                             poll_seconds=3600, idle_seconds=3600)
    imap.deliver(gp_mail("premier message : " + REQUEST, mid="<idle-1@medecin.mssante.fr>"))
    stop, thread = _run_in_thread(settings)
    try:
        assert _until(lambda: len(smtp.messages) == 1)               # the first pass
        assert _until(lambda: imap.idles == 1)                       # then waiting in IDLE
        start = time.monotonic()
        uid = imap.deliver(gp_mail(REQUEST, subject="Deuxième demande", mid="<idle-2@medecin.mssante.fr>"))
        assert _until(lambda: len(smtp.messages) == 2 and imap.seen(uid), timeout=10)
        took = time.monotonic() - start
        assert took < 5, took                                        # not the 3,600 s poll
        assert imap.logins == 1 and _until(lambda: imap.idles == 2)  # same connection, IDLE again
    finally:
        stop.set()
        imap.deliver(gp_mail("réveil", subject="fin", mid="<idle-3@medecin.mssante.fr>"))  # ends the IDLE wait
        thread.join(10)
    assert not thread.is_alive()


def test_without_idle_the_channel_polls(imap, smtp, rasa_peer, certs, tmp_path):
    from tests.channels.conftest import make_settings
    imap.idle = False
    rasa_peer.answers = ANSWERS
    settings = make_settings(imap, smtp, certs, f"http://127.0.0.1:{rasa_peer.port}", tmp_path / "state.json",
                             poll_seconds=0.5)
    stop, thread = _run_in_thread(settings)
    try:
        assert _until(lambda: imap.logins >= 2)                      # one connection per poll
        uid = imap.deliver(gp_mail(REQUEST))
        assert _until(lambda: imap.seen(uid) and len(smtp.messages) == 1)
        assert imap.idles == 0
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
