"""Reading an incoming e-mail: the sender, the new text (no quoted history, no signature) and
the attachments; writing the answer as plain text and HTML. Standard library only."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

MAX_TEXT = 4000

# -- quoted history -----------------------------------------------------------------------------

_QUOTE_HEADERS = [
    re.compile(r"^\s*Le\s.{3,200}\sa\s+écrit\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*On\s.{3,200}\swrote\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Original Message|Message d'origine|Message original|Message transféré|Forwarded message|Mail original|Mail transféré|Courriel original)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{8,}\s*$"),
]
_HEADER_BLOCK = re.compile(r"^\s*\*?(De|From)\s*\*?\s*:\s*\S", re.IGNORECASE)
_HEADER_FOLLOW = re.compile(r"^\s*\*?(Envoyé|Sent|Date|À|A|To|Objet|Subject|Cc)\s*\*?\s*:", re.IGNORECASE)

# -- signatures and formulas -------------------------------------------------------------------

_SIG_CUT = [
    re.compile(r"^--\s?$"),
    re.compile(r"^\s*(Envoyé|Envoyé depuis|Envoyé à partir) (de|d') ?(mon|ma|un|une)?\s?\S*", re.IGNORECASE),
    re.compile(r"^\s*Sent from my\b", re.IGNORECASE),
    re.compile(r"^\s*(Ce (message|courriel|mail)|Les informations contenues).{0,120}(confidenti|destiné)", re.IGNORECASE),
]
_CLOSING = re.compile(
    r"^\s*(bien\s+)?(cordialement|confraternellement|amicalement|à bientôt|bien à (vous|toi)|"
    r"merci( d'avance| par avance| beaucoup| (de|pour) votre (aide|réponse|retour))?|bonne (journée|soirée|garde|nuit)|salutations( distinguées)?)"
    r"\s*[,.!]*\s*$",
    re.IGNORECASE,
)
_SIGNER = re.compile(r"^\s*(Dr\.?|Docteur|Pr\.?|Professeur)\s+\S", re.IGNORECASE)
_GREETING = re.compile(
    r"^\s*(bonjour|bonsoir|salut|hello|madame,? monsieur|cher(e|ère)?s? (confrère|consœur|consoeur|collègue)s?|"
    r"mesdames,? messieurs)\b[^.?!]{0,40}[,.!]?\s*$",
    re.IGNORECASE,
)
SIGNATURE_MAX_LINES = 8


def strip_quotes(lines: list[str]) -> list[str]:
    """Cut at the first quoted-history marker; drop remaining '>' lines."""
    out: list[str] = []
    for i, line in enumerate(lines):
        pair = line + " " + (lines[i + 1] if i + 1 < len(lines) else "")
        if any(p.match(line) for p in _QUOTE_HEADERS) or (
            line.strip().startswith("Le ") and _QUOTE_HEADERS[0].match(pair.strip())
        ):
            break
        if _HEADER_BLOCK.match(line) and any(_HEADER_FOLLOW.match(x) for x in lines[i + 1:i + 5]):
            break
        if line.lstrip().startswith(">"):
            continue
        out.append(line)
    return out


def strip_signature(lines: list[str]) -> list[str]:
    """Cut at '-- ', mobile footers, disclaimers, and at a closing formula or 'Dr …' line that
    starts a short trailing block."""
    for i, line in enumerate(lines):
        if any(p.match(line) for p in _SIG_CUT):
            lines = lines[:i]
            break
    for i, line in enumerate(lines):
        rest = [x for x in lines[i + 1:] if x.strip()]
        if (_CLOSING.match(line) or _SIGNER.match(line)) and len(rest) <= SIGNATURE_MAX_LINES and i > 0:
            return lines[:i]
    return lines


def strip_greeting(lines: list[str]) -> list[str]:
    content = [x for x in lines if x.strip()]
    if len(content) > 1 and _GREETING.match(content[0]):
        idx = lines.index(content[0])
        return lines[idx + 1:]
    return lines


def new_text(body: str) -> str:
    """The new text of a message body: no quoted history, greeting or signature; one paragraph."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = strip_quotes(lines)
    lines = strip_signature(lines)
    lines = strip_greeting(lines)
    text = " ".join(x.strip() for x in lines if x.strip())
    return re.sub(r"\s+", " ", text).strip()[:MAX_TEXT]


