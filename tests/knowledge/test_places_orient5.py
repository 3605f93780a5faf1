"""Places of issue 16 (orient5): compound names without their article in lower case, demonyms that
are also natural regions read only as a person."""
from __future__ import annotations

import pytest

from knowledge.gazetteer import Gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


@pytest.mark.parametrize("text,commune", [
    ("ssiad ferte st aubin", "La Ferté-Saint-Aubin"),
    ("besoin ccas ferte st aubin stp", "La Ferté-Saint-Aubin"),
    ("cmp ile bouchard", "L'Île-Bouchard"),
    ("had grand pressigny", "Le Grand-Pressigny"),
    ("Je vous adresse un Orléanais de 36 ans", "Orléans"),
    ("une jeune Blésoise de 19 ans", "Blois"),
])
def test_place_read(gazetteer, text, commune):
    found = [m for m in gazetteer.find(text) if m.kind == "commune"]
    assert [m.commune.nom for m in found if m.commune] == [commune]


@pytest.mark.parametrize("text", ["habite dans l'Orléanais", "elle vit dans le Vendômois", "le Drouais rural"])
def test_natural_region_is_no_town(gazetteer, text):
    assert [m for m in gazetteer.find(text) if m.kind == "commune"] == []
