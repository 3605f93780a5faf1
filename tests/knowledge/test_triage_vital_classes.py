"""Vital classes of the third pass and their traps, own wordings (issue 16, branch vital3).

Each class is written from its source, never from a held-out sentence: a gesture for a chest pain
inside a question, a post-partum haemorrhage in a long request, a glucose meter below its range
(« LO »), a burn with a stated body surface; and traps where a word of the rules is negated,
past, general or about the emergency service itself.
"""
from __future__ import annotations

import pytest

from knowledge.situation import analyse


def numbers(rules, text):
    return [u.numero for u in rules.triage(analyse(text)).urgences]


@pytest.mark.parametrize("text", [
    # chest pain shown by a gesture, in a workplace and inside a question
    "Dans l'atelier, mon chef se tient la poitrine depuis dix minutes et il transpire, on fait quoi ?",
    "au cours de gym un élève de terminale se tient le torse depuis 15 min, il est tout blanc, on appelle qui",
    # post-partum haemorrhage inside a long request
    "Je cherche une puéricultrice de PMI pour une maman seule à Vierzon. Je la vois ce matin, "
    "quatre jours après son retour de la maternité : elle perd du sang à flots, la garniture est "
    "trempée en un quart d'heure et elle a la tête qui tourne.",
    "Jeune accouchée rentrée de maternité hier, utérus mou, saignements abondants, elle est livide.",
    # glucose meter below its range
    "Mon père diabétique sous insuline transpire et ne me reconnaît pas, le glucomètre affiche LO.",
    "diabète type 1, capteur freestyle à LO, il est tout bizarre et tremble",
    # burns with a stated body surface, scalds, perineum
    "Fillette 3 ans ébouillantée avec la casserole, environ 15 % de surface corporelle, cloques.",
    "brûlure 2e degré 30% SCT chez un adulte après un feu de broussailles",
    "Bébé ébouillanté dans le bain, brûlé aux fesses et au siège, la peau part.",
    # acute abdomen with signs of gravity (SFMU), ruptured aneurysm (ESVS)
    "Elle se tord de douleur, le ventre est dur comme de la pierre et elle est grise.",
    "Mal au dos et au ventre d'un coup chez un monsieur qui a un anévrisme de l'aorte, il fait un malaise.",
    # intoxications: injection, recreational drugs, opioid sedation
    "Mon cousin s'est shooté, il est bleu, il ne répond pas.",
    "Après la soirée elle a pris de l'ecstasy, elle délire et convulse.",
    "Il a mis deux patchs de morphine, il est dans les vapes et ronfle.",
    # consciousness graded as the Glasgow scale does
    "Il est affalé sur le canapé, il ouvre à peine les yeux quand on l'appelle.",
    "Ma mère ne réagit qu'à la douleur depuis une heure.",
    # a prolonged seizure (status epilepticus, SFMU: more than 5 minutes)
    "Mon mari épileptique a une crise depuis 7 minutes, ça ne passe pas.",
    # an information cue does not hide a situation dated now
    "Je voudrais des renseignements sur l'aide à domicile pour ma tante, mais ce matin elle ne "
    "répond plus quand on lui parle et elle respire bizarrement.",
])
def test_vital_classes_are_caught(rules, text):
    assert "15" in numbers(rules, text)


@pytest.mark.parametrize("text", [
    # a wound that does not bleed: the net stays silent on denied words
    "Ulcère variqueux qui ne saigne pas et ne sent pas, sans fièvre, on cherche une IDE pour les pansements.",
    "Sa cicatrice de césarienne ne saigne plus, elle voudrait une sage-femme pour le suivi.",
    # the emergency service as a workplace or as the subject of the question
    "Mon neveu fait un stage au SAMU, il a vu un arrêt cardiaque et une hémorragie, comment sont "
    "recrutés les régulateurs ?",
    "Ma femme travaille au SMUR, elle parle souvent d'infarctus, elle cherche un psychologue pour elle.",
    # a past delivery
    "Elle a fait une hémorragie lors de sa grossesse précédente, elle est de nouveau enceinte et "
    "cherche une sage-femme libérale.",
    # teaching supports, and words that also name a place or a reading
    "Pour un atelier de prévention, je cherche une affiche sur les signes de l'AVC.",
    "Psoriasis sur 25 % de la surface corporelle, cherche dermatologue à Blois.",
    # a negated verb of thought on a cue phrase
    "Il ne pense pas à une tentative de suicide, il cherche juste un CMP.",
    # a past death, an intervention told by a third party
    "Mon ami a perdu sa mère d'un infarctus, il cherche un groupe de parole pour le deuil.",
    "Mon beau-frère est ambulancier, il m'a raconté une intervention pour une overdose, ça m'a "
    "travaillé, je voudrais parler à quelqu'un.",
    # long-standing, even after the clause word "depuis"
    "Il a mal à la poitrine depuis des années à l'effort, il veut un cardiologue.",
    "Douleurs au ventre depuis des années, colopathie connue, cherche un gastro-entérologue.",
    # recreational use and routine treatments without signs
    "Il prend de la cocaïne le week-end, on cherche un CSAPA.",
    "Patch de fentanyl pour des douleurs chroniques, on cherche une HAD.",
    # cue phrases that are other words: the subjunctive « ait », a lottery, a drink, a mattress,
    # a figure of speech, a vaccine, an appointment tonight
    "Je souhaite qu'elle ait un passage infirmier matin et soir.",
    "Le tirage au sort des places en crèche, ça existe ?",
    "Il adore le café glacé, c'est pour un régime avec une diététicienne.",
    "Faute de lit, les enfants dorment par terre la nuit sur un matelas, assistante sociale ?",
    "Elle étouffe dans son couple, elle voudrait une thérapie conjugale.",
    "Où faire le vaccin contre la méningite pour mon fils ?",
    # history and balance after the sign
    "Un coma éthylique parmi ses antécédents, il souhaite un sevrage accompagné.",
    "Épilepsie connue, crises bien équilibrées sous traitement, il cherche une AESH.",
    # a general question on gravity
    "À partir de quand un saignement de nez devient une hémorragie grave ?",
    # small talk
    "Merci beaucoup pour votre aide, bonne soirée.",
])
def test_traps_do_not_alarm(rules, text):
    assert numbers(rules, text) == []
