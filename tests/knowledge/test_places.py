"""knowledge/places.py: the one place reader, and the three front doors that use it agree."""
from __future__ import annotations

import pytest

from bot.api.app import resolve_commune
from bot.api.errors import ApiError
from bot.console.communes import Communes

from knowledge.places import read_place


@pytest.mark.parametrize("text, insee", [
    ("Romorantin", "41194"),                    # usual short name of Romorantin-Lanthenay
    ("had romorantin", "41194"),                # SMS-style request
    ("cmp gien ?", "45155"),
    ("st amand", "18197"),                      # St → Saint, the one Saint-Amand of the region
    ("vierzonn", "18279"),                      # a typo on a town
    ("Chateauroux", "36044"),                   # accents optional
    ("18000", "18033"),                         # a postal code of one commune
    ("37000 tours", "37261"),
])
def test_communes(gaz, text, insee):
    reading = read_place(text, gaz)
    assert reading.found and reading.commune is not None
    assert reading.commune.code_insee == insee
    assert reading.departement.code == insee[:2]


def test_a_department_alone(gaz):
    reading = read_place("dac 36 ?", gaz)
    assert reading.commune is None and reading.departement.code == "36"


def test_a_shared_postal_code_gives_its_communes(gaz):
    reading = read_place("ssiad 41200", gaz)
    assert reading.ambiguous and reading.commune is None
    assert {"Romorantin-Lanthenay", "Villefranche-sur-Cher", "Millançay"} <= {c.nom for c in reading.candidates}
    assert reading.departement.code == "41"


@pytest.mark.parametrize("text, label", [("Paris", "Paris"), ("à Nantes", "Nantes")])
def test_out_of_region(gaz, text, label):
    reading = read_place(text, gaz)
    assert not reading.found and reading.hors_region == label


@pytest.mark.parametrize("text", ["15", "3.14159", "dame 36 ans seule", ""])
def test_numbers_that_are_not_places(gaz, text):
    reading = read_place(text, gaz)
    assert not reading.found and reading.hors_region is None and not reading.candidates


def test_the_nlu_insee_code_wins_over_the_text(gaz):
    reading = read_place("dame seule à Bourges", gaz, entities={"commune": ["18279"]})
    assert reading.commune.nom == "Vierzon"


@pytest.mark.parametrize("text", ["Romorantin", "st amand", "vierzonn", "18000"])
def test_console_and_api_read_a_place_as_the_bot_does(gaz, text):
    bot = read_place(text, gaz).commune.code_insee
    commune, candidates, _ = Communes().read(text)
    assert commune.code_insee == bot and not candidates
    assert resolve_commune(gaz, text) == bot


def test_the_api_refuses_what_the_chat_would_ask_back(gaz):
    """The chat asks which commune; the API names the candidates and wants the INSEE code."""
    assert read_place("41200", gaz).ambiguous
    with pytest.raises(ApiError) as err:
        resolve_commune(gaz, "41200")
    assert err.value.code == "commune_inconnue" and "ambiguë" in err.value.message
    assert "Millançay" in err.value.message
    with pytest.raises(ApiError):
        resolve_commune(gaz, "Paris")


@pytest.mark.parametrize("text, insee", [
    ("sans papiers mal aux dents depuis 1 semaine tours ou se faire soigner gratuit", "37261"),
    ("jeune sans-papiers avec une plaie infectée tours qui peut le soigner gratuitement", "37261"),
    ("il fait des tours dans son quartier la nuit et parle seul depuis des semaines", None),
    ("tours de taille à 110, diabète mal équilibré, besoin d'un programme d'éducation thérapeutique", None),
])
def test_a_lowercase_town_that_is_a_word_in_a_run_on_sms(gaz, text, insee):
    """"tours" in lower case is the town unless a determiner, a number or "de" makes it the word."""
    reading = read_place(text, gaz)
    assert (reading.commune.code_insee if reading.commune else None) == insee
