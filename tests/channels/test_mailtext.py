"""Reading GP e-mails: new text only (no quoted history, greeting or signature), attachments, senders."""
from __future__ import annotations

from email.message import EmailMessage

import pytest

from bot.channels.mailtext import domain_allowed, html_to_text, new_text, read_message

REQUEST = "Patiente 87 ans seule à domicile à Saint-Amand-Montrond, chutes à répétition, refuse les aides."

BODIES = [
    # (case, body, expected new text)
    ("plain", REQUEST, REQUEST),
    ("greeting and closing", f"Bonjour,\n\n{REQUEST}\n\nCordialement,\nDr Anne Martin\nMédecin généraliste\n18200 Saint-Amand-Montrond\n", REQUEST),
    ("cher confrère, bien confraternellement", f"Cher confrère,\n{REQUEST}\nBien confraternellement\nDr B. Petit", REQUEST),
    ("dash-dash signature", f"{REQUEST}\n-- \nDr Martin\nTél. 02 61 91 00 00", REQUEST),
    ("mobile footer", f"{REQUEST}\n\nEnvoyé de mon iPhone", REQUEST),
    ("gmail french quote", f"{REQUEST}\n\nLe lun. 23 nov. 2026 à 10:02, Aiguillage <aiguillage@dac18.exemple.mssante.fr> a écrit :\n> Dans quelle commune ?\n> Merci", REQUEST),
    ("quote header on two lines", "Saint-Amand-Montrond\n\nLe lun. 23 nov. 2026 à 10:02, Aiguillage <aiguillage@dac18.exemple.mssante.fr>\na écrit :\n> Dans quelle commune vit la personne ?", "Saint-Amand-Montrond"),
    ("outlook header block", f"{REQUEST}\n\nDe : Aiguillage <aiguillage@dac18.exemple.mssante.fr>\nEnvoyé : lundi 23 novembre 2026 10:02\nÀ : Dr Martin\nObjet : RE: orientation\n\nDans quelle commune ?", REQUEST),
    ("original message separator", f"{REQUEST}\n-----Original Message-----\nFrom: x\nDans quelle commune ?", REQUEST),
    ("zimbra separator", f"{REQUEST}\n\n----- Mail original -----\nDe: \"Aiguillage\" <a@dac18.exemple.mssante.fr>\nÀ: dr@exemple.fr\nEnvoyé: Lundi 23 Novembre 2026 10:02:00\n\nDans quelle commune ?", REQUEST),
    ("english quote", f"{REQUEST}\n\nOn Mon, Nov 23, 2026 at 10:02 AM Aiguillage wrote:\n> hello", REQUEST),
    ("interleaved quote lines dropped", "> Dans quelle commune ?\nVierzon\n> Merci", "Vierzon"),
    ("disclaimer", f"{REQUEST}\n\nCe message et ses pièces jointes sont confidentiels et destinés exclusivement au destinataire.", REQUEST),
    ("multi-line request kept in one paragraph", "Monsieur 78 ans à Vierzon.\nTroubles cognitifs, épouse épuisée.\nMerci de votre aide.\nDr Leroy", "Monsieur 78 ans à Vierzon. Troubles cognitifs, épouse épuisée."),
    ("greeting alone is kept", "Bonjour", "Bonjour"),
    ("a sentence starting with bonjour is kept", "Bonjour je cherche le CMP de Vierzon pour un patient de 40 ans", "Bonjour je cherche le CMP de Vierzon pour un patient de 40 ans"),
    ("empty after stripping", "\n\n-- \nDr Martin", ""),
]


@pytest.mark.parametrize("case,body,expected", BODIES, ids=[b[0] for b in BODIES])
def test_new_text(case, body, expected):
    assert new_text(body) == expected


HTML_CASES = [
    ("<p>Bonjour,</p><p>" + REQUEST + "</p><div class=\"gmail_quote\">Le lun. a écrit :<blockquote>ancien</blockquote></div>", REQUEST),
    ("<div>" + REQUEST + "<br><br>Cordialement,<br>Dr Martin</div><blockquote type=\"cite\">Dans quelle commune ?</blockquote>", REQUEST),
    ("<html><head><style>p{color:red}</style></head><body><p>Vierzon&nbsp;: homme 40 ans, alcool</p></body></html>", "Vierzon : homme 40 ans, alcool"),
]


@pytest.mark.parametrize("markup,expected", HTML_CASES)
def test_html_body(markup, expected):
    assert new_text(html_to_text(markup)) == expected


