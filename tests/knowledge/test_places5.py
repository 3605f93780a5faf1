"""Place reading, fifth generation classes: departments in other forms, lower-case short towns,
compound names without their article, "sect" cue; and the words that must stay words."""
from __future__ import annotations

import pytest


from knowledge.places import read_place


# (message, expected department, expected commune or None); long messages on purpose: the
# short-message reading does not apply to them.
PLACES = [
    # a compass point before a department name, even a word ("cher")
    ("patiente 78a en fin de vie, son mari ne tient plus, une hospitalisation à domicile "
     "est-elle possible pour le sud cher ?", "18", None),
    ("mr 66 ans, alcool depuis des années, il veut arrêter mais n'a pas de voiture, un csapa "
     "vers l'ouest du loiret ?", "45", None),
    ("femme 80 ans très isolée depuis le décès de son mari, elle ne mange plus, nord indre "
     "et loire, quel service ?", "37", None),
    # a department number after "sur le", "dpt du", a bare "le" (not a day), ending a sentence
    ("patient de 86 ans, démence, fugues, son épouse n'en peut plus, qui fait du répit "
     "sur le 41 ?", "41", None),
    ("je suis infirmière libérale, je cherche l'équipe mobile de soins palliatifs qui couvre "
     "le 37 pour un monsieur de 90 ans", "37", None),
    ("jeune femme 25a à la rue avec son bébé depuis une semaine, aucune solution "
     "d'hébergement trouvée. 36", "36", None),
    ("je suis le médecin traitant d'un patient du 37 qui a besoin d'un bilan de mémoire, "
     "il a 78 ans et oublie ses rendez-vous", "37", None),
    ("médecin traitant dpt du 28, je cherche une consultation mémoire pour une patiente "
     "de 79 ans qui oublie tout", "28", None),
    # a department name in lower case after "dans le", a number after a dash
    ("mr 80 ans vit seul ne mange plus son fils est loin que proposer comme aide dans le cher", "18", None),
    ("monsieur de 80 ans qui vit seul et ne mange plus, que proposer comme aide - 36", "36", None),
    # a department number next to a homonym decides ("Amilly 28"), and next to a name ("37 chinon")
    ("mr 80 ans vit seul à Amilly 28, ne mange plus, son fils est loin, que proposer comme aide",
     "28", "Amilly"),
    ("patiente 75 ans très isolée depuis son veuvage, elle ne sort plus de chez elle, 37 chinon",
     "37", "Chinon"),
    # a short town name in lower case in a run-on message
    ("portage de repas pour mon oncle 85 ans gien il ne fait plus à manger depuis sa chute",
     "45", "Gien"),
    # a compound name without its article, in lower case, "st" for "saint"
    ("aide au ménage pour ma grand mere qui vit ferte st aubin depuis toujours, elle ne peut "
     "plus passer l'aspirateur", "45", "La Ferté-Saint-Aubin"),
    ("mamie 91 ans ferte st aubin veut une aide pour les courses", "45", "La Ferté-Saint-Aubin"),
    # a demonym that is also a natural region names the town when it is a person ("un", "une")
    ("on m'adresse une Blésoise de 45 ans sans mutuelle avec un abcès dentaire, où la soigner ?",
     "41", "Blois"),
    ("j'ai un Drouais de 60 ans au téléphone, il boit trop et veut de l'aide", "28", "Dreux"),
    ("elle me parle d'un berruyer de 70 ans qui boit beaucoup depuis son veuvage, qui peut l'aider",
     "18", "Bourges"),
    ("jeune couple sans logement dans l'agglo tourangelle depuis un mois, deux enfants, que faire ?",
     "37", "Tours"),
    # "vit seule <name>" in SMS style: a place cue (medium: not before a frequent phrase)
    ("mme 84 ans vit seule loches ne mange plus sa fille est loin que proposer comme aide", "37", "Loches"),
    ("mr 90 ans habite seul le blanc, chutes à répétition, refuse l'ehpad, son fils est inquiet",
     "36", "Le Blanc"),
    # "sect" (secteur) is a place cue
    ("monsieur 70 ans, bpco, vit seul, ne sort plus, l'infirmière s'inquiète, qui peut "
     "coordonner ? sect pithiviers", "45", "Pithiviers"),
]


@pytest.mark.parametrize("text, dep, commune", PLACES)
def test_fifth_generation_place_classes(gaz, voc, text, dep, commune):
    reading = read_place(text, gaz, voc)
    assert reading.departement is not None and reading.departement.code == dep, reading
    if commune:
        assert reading.commune is not None and reading.commune.nom == commune


