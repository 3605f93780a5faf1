"""The French e-mail telling the requesting doctor where the request stands.

Plain text, no patient identifier: number, new status, the outcome on closure (masked), DAC name
and phone. `Outbox` stores it with the change; `mailer` sends it.
"""
from __future__ import annotations

from datetime import datetime

from knowledge import privacy
from knowledge.hours import date_heure_text
from knowledge.tickets.labels import STATUTS

EXPLICATIONS = {
    "recue": "Votre demande a bien été reçue par l'équipe de coordination. "
             "Elle sera traitée au plus tard le {echeance}.",
    "en_cours": "Un membre de l'équipe de coordination a pris en charge votre demande.",
    "en_attente": "Le traitement de votre demande est en attente d'un élément "
                  "(information complémentaire, retour d'un partenaire ou rappel).",
    "cloturee": "Votre demande est clôturée.",
}


def compose(numero: str, statut: str, *, issue: str | None = None, dac_nom: str | None = None,
            dac_telephone: str | None = None, echeance: datetime | None = None) -> tuple[str, str]:
    """(subject, body) of the French notification for a request reaching `statut`."""
    libelle = STATUTS[statut]
    sujet = f"Demande {numero} : {libelle}"
    equipe = dac_nom or "l'équipe de coordination"
    lignes = ["Bonjour,", "",
              f"Votre demande d'appui {numero} adressée à {equipe} est maintenant « {libelle} ».", ""]
    explication = EXPLICATIONS[statut]
    if "{echeance}" in explication:
        explication = (explication.format(echeance=date_heure_text(echeance)) if echeance
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
