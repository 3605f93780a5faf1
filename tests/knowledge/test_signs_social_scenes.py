"""Social emergencies told as scenes, and the traps that must not alarm (own wordings, issue 16).

Every sentence here was written for these tests (none comes from the held-out sets). The rules
alone are tested (`net=False`): the learned net must not be what catches a scene.
"""
from __future__ import annotations

import pytest

from knowledge.situation import analyse
from knowledge.triage import Rules


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.default()


def numbers(rules, text) -> set[str]:
    return {u.numero for u in rules.triage(analyse(text), net=False).urgences}


@pytest.mark.parametrize("number,text", [
    # 3919: acts or lesions with the partner named near them, in any order
    ("3919", "il lui donne des gifles devant les enfants, c'est son compagnon"),
    ("3919", "elle a honte, c'est son conjoint qui lui a fait ces bleus"),
    ("3919", "elle arrive la lèvre éclatée, son ami l'a frappée hier soir"),
    ("3919", "son concubin l'oblige à des rapports dont elle ne veut pas"),
    ("3919", "il lui a pété le nez, c'est son mari"),
    ("3919", "femme de 38 ans, coup de poing au visage par son copain"),
    ("3919", "il m a encore tapee hier soir, je sais pas quoi faire"),
    ("3919", "son mari lui serre la gorge quand il a bu"),
    # 3114: passive death wishes, relief, burden, goodbyes
    ("3114", "il trouve que ses enfants seraient plus tranquilles sans lui"),
    ("3114", "elle dit que la mort serait un soulagement"),
    ("3114", "il ne voit plus le sens de continuer à vivre"),
    ("3114", "elle voudrait être morte depuis que son mari est parti"),
    ("3114", "il aimerait s'endormir un soir et ne pas se réveiller"),
    ("3114", "elle se demande à quoi bon continuer"),
    ("3114", "il dit qu'il se sent un fardeau pour tout le monde"),
    ("3114", "elle ne supporte plus de vivre"),
    ("3114", "il dit qu'il n'a plus rien à faire sur cette terre"),
    # 3977: money, neglect, violence towards an elderly or disabled person
    ("3977", "Mme 88 ans, sa fille encaisse sa retraite et ne lui laisse rien pour manger"),
    ("3977", "monsieur de 84 ans, son neveu fait des virements sur son compte à son insu"),
    ("3977", "grand-mère de 90 ans laissée dans ses couches souillées toute la journée par sa belle-fille"),
    ("3977", "ma patiente de 86 ans n'a plus accès à ses comptes, son petit-fils a tout pris"),
    ("3977", "l'auxiliaire de vie tire Mme R, 91 ans, par le bras et la rudoie"),
    ("3977", "Mr 82 ans, son fils lui a coupé le chauffage"),
    ("3977", "adulte handicapé en foyer qui se fait racketter par un autre résident"),
    # 119: attribution, sexual scenes, child left alone
    ("119", "garçon de 7 ans avec un bleu sur la joue, il dit que c'est son beau-père"),
    ("119", "une fille de 13 ans me confie que son oncle la caresse quand il la garde"),
    ("119", "les trois enfants de 4, 6 et 9 ans sont seuls chez eux depuis hier"),
    ("119", "garçon de 10 ans qui se fait battre par sa mère"),
    ("119", "fillette de 8 ans qui a peur de rentrer chez elle, son père la frappe avec un câble"),
    ("119", "bébé de 3 mois, la mère dit qu'elle l'a secoué parce qu'il pleurait"),
    ("119", "enfant de 6 ans qui a des jeux sexualisés inquiétants à l'école"),
    # 17: the aggressor is on the spot, a weapon, a threat to kill
    ("17", "il vient de la cogner et il est encore dans la maison"),
    ("17", "son ex est en bas de chez elle et essaie de forcer la porte"),
    ("17", "un homme avec une hache dans le hall de l'immeuble"),
    ("17", "elle est au cabinet, son mari l'attend dehors et a dit qu'il la tuerait"),
    ("17", "un patient frappe l'infirmière à l'accueil"),
    ("17", "elle a pu s'échapper mais il la poursuit dans la rue"),
    ("17", "il menace de tout incendier avec elle à l'intérieur"),
    # 115: no shelter for the night that comes
    ("115", "il a été viré de son squat ce matin et ne sait pas où aller"),
    ("115", "elle a fui le domicile conjugal cette nuit et n'a aucun hébergement"),
    ("115", "mère et enfants sans rien pour cette nuit, le foyer est complet"),
    ("115", "il n'a plus de logement depuis ce matin et il pleut"),
    ("115", "la famille se retrouve à la rue avec un nourrisson"),
    ("115", "ils ont appelé le 115 toute la journée sans réponse, ils sont dehors avec les enfants"),
    # 114: deaf callers who cannot phone, writing only
    ("114", "ma patiente est sourde et ne peut pas téléphoner, son mari fait une crise"),
    ("114", "il n'entend plus rien même avec ses appareils, il doit appeler une ambulance"),
    ("114", "elle ne communique que par écrit, son père est tombé et ne se relève pas"),
])
def test_social_scene_raises_its_number(rules, number, text):
    assert number in numbers(rules, text)