# Numbers and words that stay what they are.
NOT_PLACES = [
    "rdv le 28 novembre avec le neurologue pour sa maladie de parkinson, il a 80 ans",
    "fièvre à 39, température le 37,5 ce matin, il tousse depuis trois jours",
    "il pèse le 45 kg à peine, dénutrition, perte d'appétit, elle vit seule",
    "la voisine a appelé le 18 hier soir quand elle est tombée, elle a 90 ans",
    "le 15 a dit de voir son médecin traitant demain matin, elle a 80 ans",
    "elle chausse du 36 au 38 selon les jours, oedèmes des chevilles, 80 ans, insuffisance cardiaque",
    "il fait 37 tours de jardin par jour, 80 ans, il ne dort plus, sa femme est épuisée",
    "score de 12. 36 minutes de marche par jour seulement, il a 70 ans et une bpco",
    "il regarde vers le nord, il est cher à son cœur ce jardin, dit sa fille inquiète",
    "elle a la ferte de tout faire elle même, 86 ans, veuve, refuse toute aide",
    "elle a grandi dans l'Orléanais puis en ville, 82 ans, chutes répétées, refuse l'ehpad",
    "le Vendômois est loin de tout pour elle, 79 ans, plus de permis, isolée",
    "le sud est plus ensoleillé, il voudrait partir, 75 ans, déprimé depuis l'hiver",
]


@pytest.mark.parametrize("text", NOT_PLACES)
def test_numbers_and_words_stay_words(gaz, voc, text):
    reading = read_place(text, gaz, voc)
    assert not reading.found and not reading.candidates, reading


# A hospital named without its town: its commune, only when the message names no other place.
@pytest.mark.parametrize("text, commune", [
    ("patiente de 79 ans qui sort de Clocheville demain, il faudrait une infirmière à domicile", "Tours"),
    ("monsieur 81 ans hospitalisé au CH Jacques Cœur pour une chute, retour à domicile prévu vendredi",
     "Bourges"),
    ("sortie de l'hôpital de la Source lundi, dame de 88 ans seule, qui peut passer pour la toilette",
     "Orléans"),
    ("sortie de l'hôpital de la Source lundi, dame de 88 ans seule à Gien, qui peut passer", "Gien"),
])
def test_a_hospital_named_without_its_town(gaz, voc, text, commune):
    assert read_place(text, gaz, voc).commune.nom == commune


@pytest.mark.parametrize("text", [
    "elle boit l'eau de la source du jardin, 85 ans, confuse depuis hier, son fils s'inquiète",
    "il a lu un livre sur Jacques Coeur, 80 ans, très seul depuis son veuvage, il déprime",
])
def test_hospital_names_without_a_hospital_word_are_not_places(gaz, voc, text):
    assert not read_place(text, gaz, voc).found


def test_an_age_next_to_a_homonym_does_not_decide(gaz, voc):
    reading = read_place("Femme à Vineuil 36 ans, seule depuis son veuvage, dépression, quel suivi proposer", gaz, voc)
    assert reading.commune is None and {c.departement for c in reading.candidates} == {"36", "41"}


def test_sur_le_cher_is_the_river_not_the_department(gaz, voc):
    reading = read_place("une dame de 85 ans qui habite une ferme sur le cher, isolée, que proposer", gaz, voc)
    assert reading.departement is None or reading.departement.code != "18"


# Several communes: a correction, then the home, before a hospital's town or a former home.
@pytest.mark.parametrize("text, commune", [
    ("patiente 81 ans hospitalisée à Blois pour une chute, elle habite à Mer, retour prévu jeudi", "Mer"),
    ("monsieur 75 ans, Vierzon, non pardon il a déménagé à Issoudun l'an dernier, alcool, qui contacter",
     "Issoudun"),
    ("mr 80 ans habitait Dreux, il vit maintenant chez son fils à Chartres, que proposer comme aide", "Chartres"),
    ("infirmière de Pithiviers : patiente de 85 ans, évaluation à domicile par l'hôpital de Montargis ?",
     "Pithiviers"),
    ("dame de 79 ans à Bourges sort d'hospitalisation, sa fille vit à l'étranger, aucune aide", "Bourges"),
])
def test_the_home_comes_before_a_hospital_or_a_former_home(gaz, voc, text, commune):
    assert read_place(text, gaz, voc).commune.nom == commune
