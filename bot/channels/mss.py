"""MSSanté mail channel: GPs write to the assistant's secure mailbox and get the answer by e-mail.

Poll loop (``python -m bot.channels.mss``):
1. IMAP (implicit TLS or STARTTLS): ``UID SEARCH UNSEEN`` in the mailbox, ``UID FETCH BODY.PEEK[]``
   (peeking does not set ``\\Seen``).
2. Auto-replies, bounces and lists are marked seen and never answered (no mail loops). Senders
   outside the allowed domains are marked seen and not answered (no backscatter), and logged.
3. The new text (no quoted history, greeting or signature) goes to the Rasa REST webhook; the
   conversation id is a keyed HMAC of the sender's address (``mail:<32 hex>``, bot/keys.py), so
   neither the address nor a guess of it opens the conversation; attachments are ignored with a note.
4. The answer goes back by SMTP (submission with STARTTLS, or implicit TLS) in the same thread
   (In-Reply-To, References, "Re: …"), as plain text + HTML, with the payload as orientation.json.
5. Only then is the message marked ``\\Seen``. If the bot or SMTP is down, it stays unseen and is
   retried at the next poll. A small state file remembers answered Message-IDs and composed
   replies, so a retry never asks the bot twice and never answers twice.
"""
from __future__ import annotations

import argparse
import email
import hashlib
import email.policy
import imaplib
import json
import logging
import os
import re
import smtplib
import ssl
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from bot import keys
from bot.channels.mailtext import Incoming, answer_html, answer_text, domain_allowed, read_message

from bot.channels.guard import bound_text
from knowledge import settings

logger = logging.getLogger("bot.channels.mss")

PREFIX = "AIGUILLAGE_MAIL_"
SECURITY = ("ssl", "starttls", "aucune")
STATE_KEEP = 2000          # answered Message-IDs remembered
ATTACHMENT_NOTE = (
    "Pièces jointes ignorées ({noms}) : Aiguillage ne lit que le texte du message. "
    "Décrivez la situation dans le corps du message."
)
EMPTY_ANSWER = (
    "Votre message ne contient pas de texte lisible (hors historique et signature). "
    "Décrivez la situation dans le corps du message : âge, commune, difficultés."
)


class MailSettingsError(ValueError):
    """Missing or invalid configuration (French message)."""


@dataclass
class MailSettings:
    imap_host: str
    smtp_host: str
    user: str
    password: str = ""
    imap_port: int = 993
    imap_security: str = "ssl"
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    mailbox: str = "INBOX"
    from_address: str | None = None
    from_name: str = "Aiguillage"
    allowed_domains: tuple[str, ...] = ("mssante.fr",)
    rasa_url: str = "http://127.0.0.1:5005"
    poll_seconds: float = 30.0
    idle: bool = True                   # IMAP IDLE (RFC 2177) when the server offers it
    idle_seconds: float = 600.0         # re-issue IDLE at least this often (servers cut at ~30 min)
    max_per_poll: int = 20
    timeout: float = 60.0
    ca_file: str | None = None          # CA bundle (e.g. IGC Santé) when not in the system store
    cert_file: str | None = None        # client certificate (mailbox authenticated by certificate)
    key_file: str | None = None
    state_file: Path = field(default_factory=lambda: Path("var") / "mss-state.json")

    @property
    def sender_address(self) -> str:
        return self.from_address or self.user

    @classmethod
    def from_env(cls, env: dict | None = None) -> "MailSettings":
        def get(name, default=None):
            v = settings.value(PREFIX + name, env)
            return v if v is not None else default

        missing = [n for n in ("IMAP_HOST", "SMTP_HOST", "USER") if not get(n)]
        if missing:
            raise MailSettingsError("Variables manquantes : " + ", ".join(PREFIX + n for n in missing) + ".")
        try:
            s = cls(
                imap_host=get("IMAP_HOST"), smtp_host=get("SMTP_HOST"), user=get("USER"),
                password=get("PASSWORD", ""),
                imap_port=int(get("IMAP_PORT", "993")), imap_security=get("IMAP_TLS", "ssl").lower(),
                smtp_port=int(get("SMTP_PORT", "587")), smtp_security=get("SMTP_TLS", "starttls").lower(),
                smtp_user=get("SMTP_USER"), smtp_password=get("SMTP_PASSWORD"),
                mailbox=get("MAILBOX", "INBOX"), from_address=get("FROM"), from_name=get("FROM_NAME", "Aiguillage"),
                allowed_domains=tuple(d.strip().lower().lstrip("@.") for d in get("ALLOWED_DOMAINS", "mssante.fr").split(",") if d.strip()),
                rasa_url=settings.text("AIGUILLAGE_RASA_URL", env).rstrip("/"),
                poll_seconds=float(get("POLL_SECONDS", "30")), max_per_poll=int(get("MAX_PER_POLL", "20")),
                idle=get("IDLE", "1") not in ("0", "non", "no", "false"),
                idle_seconds=float(get("IDLE_SECONDS", "600")),
                timeout=float(get("TIMEOUT", "60")),
                ca_file=get("CA_FILE"), cert_file=get("CERT_FILE"), key_file=get("KEY_FILE"),
                state_file=Path(get("STATE_FILE", str(Path("var") / "mss-state.json"))),
            )
        except ValueError as exc:
            raise MailSettingsError(f"Valeur numérique invalide : {exc}") from exc
        for name, value in (("IMAP_TLS", s.imap_security), ("SMTP_TLS", s.smtp_security)):
            if value not in SECURITY:
                raise MailSettingsError(f"{PREFIX}{name} doit valoir ssl, starttls ou aucune (reçu « {value} »).")
        if not s.allowed_domains:
            raise MailSettingsError(f"{PREFIX}ALLOWED_DOMAINS est vide : aucun expéditeur ne serait servi.")
        return s

    def tls_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca_file)
        if self.cert_file:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


