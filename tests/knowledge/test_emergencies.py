"""Emergency detection (knowledge.emergencies): scenes and signs told in lay words raise their
number; the same words negated, past, hypothetical, conditional, fictional or asked as general
information raise nothing. The sentences are written for these tests (not from the held-out sets)."""
from __future__ import annotations

import pytest

import knowledge.emergencies as emergencies
import knowledge.triage as triage
from knowledge.negation import is_negated
from knowledge.situation import analyse
from knowledge.text import fold
from knowledge.triage import Rules


def _numbers(text: str) -> list[str]:
    return [u.numero for u in Rules.default().triage(analyse(text)).urgences]


def test_the_emergency_names_stay_importable_from_the_triage():
    assert triage.Emergency is emergencies.Emergency
    assert triage.emergency_line is emergencies.emergency_line
    assert Rules.default().emergency_rules.libelle("15")


@pytest.mark.parametrize("number,text", [
    ("15", "elle s'est réveillée avec la jambe droite qui ne la porte plus et la bouche de travers"),
    ("15", "opérateur : la personne est allongée, les yeux ouverts mais elle ne réagit à rien"),
    ("15", "sa jambe est devenue toute blanche et froide, il a très mal depuis une heure"),
    ("3977", "en ehpad, un soignant gifle les résidents, ma mère a des bleus sur les bras"),
    ("3977", "mme 87a, le neveu a pris sa carte bleue et vide ses comptes"),
    ("3977", "dame de 85 ans sous curatelle, plus un sou pour ses médicaments, le curateur ne répond pas"),
    ("119", "ma voisine laisse ses deux petits seuls tout le week-end sans manger"),
    ("119", "l'enfant de 6 ans a des brûlures de cigarette sur les bras, la mère dit qu'il est tombé"),
    ("119", "le petit de 3 ans arrive à la crèche avec des hématomes, les parents disent qu'il se cogne"),
    ("17", "mon ex est en bas de chez moi et tape dans la porte pour entrer, j'ai peur"),
    ("17", "un patient agité me menace avec des ciseaux dans la salle d'attente"),
    ("17", "il a sorti un couteau et l'agite devant sa grand-mère, je me suis enfermée dans la cuisine"),
    ("3919", "la voisine a le visage tuméfié, elle m'a dit qu'il va la tuer un jour"),
    ("115", "un jeune homme dort sous l'abribus devant chez moi depuis hier soir"),
])
def test_scenes_told_in_lay_words_raise_their_number(number, text):
    assert number in _numbers(text)


@pytest.mark.parametrize("text", [
    "il a fait une tentative de suicide à 20 ans, il en a 50 et va bien, il veut un médecin traitant",
    "mon fils a convulsé bébé avec la fièvre, il a 10 ans maintenant, bilan orthophonique ?",
    "quels sont les signes d'un AVC ? c'est pour une affiche au cabinet",
    "ma collègue m'a parlé d'un enfant maltraité dans un film, ça m'a marquée",
    "son mari pourrait devenir violent s'il perd son travail, conseil conjugal ?",
    "dans le livre que je lis, l'héroïne se fait battre par son mari",
    "je prépare une formation sur la maltraitance des personnes âgées pour des aides à domicile",
    "il s'est coupé le doigt en cuisinant, ça a saigné un peu, pansement fait, c'est grave ?",
    "je suis mort de fatigue ce soir",
    "on se tue au travail en ce moment",
])
def test_the_same_words_told_as_past_hypothesis_fiction_or_small_talk_raise_nothing(text):
    assert _numbers(text) == []


def test_a_verbal_negation_does_not_run_past_et():
    text = fold("elle ne la porte plus et la bouche de travers")
    start = text.index("bouche")
    assert not is_negated(text, start, start + 6)
    noun = fold("pas de chutes et de troubles")
    assert is_negated(noun, noun.index("troubles"), len(noun))
