"""Vital probes of the fourth pass (issue 16, branch vital4): own wordings, six voices.

`vital_probes4.yaml` was written and committed before any tuning: 160 vital emergencies (a relative
in lay words, GP or nurse shorthand, SMS without accents, a phone operator relaying, a long
administrative request hiding the sign, speech-to-text without punctuation) over many sign
families, and 60 close traps (negated, past, hypothetical, chronic, figurative). Measured before
tuning: rules alone 113/160, rules + net 144/160, traps raising the 15: 4/60 (all from the net).
The floors below keep what the pass reached, with a margin.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.signs import SignReader
from knowledge.situation import analyse

from tests.knowledge.probes import raised


PROBES = yaml.safe_load((Path(__file__).parent / "vital_probes4.yaml").read_text(encoding="utf-8"))
VITAL = {"15", "112"}


def test_the_probe_file_covers_voices_families_and_traps():
    vital, traps = PROBES["vital"], PROBES["pieges"]
    assert len(vital) >= 150 and len(traps) >= 60
    assert {"proche", "clinique", "sms", "operateur", "recit", "stt"} <= {p["voice"] for p in vital}
    themes = {p["theme"] for p in vital}
    for family in ("pre_eclampsie", "accouchement_imminent", "hemorragie_obstetricale", "acidocetose",
                   "arythmie", "hypothermie", "intox_co", "electrisation", "noyade", "coup_de_chaleur",
                   "deshydratation_nourrisson", "bebe_mou", "purpura_meningite", "tc_anticoag", "ischemie_membre"):
        assert family in themes
    assert len({p["id"] for p in vital + traps}) == len(vital) + len(traps)


def test_rules_alone_catch_the_vital_probes(rules):
    missed = [p["id"] for p in PROBES["vital"] if not VITAL & raised(rules, p["text"], net=False)]
    assert len(missed) <= 6, missed          # 1/160 missed at the end of the pass


def test_rules_and_net_catch_the_vital_probes(rules):
    missed = [p["id"] for p in PROBES["vital"] if not VITAL & raised(rules, p["text"], net=True)]
    assert len(missed) <= 4, missed          # 1/160 missed at the end of the pass


def test_close_traps_do_not_raise_the_15(rules):
    alarms = [p["id"] for p in PROBES["pieges"] if VITAL & raised(rules, p["text"], net=True)]
    assert len(alarms) <= 2, alarms          # 1/60 (a hypothetical question, the net) at the end of the pass


@pytest.mark.parametrize("text", ["bonjour", "merci beaucoup, bonne journée", "vous êtes un robot ?", "ok super"])
def test_small_talk_raises_nothing(rules, text):
    assert not rules.triage(analyse(text)).urgences


def _reader(line):
    return SignReader({"qualificatifs": {}, "regles": [
        {"id": "t", "numero": "15", "priorite": 1, "motif": "m", "source": "s", "motifs": [line]}]})


def test_a_gap_stops_at_a_full_stop_but_not_at_a_hyphen():
    reader = _reader("douleur ~4 poitrine")
    assert reader.read("une douleur dans la poitrine")
    assert not reader.read("une douleur au dos. La poitrine va bien")
    assert _reader("liquide ~3 vaisselle").read("il a bu du liquide de lave-vaisselle")


def test_a_decimal_point_reads_as_a_comma(rules):
    reader = _reader("a re:39,5")
    assert reader.read("il a 39.5 ce soir")
    assert "15" in raised(rules, "mon pere a 39.5 il a la peau toute tachetee et il pisse plus depuis hier", net=False)