# -- state: answered ids, replies waiting for SMTP --------------------------------------------------


class State:
    """JSON file: Message-IDs already answered and composed replies not yet sent."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.answered: list[str] = []
        self.pending: dict[str, str] = {}   # Message-ID -> reply as text (RFC 5322)
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text())
                self.answered = list(data.get("answered", []))
                self.pending = dict(data.get("pending", {}))
            except (ValueError, OSError):
                logger.warning("État illisible, ignoré : %s", self.path)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"answered": self.answered[-STATE_KEEP:], "pending": self.pending}))
        os.replace(tmp, self.path)

    def is_answered(self, mid: str | None) -> bool:
        return bool(mid) and mid in self.answered

    def mark_answered(self, mid: str | None) -> None:
        if mid:
            self.pending.pop(mid, None)
            if mid not in self.answered:
                self.answered.append(mid)
            self.save()


# -- the bot ---------------------------------------------------------------------------------------


class BotUnavailable(Exception):
    pass


def ask_bot(rasa_url: str, sender: str, text: str, timeout: float = 60.0) -> list[dict]:
    """Send one message to the Rasa REST webhook; its answers, or BotUnavailable."""
    body = json.dumps({"sender": sender, "message": text, "metadata": {"canal": "email"}}).encode()
    headers = {"Content-Type": "application/json", keys.CHANNEL_HEADER: keys.get("AIGUILLAGE_CHANNEL_SECRET")}
    req = urllib.request.Request(f"{rasa_url}/webhooks/rest/webhook", data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            answers = json.load(r)
    except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts, bad JSON
        raise BotUnavailable(str(exc)) from exc
    if not isinstance(answers, list):
        raise BotUnavailable("réponse inattendue du serveur Rasa")
    return answers


# -- composing the reply ---------------------------------------------------------------------------


def reply_subject(subject: str) -> str:
    """"Re: <subject>", without piling up "Re: Re:"."""
    subject = subject.strip() or "Votre demande d'orientation"
    return subject if re.match(r"^re\s*:", subject, re.IGNORECASE) else f"Re: {subject}"


def compose_reply(settings: MailSettings, inc: Incoming, answers: list[dict], notes: list[str]) -> EmailMessage:
    texts = [a["text"] for a in answers if a.get("text")]
    payloads = [a["custom"] for a in answers if isinstance(a.get("custom"), dict)]
    buttons = [b.get("title") for a in answers for b in (a.get("buttons") or []) if b.get("title")]
    msg = EmailMessage()
    msg["From"] = formataddr((settings.from_name, settings.sender_address))
    msg["To"] = inc.reply_to
    msg["Subject"] = reply_subject(inc.subject)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=settings.sender_address.rsplit("@", 1)[-1])
    if inc.message_id:
        msg["In-Reply-To"] = inc.message_id
        msg["References"] = " ".join([*inc.references, inc.message_id][-20:])
    msg["Auto-Submitted"] = "auto-replied"
    msg["Content-Language"] = "fr"
    msg.set_content(answer_text(texts, payloads, buttons, notes))
    msg.add_alternative(answer_html(texts, payloads, buttons, notes), subtype="html")
    payload = next((p for p in reversed(payloads) if "orientation" in p), None)
    if payload is not None:
        msg.add_attachment(
            json.dumps(payload, ensure_ascii=False, indent=2).encode(), maintype="application", subtype="json",
            filename="orientation.json",
        )
    return msg


# -- IMAP / SMTP ------------------------------------------------------------------------------------


class Mailbox:
    """The assistant's mailbox over IMAP (one connection per poll)."""

    def __init__(self, settings: MailSettings) -> None:
        self.s = settings
        self.imap: imaplib.IMAP4 | None = None

    def __enter__(self) -> "Mailbox":
        s = self.s
        if s.imap_security == "ssl":
            self.imap = imaplib.IMAP4_SSL(s.imap_host, s.imap_port, ssl_context=s.tls_context(), timeout=s.timeout)
        else:
            self.imap = imaplib.IMAP4(s.imap_host, s.imap_port, timeout=s.timeout)
            if s.imap_security == "starttls":
                self.imap.starttls(ssl_context=s.tls_context())
        if s.password:
            self.imap.login(s.user, s.password)
        else:  # mailbox authenticated by the TLS client certificate
            self.imap.authenticate("EXTERNAL", lambda _: s.user.encode())
        typ, _ = self.imap.select(_quote(s.mailbox))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"dossier {s.mailbox} inaccessible")
        return self

    def __exit__(self, *exc) -> None:
        if self.imap is not None:
            try:
                self.imap.logout()
            except (imaplib.IMAP4.error, OSError):
                pass

    def supports_idle(self) -> bool:
        """The server offers IDLE (capabilities as announced after sign-in)."""
        try:
            typ, data = self.imap.capability()
        except (imaplib.IMAP4.error, OSError):
            return False
        caps = b" ".join(d for d in data if isinstance(d, bytes)).upper().split() if typ == "OK" else []
        return b"IDLE" in caps

    def idle(self, seconds: float) -> bool:
        """Wait (IMAP IDLE) until the server announces a new message, at most `seconds`.

        True: something arrived (IDLE ended with DONE, the connection stays usable). False: the
        time ran out or the server refused; the connection must then be dropped (imaplib cannot
        read again after a socket timeout), which the caller does by leaving the `with` block."""
        imap = self.imap
        tag = imap._new_tag()
        imap.send(tag + b" IDLE\r\n")
        if not imap.readline().startswith(b"+"):
            return False
        imap.sock.settimeout(seconds)
        try:
            while True:
                line = imap.readline()
                if not line:
                    return False
                if re.match(rb"\* \d+ (EXISTS|RECENT)\b", line) and not line.startswith(b"* 0 RECENT"):
                    break
        except (TimeoutError, OSError):
            return False
        imap.sock.settimeout(self.s.timeout)
        imap.send(b"DONE\r\n")
        while True:
            line = imap.readline()
            if not line or line.startswith(tag + b" "):
                return bool(line)

    def unseen(self) -> list[bytes]:
        typ, data = self.imap.uid("SEARCH", None, "UNSEEN")
        if typ != "OK":
            raise imaplib.IMAP4.error("UID SEARCH UNSEEN a échoué")
        return (data[0] or b"").split()

    def fetch(self, uid: bytes) -> EmailMessage | None:
        typ, data = self.imap.uid("FETCH", uid, "(BODY.PEEK[])")
        if typ != "OK":
            return None
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                return email.message_from_bytes(item[1], policy=email.policy.default)
        return None

    def mark_seen(self, uid: bytes) -> None:
        typ, _ = self.imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        if typ != "OK":
            raise imaplib.IMAP4.error("UID STORE \\Seen a échoué")