@pytest.mark.parametrize("text", [
    # negated, past, hypothetical, information
    "elle a été battue par son ex il y a quinze ans, elle a refait sa vie",
    "que faire si une patiente me dit que son compagnon la frappe ?",
    "je prépare une affiche sur les violences faites aux femmes",
    "je cherche un groupe de parole pour femmes ayant subi des violences conjugales",
    "pas d'idées suicidaires, elle est simplement épuisée",
    "il n'a jamais eu d'idées noires",
    "on a parlé du suicide de sa sœur, elle cherche un groupe de deuil",
    "il a été expulsé l'an dernier, il est relogé depuis",
    # figurative or everyday wordings of the same words
    "il m'a frappé par sa maturité",
    "son mari tape sur le clavier toute la journée",
    "il a frappé à la porte du cabinet ce matin",
    "la patiente aimerait ne plus se réveiller la nuit pour uriner",
    "elle voudrait ne plus se réveiller fatiguée le matin",
    "il aimerait ne plus se réveiller à 5h, il dort mal",
    "elle voudrait que tout s'arrête, les nausées, les douleurs",
    "il n'a plus la force de continuer ce travail, il veut un bilan de compétences",
    "elle ne veut plus vivre seule, elle cherche un EHPAD",
    # bruises with a medical cause, children's falls
    "son mari a des hématomes aux bras à cause du Préviscan",
    "le bébé a des bleus faciles, hémophilie connue",
    "l'enfant a un bleu au genou après une chute de vélo",
    # the family helps, the institution charges
    "le fils gère les comptes de sa mère sous tutelle, tout se passe bien",
    "la maison de retraite prend toute sa retraite pour les frais",
    "son mari est présent à la consultation et l'aide beaucoup",
    "il est toujours là pour elle, son compagnon est très présent",
    # housing without tonight, deafness without emergency
    "elle dort chez une amie en attendant son logement social",
    "ils vivent à l'hôtel depuis six mois en attendant un logement",
    "patient sourd qui a besoin d'un rendez-vous chez l'ORL",
    "une patiente sourde voudrait une place en ESAT",
    "il a un fusil de chasse, il chasse depuis trente ans",
    "homme de 70 ans qui vit avec ses enfants, je cherche un SSIAD",
    "merci beaucoup, bonne journée",
])
def test_social_trap_does_not_alarm(rules, text):
    assert not numbers(rules, text)


def test_a_phone_line_that_does_not_answer_is_not_unconsciousness(rules):
    assert "15" not in numbers(rules, "ils sont dehors avec les enfants depuis hier, le 115 ne répond pas")