class _HTMLText(HTMLParser):
    """HTML → text: block tags become line breaks; quoted blocks, styles and scripts are dropped."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul", "ol"}
    SKIP = {"style", "script", "head", "title", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.SKIP or (tag == "div" and ("gmail_quote" in (a.get("class") or "") or a.get("id") == "divRplyFwdMsg")):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    p = _HTMLText()
    p.feed(markup)
    p.close()
    text = "".join(p.parts)
    return "\n".join(re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.split("\n"))


# -- incoming message ---------------------------------------------------------------------------


@dataclass
class Incoming:
    sender: str                  # lower-case address
    sender_name: str
    reply_to: str                # where to answer
    message_id: str | None
    subject: str
    references: list[str]
    text: str                    # the new text, ready for the bot
    attachments: list[str] = field(default_factory=list)   # file names (or content types)
    auto: bool = False           # auto-reply, bounce or mailing list: never answered


def read_message(msg: EmailMessage) -> Incoming:
    name, addr = parseaddr(str(msg.get("From", "")))
    addr = addr.strip().lower()
    reply_to = addr
    rt = getaddresses([str(msg.get("Reply-To", ""))])
    if rt and rt[0][1]:
        reply_to = rt[0][1].strip().lower()
    auto = (
        str(msg.get("Auto-Submitted", "no")).strip().lower() not in ("", "no")
        or str(msg.get("Precedence", "")).strip().lower() in ("bulk", "list", "junk")
        or bool(msg.get("List-Id"))
        or addr.split("@")[0] in ("mailer-daemon", "postmaster", "noreply", "no-reply")
    )
    plain, markup, attachments = None, None, []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        filename = part.get_filename()
        disposition = (part.get_content_disposition() or "").lower()
        if filename or disposition == "attachment" or ctype not in ("text/plain", "text/html"):
            attachments.append(filename or ctype)
            continue
        try:
            content = part.get_content()
        except (LookupError, UnicodeDecodeError):
            content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
        if ctype == "text/plain" and plain is None:
            plain = content
        elif ctype == "text/html" and markup is None:
            markup = content
    body = plain if plain is not None and plain.strip() else (html_to_text(markup) if markup else "")
    mid = str(msg.get("Message-ID", "")).strip() or None
    refs = str(msg.get("References", "")).split()
    irt = str(msg.get("In-Reply-To", "")).strip()
    if irt and irt not in refs:
        refs.append(irt)
    return Incoming(
        sender=addr, sender_name=name, reply_to=reply_to, message_id=mid,
        subject=str(msg.get("Subject", "")).strip(), references=refs, text=new_text(body),
        attachments=attachments, auto=auto,
    )


def domain_allowed(address: str, allowed: tuple[str, ...]) -> bool:
    """`address`'s domain is one of `allowed` or a subdomain of one (medecin.mssante.fr ⊂ mssante.fr)."""
    if address.count("@") != 1:
        return False
    domain = address.rsplit("@", 1)[1].lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in allowed)


# -- answer ---------------------------------------------------------------------------------------


def _orientation(payloads: list[dict]) -> dict | None:
    for p in reversed(payloads):
        if isinstance(p, dict) and isinstance(p.get("orientation"), dict):
            return p["orientation"]
    return None


def _urgences(o: dict) -> list[dict]:
    return o.get("urgences") or ([o["urgence"]] if o.get("urgence") else [])


def _badge(r: dict) -> str:
    if r.get("ouvert_maintenant"):
        return "ouvert maintenant"
    return re.sub(r"^fermé,\s*", "", r.get("statut") or "fermé")