def _quote(mailbox: str) -> str:
    return mailbox if re.fullmatch(r"[A-Za-z0-9._/-]+", mailbox) else '"' + mailbox.replace('"', '\\"') + '"'


def send_mail(settings: MailSettings, msg: EmailMessage) -> None:
    s = settings
    if s.smtp_security == "ssl":
        smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, context=s.tls_context(), timeout=s.timeout)
    else:
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout)
    with smtp:
        if s.smtp_security == "starttls":
            smtp.starttls(context=s.tls_context())
        user = s.smtp_user or s.user
        password = s.smtp_password if s.smtp_password is not None else s.password
        smtp.ehlo_or_helo_if_needed()
        if password:
            smtp.login(user, password)
        elif s.cert_file and "EXTERNAL" in smtp.esmtp_features.get("auth", "").upper().split():
            smtp.auth("EXTERNAL", lambda challenge=None: user)  # mailbox authenticated by its certificate
        smtp.send_message(msg)


# -- one poll --------------------------------------------------------------------------------------


@dataclass
class PollReport:
    lus: int = 0
    repondus: int = 0
    refuses: int = 0          # sender outside the allowed domains
    automatiques: int = 0     # auto-replies, bounces, lists
    en_attente: int = 0       # left unseen: bot or SMTP unavailable, retried next poll
    erreurs: list[str] = field(default_factory=list)


def conversation_id(address: str) -> str:
    """The Rasa conversation of a sender: ``mail:`` + keyed HMAC of the address (lower case)."""
    return keys.keyed_id("mail", address.strip().lower())


