"""The vocabulary of support requests: statuses and their French labels, allowed transitions,
delays, consent, channels, closure outcomes and operator roles (the one place for them: the
e-mails, the console and the bot read their labels here)."""
from __future__ import annotations

STATUTS = {"recue": "reçue", "en_cours": "en cours", "en_attente": "en attente",
           "cloturee": "clôturée"}
# allowed transitions; a closed request can be reopened (back to "en cours")
TRANSITIONS = {
    "recue": {"en_cours", "en_attente", "cloturee"},
    "en_cours": {"en_attente", "cloturee"},
    "en_attente": {"en_cours", "cloturee"},
    "cloturee": {"en_cours"},
}
URGENCES = {"aujourd_hui": "aujourd'hui", "semaine": "dans la semaine", "programme": "programmé"}
CONSENTEMENTS = {"oui": "recueilli", "non": "refusé", "non_demande": "non demandé"}
CANAUX = ("chat", "telephone", "console", "email", "rest", "socketio")
# suggested outcomes for closure (the console offers them; free text is accepted too)
ISSUES = (
    "Orientation donnée au médecin",
    "Prise en charge par le DAC (appui au parcours)",
    "Orientée vers un autre service",
    "Concertation pluriprofessionnelle organisée",
    "Sans suite (situation résolue ou demande retirée)",
    "Hors du champ du DAC",
)
ROLES = {"operateur": "opérateur", "coordinateur": "coordinateur", "admin": "administrateur"}
