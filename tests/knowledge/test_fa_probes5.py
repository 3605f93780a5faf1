"""False-alarm probes of the fifth pass (tests/knowledge/fa_probes5.yaml, own wordings written
before tuning, issue 16) and the one qualifier step of every alarm source (knowledge.qualifiers).
Floors are what was measured at the end of the pass (rules + learned net); they may only improve."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from knowledge.qualifiers import nothing_current, unreal

from tests.knowledge.probes import raised, false_alarms, missed


PROBES = yaml.safe_load((Path(__file__).parent / "fa_probes5.yaml").read_text(encoding="utf-8"))
MAX_FALSE_ALARMS = 0          # of 90 traps (11 before the pass)
MIN_CAUGHT = 34               # of 34 paired emergencies (33 before the pass)


def test_the_probe_file_covers_every_category_and_voice():
    traps = PROBES["pieges"]
    assert len(traps) >= 90 and len(PROBES["urgences"]) >= 34
    assert set(Counter(t["category"] for t in traps)) == {
        "negation", "antecedent", "hypothese", "information", "formation", "fiction", "autre_personne", "small_talk"}
    assert {t["voice"] for t in traps} >= {"proche", "medecin", "sms", "operateur", "recit"}


def test_false_alarms_on_the_traps_stay_under_the_floor(rules):
    alarms = false_alarms(rules, PROBES["pieges"])
    assert len(alarms) <= MAX_FALSE_ALARMS, alarms
    assert not [a for a in alarms if a[0] == "small_talk"]


def test_paired_emergencies_keep_their_number(rules):
    lost = missed(rules, PROBES["urgences"])
    assert len(PROBES["urgences"]) - len(lost) >= MIN_CAUGHT, lost


@pytest.mark.parametrize("text", [
    "Dans une série que je regarde, l'héroïne fait une hémorragie. Un bon ophtalmo près de Tours ?",
    "On nous propose une formation sur l'étouffement du nourrisson, c'est utile pour une assistante maternelle ?",
    "Je me renseigne : une douleur dans la poitrine chez un jeune, c'est toujours cardiaque ?",
    "Imaginons qu'il fasse une convulsion pendant le trajet en car, l'accompagnateur appelle qui ?",
    "Il ne respire pas trop mal ce soir, il tousse encore un peu : un kiné respiratoire ?",
    "Arrêt cardiaque de ma tablette hier, j'ai perdu vos adresses : pouvez-vous me renvoyer la liste ?",
    "J'ai la tête qui va exploser avec tous ces acronymes, merci de m'avoir expliqué.",
    "Il a eu du mal à parler pendant une heure mardi. Aux urgences l'IRM n'a rien montré, tout est revenu à la normale.",
    "Ma sœur est interne aux urgences et voit des arrêts cardiaques toutes les nuits, elle cherche un psy pour elle.",
    "Mon oncle a fait un infarctus, mais ce n'est pas pour lui que j'écris : sa femme cherche une aide-ménagère.",
    "Merci ! J'ai cru faire une crise cardiaque en voyant le devis, mais vous m'avez rassurée.",
])
def test_a_frame_or_a_qualifier_silences_every_source(rules, text):
    assert raised(rules, text) == set()


@pytest.mark.parametrize("text,numero", [
    ("On regardait un film quand mon père s'est effondré, il ne respire plus.", "15"),
    ("Formation de secourisme ce matin : le formateur vient de s'effondrer, il ne respire plus.", "15"),
    ("Je me renseigne pour ma mère : elle a la bouche de travers depuis 20 minutes.", "15"),
    ("Dans la pièce il y a un poêle à pétrole, toute la famille a mal à la tête et vomit.", "15"),
    ("Est-ce grave s'il crache du sang depuis ce matin et qu'il est tout pâle ?", "15"),
    ("Il avait fait un malaise hier, le scanner n'a rien montré. Mais depuis 10 minutes il ne répond plus.", "15"),
    ("Formation sur la sécurité au travail : un collègue vient de s'effondrer et ne respire plus.", "15"),
    ("Mon ami a pris de l'héroïne, il est gris, il respire très lentement.", "15"),
    # a frame holds in its own sentence or clause, not over the rest of the message
    ("Quels sont les signes d'un AVC ? Ma femme a la bouche de travers et n'arrive plus à parler.", "15"),
    ("Si jamais vous lisez ça, mon fils ne se réveille pas et il est tout mou.", "15"),
    ("Imaginons le pire : il est tout bleu et ne respire plus, là, devant moi.", "15"),
])
def test_the_live_counterparts_still_raise(rules, text, numero):
    assert numero in raised(rules, text)


def test_the_frames_are_read_in_one_place():
    assert unreal("Dans un film, le héros fait un arrêt cardiaque.")
    assert unreal("Que faire si mon père perd connaissance ?")
    assert not unreal("Que faire si ? Il a perdu connaissance il y a 2 minutes.")
    assert not unreal("On regardait un film quand il s'est effondré.")
    assert unreal("Soirée de formation : que faire si un aidant s'effondre brutalement ?")
    assert nothing_current("Si jamais il refait un malaise, j'appelle qui ?")
    assert not nothing_current("Si jamais c'est grave : il ne bouge plus le bras depuis 10 min.")