def handle(settings: MailSettings, state: State, msg: EmailMessage) -> str:
    """Process one message; returns "repondu", "refuse", "automatique" (mark seen) or raises."""
    inc = read_message(msg)
    if inc.auto or not inc.sender or inc.sender == settings.sender_address.lower():
        logger.info("Message automatique ignoré de %s", inc.sender or "?")
        return "automatique"
    if not domain_allowed(inc.sender, settings.allowed_domains) or not domain_allowed(inc.reply_to, settings.allowed_domains):
        logger.warning("Expéditeur hors des domaines autorisés, non traité : %s", inc.sender)
        return "refuse"
    key = inc.message_id or "<sans-id-" + hashlib.sha256(f"{inc.sender}|{inc.subject}|{inc.text}".encode()).hexdigest()[:24] + ">"
    if state.is_answered(key):
        return "repondu"
    raw = state.pending.get(key)
    if raw is None:
        notes = []
        if inc.attachments:
            notes.append(ATTACHMENT_NOTE.format(noms=", ".join(inc.attachments[:5])))
        if inc.text:
            text, too_long = bound_text(inc.text)  # bounded before the bot reads it (bot/channels/guard.py)
            if too_long:
                notes.append(too_long)
            answers = ask_bot(settings.rasa_url, conversation_id(inc.sender), text, settings.timeout)
        else:
            answers = [{"text": EMPTY_ANSWER}]
        reply = compose_reply(settings, inc, answers, notes)
        state.pending[key] = reply.as_string()
        state.save()
    else:
        reply = email.message_from_string(raw, policy=email.policy.default)
    send_mail(settings, reply)
    state.mark_answered(key)
    return "repondu"


def poll_once(settings: MailSettings, state: State | None = None) -> PollReport:
    """One pass over the unseen messages. Never raises for a single message's failure."""
    state = state or State(settings.state_file)
    with Mailbox(settings) as box:
        return process(box, settings, state)


def process(box: Mailbox, settings: MailSettings, state: State) -> PollReport:
    """Answer the unseen messages of an open mailbox."""
    report = PollReport()
    for uid in box.unseen()[: settings.max_per_poll]:
        msg = box.fetch(uid)
        if msg is None:
            continue
        report.lus += 1
        try:
            outcome = handle(settings, state, msg)
        except BotUnavailable as exc:
            report.en_attente += 1
            report.erreurs.append(f"assistant indisponible : {exc}")
            logger.warning("Assistant indisponible, message %s laissé non lu : %s", uid.decode(), exc)
            continue
        except (smtplib.SMTPException, OSError) as exc:
            report.en_attente += 1
            report.erreurs.append(f"envoi impossible : {exc}")
            logger.warning("Envoi SMTP impossible, message %s laissé non lu : %s", uid.decode(), exc)
            continue
        box.mark_seen(uid)
        if outcome == "repondu":
            report.repondus += 1
        elif outcome == "refuse":
            report.refuses += 1
        else:
            report.automatiques += 1
    return report


def run(settings: MailSettings, once: bool = False, stop=None) -> None:
    """Answer, then wait: IMAP IDLE when the server offers it (new mail answered at once), else
    sleep `poll_seconds`. Messages left unread (bot or SMTP down) are retried every
    `poll_seconds` even while idling. `stop` (a threading.Event) ends the loop (tests)."""
    state = State(settings.state_file)
    while stop is None or not stop.is_set():
        idled = False
        try:
            with Mailbox(settings) as box:
                while True:
                    r = process(box, settings, state)
                    if r.lus:
                        logger.info("Relève : %d lus, %d répondus, %d refusés, %d automatiques, %d en attente",
                                    r.lus, r.repondus, r.refuses, r.automatiques, r.en_attente)
                    if once or not settings.idle or not box.supports_idle():
                        break
                    idled = True
                    wait = settings.poll_seconds if r.en_attente else settings.idle_seconds
                    if not box.idle(wait) or (stop is not None and stop.is_set()):
                        break                  # time out: new connection (and a full pass)
        except (imaplib.IMAP4.error, OSError, ssl.SSLError) as exc:
            idled = False
            logger.warning("Relève impossible (%s) : nouvel essai dans %.0f s", exc, settings.poll_seconds)
        if once:
            return
        if not idled:
            if stop is not None:
                stop.wait(settings.poll_seconds)
            else:
                time.sleep(settings.poll_seconds)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.channels.mss", description="Canal messagerie sécurisée (MSSanté) d'Aiguillage.")
    p.add_argument("--once", action="store_true", help="une seule relève puis sortie")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = MailSettings.from_env()
    except MailSettingsError as exc:
        print(f"Configuration de la messagerie invalide : {exc}", file=sys.stderr)
        return 2
    try:
        run(settings, once=args.once)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