def mail(body="", html=None, attachments=(), **headers) -> EmailMessage:
    m = EmailMessage()
    m["From"] = headers.pop("From", "Dr Anne Martin <anne.martin@medecin.mssante.fr>")
    m["To"] = "aiguillage@dac18.exemple.mssante.fr"
    m["Subject"] = headers.pop("Subject", "Orientation")
    m["Message-ID"] = headers.pop("Message_ID", "<abc@medecin.mssante.fr>")
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    if body:
        m.set_content(body)
    if html:
        if body:
            m.add_alternative(html, subtype="html")
        else:
            m.set_content(html, subtype="html")
    for name, data, mime in attachments:
        m.add_attachment(data, maintype=mime.split("/")[0], subtype=mime.split("/")[1], filename=name)
    return m


READ_CASES = [
    # (case, message, sender, text, attachments, auto)
    ("plain", mail(REQUEST), "anne.martin@medecin.mssante.fr", REQUEST, [], False),
    ("plain and html prefers plain", mail(REQUEST, html="<p>autre</p>"), "anne.martin@medecin.mssante.fr", REQUEST, [], False),
    ("html only", mail(html=f"<p>{REQUEST}</p>"), "anne.martin@medecin.mssante.fr", REQUEST, [], False),
    ("attachments listed", mail(REQUEST, attachments=[("ordonnance.pdf", b"%PDF-1.4", "application/pdf"), ("photo.jpg", b"\xff\xd8", "image/jpeg")]),
     "anne.martin@medecin.mssante.fr", REQUEST, ["ordonnance.pdf", "photo.jpg"], False),
    ("upper-case address", mail(REQUEST, From="ANNE.MARTIN@Medecin.MSSante.fr"), "anne.martin@medecin.mssante.fr", REQUEST, [], False),
    ("out of office", mail("Je suis absente.", Auto_Submitted="auto-replied"), "anne.martin@medecin.mssante.fr", "Je suis absente.", [], True),
    ("bounce", mail("Delivery failed", From="MAILER-DAEMON@medecin.mssante.fr"), "mailer-daemon@medecin.mssante.fr", "Delivery failed", [], True),
    ("list", mail(REQUEST, List_Id="<info.liste>"), "anne.martin@medecin.mssante.fr", REQUEST, [], True),
]


@pytest.mark.parametrize("case,msg,sender,text,attachments,auto", READ_CASES, ids=[c[0] for c in READ_CASES])
def test_read_message(case, msg, sender, text, attachments, auto):
    inc = read_message(msg)
    assert inc.sender == sender
    assert inc.text == text
    assert inc.attachments == attachments
    assert inc.auto is auto
    assert inc.message_id == "<abc@medecin.mssante.fr>"


def test_thread_references():
    m = mail("Vierzon", References="<a@x> <b@y>", In_Reply_To="<b@y>")
    assert read_message(m).references == ["<a@x>", "<b@y>"]
    m = mail("Vierzon", In_Reply_To="<c@z>")
    assert read_message(m).references == ["<c@z>"]


DOMAINS = [
    ("anne.martin@medecin.mssante.fr", True),
    ("secretariat@ch-bourges.mssante.fr", True),
    ("x@mssante.fr", True),
    ("x@faux-mssante.fr", False),
    ("x@mssante.fr.attaquant.com", False),
    ("x@gmail.com", False),
    ("pas-une-adresse", False),
    ("a@b@mssante.fr", False),
]


@pytest.mark.parametrize("address,allowed", DOMAINS)
def test_domain_allow_list(address, allowed):
    assert domain_allowed(address, ("mssante.fr",)) is allowed


RECO = {"id": "dac-18", "type": "DAC", "nom": "DAC du Cher", "telephone": "02 61 91 18 00", "ouvert_maintenant": False,
        "statut": "fermé, ouvre lundi à 8h30", "horaires_du_jour": "fermé", "pourquoi": "Situation complexe."}
ANSWER_CASES = [
    # (bot texts, expected lines, lines that must not appear)
    (["Niveau 3 – appui du DAC."], ["1. DAC du Cher (DAC) — ouvre lundi à 8h30", "   Téléphone : 02 61 91 18 00"], []),
    (["DAC du Cher — tél. 02 61 91 18 00 — fermé, ouvre lundi à 8h30"], ["DAC du Cher — tél. 02 61 91 18 00 — fermé, ouvre lundi à 8h30"], ["Services proposés :"]),
]


@pytest.mark.parametrize("texts,present,absent", ANSWER_CASES)
def test_answer_text(texts, present, absent):
    from bot.channels.mailtext import answer_text

    out = answer_text(texts, [{"orientation": {"urgence": None, "recommandations": [RECO]}}], ["Non merci"], [])
    lines = out.splitlines()
    for line in present:
        assert line in lines
    for line in absent:
        assert line not in lines
    assert "répondez à ce message par : « Non merci »." in out
