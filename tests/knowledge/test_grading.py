"""Grading: one clear need or a named service inside a noisy story gets the specialised service;
the DAC comes first only when the person's own problems touch several domains (docs/triage.md § 4-5).

Phrasings written for these tests (none copied from the held-out sets).
"""
from __future__ import annotations

import pytest

from knowledge.situation import analyse


def first(rules, text):
    t = rules.triage(analyse(text, signs=False))
    return t.types[0] if t.types else None, t


@pytest.mark.parametrize("text, want", [
    # A service named by the caller, in a story touching two or three domains.
    ("Ma tante s'occupe seule de son mari qui a la maladie d'Alzheimer à Vierzon, elle ne sort plus "
     "de chez elle. Existe-t-il une plateforme de répit près de chez eux ?", "PFR"),
    ("Mr 58 ans, Chartres, lymphome sous chimiothérapie, vit seul, fatigué : je voudrais le réseau "
     "de cancérologie pour les soins de support.", "RESEAU"),
    ("Femme de 70 ans, Parkinson avancé, mari aidant, Amboise, prescription faite : je cherche un SSIAD.",
     "SSIAD"),
    # A decision already taken by the MDPH is context, the service asked for comes first.
    ("Ma fille de 30 ans, infirme moteur cérébral, vit seule à Dreux ; la MDPH lui a accordé un "
     "SAMSAH, lequel contacter ?", "SAMSAH"),
    # Help with daily life and no health problem: SAVS rather than SAMSAH.
    ("Mon cousin de 40 ans a une déficience intellectuelle légère, il vit seul à Vierzon et a besoin "
     "d'un accompagnement à domicile pour son budget et ses démarches.", "SAVS"),
    # Going home with housework help and no care: the home-help service.
    ("Dame de 84 ans à Tours qui rentre à domicile après hospitalisation la semaine prochaine, "
     "besoin d'aide pour le ménage et les courses, pas de soins.", "SAAD"),
])
def test_one_clear_request_gets_the_specialised_service(rules, text, want):
    got, t = first(rules, text)
    assert got == want, (t.regles, t.dimensions)
    assert t.niveau != 3


def test_the_dac_follows_a_named_service_in_a_story_with_several_domains(rules):
    got, t = first(rules, "Mon père épuisé garde ma mère démente à Gien, il ne sort plus, "
                          "connaissez-vous une plateforme de répit ?")
    assert got == "PFR"
    assert t.types[1] == "DAC"
    assert "service_demande" in t.regles


@pytest.mark.parametrize("text", [
    # Really complex: four domains of the person's own problems, or three with a refusal.
    "Mme 87 ans à Blois, démence, chutes à répétition, vit seule sans entourage, refuse toute aide, "
    "je cherche un SSIAD.",
    "Homme 60 ans, cirrhose, sans logement, dettes, alcool, hospitalisations répétées, "
    "le CMP ne le voit plus : besoin d'un CSAPA ?",
    "Mr 79 ans, insuffisance cardiaque, troubles cognitifs, épouse épuisée, refuse l'infirmière, "
    "plusieurs hospitalisations cette année.",
])
def test_really_complex_situations_keep_the_dac_first(rules, text):
    got, t = first(rules, text)
    assert got == "DAC", (t.regles, t.dimensions)
    assert t.niveau == 3


def test_services_already_in_place_are_not_needs():
    s = analyse("Mr 88 ans, ils ont une aide-ménagère et l'infirmière passe le matin ; il maigrit.",
                signs=False)
    assert not s.besoins & {"aide_domicile", "soins_infirmiers"}
    s = analyse("Mme 82 ans a besoin d'une aide à domicile pour les courses", signs=False)
    assert "aide_domicile" in s.besoins


def test_autonomous_for_a_task_is_no_need_for_it():
    s = analyse("Monsieur de 83 ans, autonome pour sa toilette, ne peut plus faire le ménage", signs=False)
    assert "soins_infirmiers" not in s.besoins


def test_a_refusal_for_now_in_a_request_for_information_is_no_refusal(rules):
    text = ("Mon père de 77 ans va bien, il ne souhaite rien pour le moment, juste se renseigner "
            "sur les aides et les résidences autonomie à Bourges.")
    s = analyse(text, signs=False)
    assert "refus_aide" not in s.besoins
    assert rules.triage(s).niveau != 3
    # A plain refusal still counts.
    s = analyse("Mme 85 ans ne veut rien, refuse toute aide, chutes, fille épuisée", signs=False)
    assert "refus_aide" in s.besoins


def test_a_relaying_caller_is_not_the_service_asked_for():
    s = analyse("Une assistante sociale de Vendôme relaie la demande d'un monsieur handicapé : "
                "il voudrait un SAVS.", signs=False)
    assert s.types == ["SAVS"]
