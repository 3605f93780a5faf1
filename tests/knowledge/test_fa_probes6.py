"""False-alarm probes of the sixth pass (tests/knowledge/fa_probes6.yaml, own wordings written
before tuning, issue 16): an information request covers only what it frames, every alarm span
must be framed for the frame to silence, training events and dated films frame the message.
Floors are what was measured at the end of the pass (rules + learned net); they may only improve."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from knowledge.negation import is_history
from knowledge.qualifiers import unreal
from knowledge.text import fold

from tests.knowledge.probes import raised, false_alarms, missed


PROBES = yaml.safe_load((Path(__file__).parent / "fa_probes6.yaml").read_text(encoding="utf-8"))
MAX_FALSE_ALARMS = 0          # of 40 traps (6 before the pass)
MIN_CAUGHT = 16               # of 16 paired emergencies (11 before the pass)


def test_the_probe_file_covers_every_category_and_voice():
    traps = PROBES["pieges"]
    assert len(traps) >= 40 and len(PROBES["urgences"]) >= 16
    assert set(Counter(t["category"] for t in traps)) == {
        "negation", "antecedent", "hypothese", "information", "formation", "fiction", "autre_personne", "small_talk",
        "service"}
    assert {t["voice"] for t in traps} >= {"proche", "medecin", "sms", "operateur", "recit"}


def test_false_alarms_on_the_traps_stay_under_the_floor(rules):
    alarms = false_alarms(rules, PROBES["pieges"])
    assert len(alarms) <= MAX_FALSE_ALARMS, alarms
    assert not [a for a in alarms if a[0] == "small_talk"]


def test_paired_emergencies_keep_their_number(rules):
    lost = missed(rules, PROBES["urgences"])
    assert len(PROBES["urgences"]) - len(lost) >= MIN_CAUGHT, lost


@pytest.mark.parametrize("text,numero", [
    # the pair: a current sign of the person spoken about alarms inside an information request
    ("Je me renseigne pour mon père, il a la bouche de travers", "15"),
    ("Je me renseigne pour ma tante : elle ne sent plus son bras gauche depuis ce matin.", "15"),
    ("Je me renseigne pour mon voisin, sa bouche est tombée d'un côté.", "15"),
])
def test_a_current_sign_of_the_person_spoken_about_still_raises(rules, text, numero):
    assert numero in raised(rules, text)


@pytest.mark.parametrize("text", [
    "je me renseigne sur les signes de l'AVC, par exemple la bouche de travers",
    "Je me renseigne : quand on a la bouche de travers, c'est forcément un AVC ?",
    "Je me renseigne sur l'infarctus : une douleur dans la poitrine qui serre, ça dure combien de temps ?",
])
def test_a_sign_given_as_an_example_stays_silent(rules, text):
    assert raised(rules, text) == set()


def test_an_information_request_silences_only_when_it_frames_every_span():
    text = "Quels sont les signes d'un AVC ? Ma femme a la bouche de travers."
    ask = (text.index("AVC"), text.index("AVC") + 3)
    sign = (text.index("bouche"), text.index("travers") + 7)
    assert unreal(text, [ask])
    assert not unreal(text, [ask, sign])
    assert not unreal(text, [sign])


def test_a_sign_in_the_information_sentence_with_a_concrete_subject_is_not_framed():
    text = "Je me renseigne pour mon père, il a la bouche de travers."
    span = (text.index("bouche"), text.index("travers") + 7)
    assert not unreal(text, [span], concrete=lambda s, e: True)
    assert unreal(text, [span], concrete=lambda s, e: False)


def test_something_current_after_a_dated_past_episode_is_not_history():
    text = fold("Elle a fait un AVC l'an passé et ce matin elle a de nouveau la bouche de travers.")
    i = text.index("bouche")
    assert not is_history(text, i, i + len("bouche de travers"))
    text = fold("Elle a fait un AVC l'an passé et garde la bouche de travers.")
    i = text.index("bouche")
    assert is_history(text, i, i + len("bouche de travers"))