def answer_text(texts: list[str], payloads: list[dict], buttons: list[str], notes: list[str]) -> str:
    """The plain-text answer: emergencies first, the bot's text, the services, the choices, notes."""
    o = _orientation(payloads) or {}
    lines: list[str] = []
    for u in _urgences(o):
        lines.append(f"URGENCE : appelez le {u['numero']} ({u['libelle']}).")
    if lines:
        lines.append("")
    lines.extend(t for t in texts if t)
    recos = o.get("recommandations") or []
    joined = "\n".join(texts)
    if recos and all(r.get("telephone") and r["telephone"] in joined for r in recos):
        recos = []  # the bot's text already lists them with their contacts: no repetition
    if recos:
        lines += ["", "Services proposés :"]
        for i, r in enumerate(recos, 1):
            lines.append(f"{i}. {r['nom']} ({r['type']}) — {_badge(r)}")
            if r.get("telephone"):
                lines.append(f"   Téléphone : {r['telephone']}")
            if r.get("messagerie_securisee"):
                lines.append(f"   Messagerie sécurisée : {r['messagerie_securisee']}")
            if r.get("horaires_du_jour"):
                lines.append(f"   Aujourd'hui : {r['horaires_du_jour']}")
            if r.get("pourquoi"):
                lines.append(f"   Pourquoi : {r['pourquoi']}")
    if o.get("ticket"):
        lines += ["", f"Demande d'appui {o['ticket']['numero']} — statut : {o['ticket']['statut']}."]
    if buttons:
        lines += ["", "Pour continuer, répondez à ce message par : " + " ; ".join(f"« {b} »" for b in buttons) + "."]
    for n in notes:
        lines += ["", n]
    lines += ["", "—", "Aiguillage, assistant d'orientation (Centre-Val de Loire). Réponse automatique :",
              "répondez à ce message pour poursuivre la conversation. Le détail est joint (orientation.json)."]
    return "\n".join(lines).strip() + "\n"


def answer_html(texts: list[str], payloads: list[dict], buttons: list[str], notes: list[str]) -> str:
    """The same answer as simple HTML (inline styles only: mail clients drop style sheets)."""
    e = html.escape
    o = _orientation(payloads) or {}
    out = ['<!doctype html><html lang="fr"><body style="font-family:Arial,sans-serif;font-size:16px;color:#111">']
    for u in _urgences(o):
        num = re.sub(r"[^\d+]", "", u["numero"])
        out.append(
            '<p style="background:#b00020;color:#fff;padding:12px;font-size:18px;font-weight:bold">'
            f'URGENCE : appelez le <a style="color:#fff" href="tel:{e(num)}">{e(u["numero"])}</a> ({e(u["libelle"])}).</p>'
        )
    for t in texts:
        if t:
            out.append("<p>" + e(t).replace("\n", "<br>") + "</p>")
    for r in o.get("recommandations") or []:
        out.append('<div style="border:1px solid #888;border-radius:8px;padding:10px;margin:8px 0">')
        out.append(f'<p style="margin:0"><strong>{e(r["type"])}</strong> — <strong>{e(r["nom"])}</strong> — <em>{e(_badge(r))}</em></p>')
        if r.get("telephone"):
            num = re.sub(r"[^\d+]", "", r["telephone"])
            out.append(f'<p style="margin:4px 0">Téléphone : <a href="tel:{e(num)}">{e(r["telephone"])}</a></p>')
        if r.get("messagerie_securisee"):
            out.append(f'<p style="margin:4px 0">Messagerie sécurisée : <a href="mailto:{e(r["messagerie_securisee"])}">{e(r["messagerie_securisee"])}</a></p>')
        if r.get("horaires_du_jour"):
            out.append(f'<p style="margin:4px 0">Aujourd\'hui : {e(r["horaires_du_jour"])}</p>')
        if r.get("pourquoi"):
            out.append(f'<p style="margin:4px 0;color:#333">Pourquoi : {e(r["pourquoi"])}</p>')
        out.append("</div>")
    if o.get("ticket"):
        out.append(f"<p>Demande d'appui <strong>{e(o['ticket']['numero'])}</strong> — statut : {e(o['ticket']['statut'])}.</p>")
    if buttons:
        out.append("<p>Pour continuer, répondez à ce message par : " + " ; ".join(f"« {e(b)} »" for b in buttons) + ".</p>")
    for n in notes:
        out.append(f"<p><em>{e(n)}</em></p>")
    out.append('<p style="color:#555;font-size:13px">Aiguillage, assistant d\'orientation (Centre-Val de Loire). '
               "Réponse automatique : répondez à ce message pour poursuivre la conversation. "
               "Le détail est joint (orientation.json).</p></body></html>")
    return "\n".join(out)
