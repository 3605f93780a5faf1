"""The data table of usual town abbreviations (knowledge/data/abreviations-communes.yaml)."""
from __future__ import annotations

import yaml

from knowledge.gazetteer import Gazetteer
from knowledge.gazetteer.index import ABBREVIATIONS_FILE
from knowledge.gazetteer.words import COMMON_NAMES
from knowledge.text import fold_place
from knowledge.vocabulary import Vocabulary


def test_each_abbreviation_names_its_source_and_an_existing_commune():
    rows = yaml.safe_load(ABBREVIATIONS_FILE.read_text(encoding="utf-8"))["abreviations"]
    g = Gazetteer.default()
    assert rows and len(rows) <= 30   # a small table, not a generated list
    for row in rows:
        assert row["source"] and row["code_insee"] in g.communes, row


def test_abbreviations_are_no_word_no_place_name_no_vocabulary_term():
    g, v = Gazetteer.default(), Vocabulary.default()
    names = {fold_place(c.nom) for c in g.communes.values()}
    for key in g.abbreviations():
        assert key not in names and key not in COMMON_NAMES, key
        assert not v.find(key), key          # not a service type, need or public ("orl", "chu")
        assert len(key) >= 3


def test_abbreviation_resolves_alone_and_needs_a_cue_in_running_text():
    g = Gazetteer.default()
    assert g.resolve("chtx").commune.nom == "Châteauroux"
    assert g.resolve("romo").commune.nom == "Romorantin-Lanthenay"
    assert [m.commune.nom for m in g.find("dame de 80 ans à bges, chutes")] == ["Bourges"]
    assert g.find("il a vu romo hier") == []   # a short form without a cue is not a place


def test_demonyms_of_the_main_towns():
    g = Gazetteer.default()
    assert [m.commune.nom for m in g.find("J'ai au téléphone une Castelroussine de 70 ans")] == ["Châteauroux"]
    assert g.resolve("chartrain").commune.nom == "Chartres"
    assert "orleanais" not in g.abbreviations()   # a natural region too: never a demonym here
