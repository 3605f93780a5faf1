"""E-mail feedback to the requesting doctor ("retour au médecin traitant"), from the outbox.

`TicketStore` writes one `notification_sortante` row per change in the same transaction as the
change; `send_pending` sends due rows over SMTP and marks each one sent only after the SMTP server
accepted it (at-least-once; a stable Message-ID lets mail clients drop a rare duplicate). Mails
are French plain text and carry no patient identifier: number, status, outcome (masked), DAC name
and phone. Settings: AIGUILLAGE_SMTP_HOST, _PORT, _USER, _PASSWORD, _STARTTLS, _FROM.
"""
from __future__ import annotations

import argparse
import logging
import smtplib
import ssl
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import NamedTuple

from knowledge import privacy, settings

log = logging.getLogger("aiguillage.notify")

_LIBELLES = {"recue": "reçue", "en_cours": "en cours", "en_attente": "en attente",
             "cloturee": "clôturée"}
_EXPLICATIONS = {
    "recue": "Votre demande a bien été reçue par l'équipe de coordination. "
             "Elle sera traitée au plus tard le {echeance}.",
    "en_cours": "Un membre de l'équipe de coordination a pris en charge votre demande.",
    "en_attente": "Le traitement de votre demande est en attente d'un élément "
                  "(information complémentaire, retour d'un partenaire ou rappel).",
    "cloturee": "Votre demande est clôturée.",
}
_MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre")
_JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _date_fr(dt: datetime) -> str:
    from knowledge.tickets import TZ
    d = dt.astimezone(TZ)
    heure = f"{d.hour}h" + (f"{d.minute:02d}" if d.minute else "")
    jour = "1er" if d.day == 1 else str(d.day)
    return f"{_JOURS[d.weekday()]} {jour} {_MOIS[d.month - 1]} {d.year} à {heure}"


def compose(numero: str, statut: str, *, issue: str | None = None, dac_nom: str | None = None,
            dac_telephone: str | None = None, echeance: datetime | None = None) -> tuple[str, str]:
    """(subject, body) of the French notification for a request reaching `statut`."""
    libelle = _LIBELLES[statut]
    sujet = f"Demande {numero} : {libelle}"
    equipe = dac_nom or "l'équipe de coordination"
    lignes = ["Bonjour,", "",
              f"Votre demande d'appui {numero} adressée à {equipe} est maintenant « {libelle} ».", ""]
    explication = _EXPLICATIONS[statut]
    if "{echeance}" in explication:
        explication = (explication.format(echeance=_date_fr(echeance)) if echeance
                       else explication.split(" Elle sera")[0])
    lignes.append(explication)
    if statut == "cloturee" and issue:
        lignes += ["", f"Issue : {privacy.mask(issue)}"]
    lignes.append("")
    if dac_telephone:
        lignes.append(f"Pour en parler, appelez {equipe} au {dac_telephone} en rappelant le numéro {numero}.")
    else:
        lignes.append(f"Pour en parler, contactez {equipe} en rappelant le numéro {numero}.")
    lignes += ["", "Ce message ne contient volontairement aucune donnée permettant d'identifier votre patient.",
               "", "Aiguillage – appui à l'orientation des professionnels de santé, Centre-Val de Loire",
               "Message automatique : merci de ne pas y répondre."]
    return sujet, "\n".join(lignes) + "\n"


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


def main(argv=None) -> int:
    """`python -m knowledge.notify [--once] [--interval 30]`: the outbox worker."""
    parser = argparse.ArgumentParser(description="Envoi des notifications de suivi des demandes.")
    parser.add_argument("--once", action="store_true", help="un seul passage puis arrêt")
    parser.add_argument("--interval", type=float, default=30.0, help="secondes entre deux passages")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    privacy.install_logging_filter("aiguillage")
    settings = settings_from_env()
    if settings is None:
        print("AIGUILLAGE_SMTP_HOST n'est pas défini : aucun envoi possible.", file=sys.stderr)
        return 2
    from knowledge.tickets import TicketStore
    store = TicketStore()
    while True:
        report = send_with_settings(store, settings)
        if report.envoyees or report.echecs:
            log.info("notifications: %d sent, %d failed", report.envoyees, report.echecs)
        if args.once:
            return 0 if report.echecs == 0 else 1
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
