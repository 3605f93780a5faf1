"""Sending the outbox over SMTP, and the retry back-off of a failed notification.

`TicketStore` writes one `notification_sortante` row per change in the same transaction as the
change (`outbox`); `send_pending` sends due rows over SMTP and marks each one sent only after the
SMTP server accepted it (at-least-once; a stable Message-ID lets mail clients drop a rare
duplicate). Settings: AIGUILLAGE_SMTP_HOST, _PORT, _USER, _PASSWORD, _STARTTLS, _FROM. The worker
loop is `knowledge.tickets.worker`.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import NamedTuple

from knowledge import settings

log = logging.getLogger("aiguillage.notify")

TRANSIENT_RETRY_CAP = 30  # seconds between two attempts while the SMTP relay is unreachable


def retry_delay(attempts: int, transient: bool = False) -> timedelta:
    """How long to wait before the next attempt, after `attempts` failed ones (≥ 1).

    A refused message backs off from 1 min to 1 h. A transient failure (the relay unreachable)
    backs off from 15 s to at most ``TRANSIENT_RETRY_CAP`` seconds, so that with the worker's
    30 s passes the first retry comes within a minute of the relay's return.
    """
    if transient:
        return timedelta(seconds=min(15 * 2 ** min(attempts - 1, 10), TRANSIENT_RETRY_CAP))
    return timedelta(seconds=min(60 * 2 ** min(attempts - 1, 10), 3600))


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "aiguillage@localhost"
    starttls: bool = False
    username: str | None = None
    password: str | None = None


def settings_from_env(env=None) -> SmtpSettings | None:
    """SMTP settings from AIGUILLAGE_SMTP_*; None when AIGUILLAGE_SMTP_HOST is not set."""
    host = settings.value("AIGUILLAGE_SMTP_HOST", env)
    if not host:
        return None
    return SmtpSettings(
        host=host, port=settings.integer("AIGUILLAGE_SMTP_PORT", env),
        sender=settings.text("AIGUILLAGE_SMTP_FROM", env),
        starttls=bool(settings.flag("AIGUILLAGE_SMTP_STARTTLS", env)),
        username=settings.value("AIGUILLAGE_SMTP_USER", env),
        password=settings.value("AIGUILLAGE_SMTP_PASSWORD", env))


class SendReport(NamedTuple):
    envoyees: int
    echecs: int


def _message(sender: str, out) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = out.destinataire
    msg["Subject"] = out.sujet
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[-1] or "aiguillage.local"
    msg["Message-ID"] = f"<notification-{out.id}.{out.numero}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = "fr"
    msg.set_content(out.corps, charset="utf-8")
    return msg


def send_pending(store, smtp_host: str, smtp_port: int, sender: str, starttls: bool = False,
                 username: str | None = None, password: str | None = None, *,
                 limit: int = 50, timeout: float = 20.0) -> SendReport:
    """Send the due outbox notifications of `store` (a TicketStore); mark each sent on success.

    A connection failure leaves every claimed row for a later retry (with backoff); a refused
    recipient only affects its own row.
    """
    pending = store.claim_pending(limit=limit)
    if not pending:
        return SendReport(0, 0)
    sent = failed = 0
    try:
        smtp = smtplib.SMTP(smtp_host, smtp_port, timeout=timeout)
    except (OSError, smtplib.SMTPException) as exc:
        for out in pending:
            store.mark_failed(out.id, f"connexion SMTP impossible : {exc}", transient=True)
        log.warning("SMTP %s:%s unreachable: %s", smtp_host, smtp_port, exc)
        return SendReport(0, len(pending))
    try:
        smtp.ehlo()
        if starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if username:
            smtp.login(username, password or "")
        for out in pending:
            try:
                smtp.send_message(_message(sender, out))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                    smtplib.SMTPSenderRefused) as exc:
                store.mark_failed(out.id, str(exc))
                failed += 1
                continue
            store.mark_sent(out.id)
            sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        done = sent + failed
        for out in pending[done:]:
            store.mark_failed(out.id, f"erreur SMTP : {exc}", transient=True)
        failed += len(pending) - done
        log.warning("SMTP error after %d messages: %s", done, exc)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return SendReport(sent, failed)


def send_with_settings(store, settings: SmtpSettings) -> SendReport:
    return send_pending(store, settings.host, settings.port, settings.sender, settings.starttls,
                        settings.username, settings.password)
