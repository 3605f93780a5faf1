"""Each identifier check, once, with its owner: INSEE code and departments (gazetteer), e-mail and
phone (contact), ages (ages)."""
import re

import pytest

from knowledge import ages, contact
from knowledge.gazetteer import (DEPARTEMENT_CODES, DEPARTEMENTS, INSEE_PATTERN, POSTAL_CODE_PATTERN, Gazetteer,
                                 is_code_insee, is_region_departement)


@pytest.mark.parametrize("code,ok", [("18033", True), ("2A004", True), ("2B120", True), ("1B345", False),
                                     ("3A123", False), ("1803", False), ("180333", False), (18033, False), ("", False)])
def test_insee_code(code, ok):
    assert is_code_insee(code) is ok


def test_every_commune_of_the_gazetteer_has_a_well_formed_code():
    assert all(is_code_insee(c) for c in Gazetteer.default().communes)


def test_departments_and_postal_codes_of_the_region():
    assert DEPARTEMENT_CODES == ("18", "28", "36", "37", "41", "45") == tuple(Gazetteer.default().departements)
    assert set(DEPARTEMENTS) == set(DEPARTEMENT_CODES)
    assert is_region_departement("36") and not is_region_departement("75") and not is_region_departement(36)
    assert re.fullmatch(POSTAL_CODE_PATTERN, "41200") and not re.fullmatch(POSTAL_CODE_PATTERN, "75012")
    assert re.fullmatch("^" + INSEE_PATTERN + "$", "45234")


@pytest.mark.parametrize("value,ok", [("claire.martin@medecin.mssante.fr", True), (" dac18@exemple.fr ", True),
                                      ("clic@", False), ("pas-une-adresse", False), ("a@b", False), (None, False)])
def test_email(value, ok):
    assert contact.is_email(value) is ok


def test_mss_address():
    assert contact.is_mss_address("dr.x@medecin.mssante.fr") and contact.is_mss_address("x@mssante.fr")
    assert not contact.is_mss_address("x@fakemssante.fr")


@pytest.mark.parametrize("text,expected", [
    ("rappelez-moi au 06 12 34 56 78", "06 12 34 56 78"),
    ("+33612345678", "06 12 34 56 78"),
    ("écrivez à Claire.Martin@Medecin.MSSante.fr merci", "claire.martin@medecin.mssante.fr"),
    ("demain", None),
    ("06 12 34", None),
])
def test_callback_contact(text, expected):
    assert contact.callback_contact(text) == expected


@pytest.mark.parametrize("value,ok", [("02 61 91 18 00", True), ("0 800 47 47 88", True), ("15", True),
                                      ("116 117", True), ("3919", True), ("0261911800", False), (261911800, False)])
def test_directory_phone(value, ok):
    assert contact.is_directory_phone(value) is ok


def test_ages():
    assert ages.plausible_age(0) and ages.plausible_age(ages.MAX_AGE)
    assert not ages.plausible_age(-1) and not ages.plausible_age(121) and not ages.plausible_age(True)
    assert ages.within(17, None, 17) and not ages.within(18, None, 17) and ages.within(90, 60, None)
    assert ages.within(5, None, None)
