"""Vital traps that must not fire and their live counterparts (own wordings, issue 16)."""
from __future__ import annotations

import pytest

from knowledge.signs import SignReader


@pytest.fixture(scope="module")
def reader():
    return SignReader.default()


def live(reader, text):
    return [s.regle for s in reader.read(text) if reader.is_live(s)]


@pytest.mark.parametrize("text", [
    "Garçon de 7 ans, une crise convulsive avec fièvre vers 2 ans, pas de récidive depuis, on cherche un orthophoniste.",
    "Convulsion isolée bébé, aucune nouvelle crise depuis, il entre au CP.",
])
def test_a_past_episode_without_recurrence_is_not_live(reader, text):
    assert "convulsions" not in live(reader, text)


def test_a_recurrence_denied_does_not_hide_a_current_seizure(reader):
    assert "convulsions" in live(reader, "il convulse depuis cinq minutes, aucune récidive avant aujourd'hui")


@pytest.mark.parametrize("text", [
    "mon frère est triste mais il ne pense pas du tout au suicide, il veut un psychologue",
    "elle n'envisage pas de se suicider, elle cherche un groupe de parole",
])
def test_a_negated_thought_is_not_a_suicidal_sign(reader, text):
    assert not [r for r in live(reader, text) if "suicid" in r]


def test_a_negated_bodily_sign_stays_live(reader):
    assert live(reader, "mon mari ne respire pas, il est tout gris")


@pytest.mark.parametrize("text,rule", [
    ("jai les medocs sous la main jvais tout avaler cette nuit", "suicide_urgence_elevee"),
    ("patiente très déprimée, elle a caché ses somnifères depuis des semaines et parle d'en finir",
     "suicide_moyens_en_main"),
    ("il dit qu'il va tout prendre, il a stocké ses cp depuis un mois, personne ne le retiendra",
     "suicide_moyens_en_main"),
    ("son mari respire deux fois par minute depuis le patch de fentanyl", "intoxication"),
    ("FR à 5 par minute après la méthadone", "intoxication"),
])
def test_means_in_hand_and_a_slow_breathing_rate_are_live(reader, text, rule):
    assert rule in live(reader, text)


@pytest.mark.parametrize("text", [
    "le SSIAD va tout prendre en charge dès ce soir",
    "elle a pris ses médicaments ce soir comme d'habitude",
    "sa fille garde ses médicaments dans un pilulier, elle a une dépression ancienne",
    "il respire vingt fois par minute au repos",
])
def test_everyday_medication_and_a_normal_rate_raise_no_sign(reader, text):
    assert not {"suicide_moyens_en_main", "suicide_urgence_elevee", "intoxication"} & set(live(reader, text))
