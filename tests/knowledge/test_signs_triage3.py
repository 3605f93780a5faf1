"""Third-generation classes (triage3): own wordings, catches and traps, through the whole triage
(cue phrases + signs reader, without the learned net)."""
from __future__ import annotations

import pytest

from knowledge.situation import analyse


def numbers(rules, text):
    return {u.numero for u in rules.triage(analyse(text), net=False).urgences}


@pytest.mark.parametrize("text,expected", [
    # suicidal act done or imminent (RUD: 15 then 3114)
    ("Mme 37 ans, dépressive, a avalé 30 comprimés de paroxétine il y a deux heures, somnolente.", {"15", "3114"}),
    ("Mon fils de 17 ans a pris une boîte entière de somnifères après une dispute, il est dans sa chambre.",
     {"15", "3114"}),
    ("Son mari s'est barricadé dans le garage avec une rallonge électrique, il ne répond pas depuis un quart d'heure.",
     {"15", "3114"}),
    ("Elle m'écrit que cette nuit elle avale toute la boîte, ses cachets sont prêts sur la table.", {"15", "3114"}),
    # vital classes
    ("Patient 78 ans en FA, MID froid et livide depuis 2h, pouls pédieux abolis.", {"15"}),
    ("Femme 31 ans, retard de règles, douleur pelvienne brutale à droite, pâle, TA 80/40.", {"15"}),
    ("Ma compagne est enceinte de 39 semaines, elle a une envie irrépressible de pousser, on est dans la voiture.",
     {"15"}),
    ("On voit les cheveux du bébé, elle accouche à la maison, on fait quoi ?", {"15"}),
    ("Enfant 9 ans, boit énormément et urine la nuit depuis 2 semaines, respiration profonde, haleine qui sent "
     "la pomme, lecteur de glycémie affiche HI.", {"15"}),
    # social
    ("Son ancien compagnon rôde en bas de l'immeuble, il a écrit qu'il allait défoncer la porte, il a une "
     "interdiction de contact.", {"17"}),
    ("Ma voisine dit que son mari lui serre les poignets jusqu'au sang et la rabaisse devant les enfants.", {"3919"}),
    ("Elle voudrait reprendre un emploi mais son conjoint l'empêche de travailler et confisque sa carte bancaire.",
     {"3919"}),
    ("Mon père en maison de retraite : un soignant le malmène pendant la toilette et le laisse dans ses urines.",
     {"3977"}),
    ("Un homme et ses deux enfants sont partis du domicile conjugal, ils n'ont aucune solution d'hébergement "
     "pour cette nuit.", {"115"}),
    ("Pour une demande de bourse : la petite de 9 ans raconte que le compagnon de sa mère entre dans sa chambre "
     "la nuit.", {"119"}),
])
def test_third_generation_classes_are_caught(rules, text, expected):
    assert expected <= numbers(rules, text)


@pytest.mark.parametrize("text", [
    # dated past, treated, asymptomatic
    "Patient 66 ans, hémorragie digestive sous anticoagulant en janvier, traitement adapté, asymptomatique, "
    "je cherche un gastro-entérologue.",
    # information, training, fiction
    "Quel est le numéro pour signaler une personne âgée maltraitée ? C'est pour notre panneau d'affichage.",
    "J'anime une simulation pour des internes : cas clinique fictif d'intoxication médicamenteuse volontaire, "
    "quels numéros citer ?",
    "Nous formons nos aides à domicile au repérage des violences conjugales, ce n'est pas pour une situation précise.",
    # chronic, progressive
    "Mon père de 84 ans est de plus en plus confus, il a fait deux chutes cet hiver, qui peut l'évaluer ?",
    "Patiente 80 ans, désorientation progressive depuis des mois, chute en juin, demande de bilan mémoire.",
    "Patiente 70 ans, hémiparésie post-AVC, besoin de kinésithérapie à domicile.",
    "Nourrisson de 5 mois, hypotonie axiale, adressé pour bilan neuropédiatrique.",
    "où trouver de l'aide pour le mal-être de mon fils de 14 ans ?",
    "Homme de 39 ans, idées délirantes anciennes, sans domicile, pas de danger immédiat, quelle équipe mobile ?",
    "Je voudrais que ma mère ait une aide pour le ménage.",
    # ordinary situations near the new signs
    "Ma fille de 3 ans prend un comprimé de Doliprane par jour quand elle a de la fièvre.",
    "Il a gardé la carte de fidélité du magasin, on cherche une aide-ménagère.",
    "Elle prend ses médicaments tous les soirs, pouvez-vous me donner un infirmier pour le pilulier ?",
    "Le facteur attend devant la porte avec un colis, je cherche un SSIAD.",
    "Ado de 15 ans, diabète de type 1, deux acidocétoses l'an dernier, ne fait plus ses injections, qui coordonne ?",
    "Jeune femme de 20 ans, DT1 déséquilibré, hospitalisée trois fois pour acidocétose, cherche un suivi social.",
    "Mon patient diabétique a une glycémie un peu haute le soir, pas de malaise, un réseau diabète près de Tours ?",
])
def test_third_generation_traps_do_not_fire(rules, text):
    found = numbers(rules, text)
    assert not found & {"15", "112", "17", "3114", "3919", "3977", "115", "119"}, found
