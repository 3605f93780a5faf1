"""The clinical-signs reader (spaCy) and its qualifiers, and the learned second net."""
from __future__ import annotations

import pytest
import yaml

from knowledge.signs import DEFAULT_PATH, SignReader, SignsError
from knowledge.situation import analyse
from knowledge.triage import KNOWN_NUMBERS, Rules


@pytest.fixture(scope="module")
def reader() -> SignReader:
    return SignReader.default()


def _live(reader, text):
    return {(s.regle, s.numero) for s in reader.read(text) if reader.is_live(s)}


@pytest.mark.parametrize("text,rule", [
    ("elle est tombée et depuis elle ne peut plus lever le bras droit", "avc_bras"),
    ("il a la bouche de travers depuis 20 minutes", "avc_visage"),
    ("ma mère parle bizarrement d'un coup", "avc_parole"),
    ("le bébé de 4 mois respire vite, on voit ses côtes se creuser", "detresse_respiratoire_enfant"),
    ("il n'arrive plus à respirer même assis", "detresse_respiratoire"),
    ("fièvre à 39,5 et taches violettes qui ne s'effacent pas", "purpura_febrile"),
    ("il a pris toute la boîte de cachets", "suicide_urgence_elevee"),
    ("elle voudrait ne plus se réveiller", "idees_suicidaires"),
    ("son mari la frappe quand il a bu", "violences_conjugales"),
    ("il dort dans sa voiture depuis trois nuits", "sans_hebergement"),
])
def test_signs_told_in_lay_words_are_live(reader, text, rule):
    assert rule in {r for r, _ in _live(reader, text)}


@pytest.mark.parametrize("text,qualifier", [
    ("pas de douleur thoracique ni de dyspnée", "nie"),
    ("ATCD d'AVC en 2019 avec hémiplégie séquellaire", "antecedent"),
    ("il a fait un infarctus il y a cinq ans, il va bien", "antecedent"),
    ("que faire si mon patient convulse ?", "hypothese"),
    ("au cas où mon père aurait des idées noires, qui appeler ?", "hypothese"),
    ("elle a peur d'avoir un jour la bouche de travers comme sa mère", "crainte"),
])
def test_qualified_signs_are_not_live(reader, text, qualifier):
    signs = reader.read(text)
    assert signs, "the sign is found"
    assert all(not reader.is_live(s) for s in signs)
    assert any(qualifier in s.qualificatifs for s in signs)


def test_a_threat_after_a_si_clause_stays_live(reader):
    # The "si" belongs to "continue", not to "se tuer" (dependency parse).
    assert ("idees_suicidaires", "3114") in _live(reader, "si ça continue elle va se tuer")


def test_reported_speech_is_kept_and_sudden_onset_read(reader):
    signs = reader.read("sa fille dit que sa mère a la bouche de travers d'un coup")
    s = next(x for x in signs if x.regle == "avc_visage")
    assert s.rapporte and s.debut == "brutal" and reader.is_live(s)


def test_every_rule_names_its_source_and_a_known_number():
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    for rule in data["regles"]:
        assert rule["source"].strip(), rule["id"]
        assert str(rule["numero"]) in KNOWN_NUMBERS


def test_invalid_rules_are_refused():
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["regles"][0].pop("source")
    with pytest.raises(SignsError, match="source"):
        SignReader(data)
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["regles"][0]["numero"] = "18"
    with pytest.raises(SignsError, match="numéro inconnu"):
        SignReader(data, numbers=set(KNOWN_NUMBERS))


def test_situation_reads_the_signs_once_and_triage_uses_them():
    situation = analyse("mon patient a le visage qui s'est affaissé d'un côté d'un coup et il parle bizarrement")
    assert {s.regle for s in situation.signes} >= {"avc_visage", "avc_parole"}
    triage = Rules.default().triage(situation)
    assert triage.urgences[0].numero == "15"


def test_plan_with_means_tonight_gives_15_and_3114():
    triage = Rules.default().triage(analyse("il a acheté une corde et dit qu'il va en finir ce soir"))
    numeros = [u.numero for u in triage.urgences]
    assert numeros[0] == "15" and "3114" in numeros


@pytest.mark.parametrize("text", ["bonjour", "merci beaucoup, bonne journée", "au revoir", "ok super"])
def test_no_alarm_on_small_talk(text):
    assert Rules.default().triage(analyse(text)).urgences == []


def test_the_net_is_vetoed_by_negated_signs():
    text = "pas de douleur thoracique, pas de dyspnée, pas de déficit, je cherche un SSIAD"
    assert Rules.default().triage(analyse(text)).urgences == []


def test_the_net_learns_from_its_written_corpus():
    from knowledge.emergency_net import EmergencyNet, corpus

    texts, labels = corpus()
    assert len(texts) >= 3000 and set(labels) >= {"0", "15", "3114", "3919", "17", "119", "3977", "115"}
    net = EmergencyNet.default()
    assert net.predict("mon père a le bras qui lâche d'un coup et parle mal").numero == "15"
    assert net.predict("je cherche un SSIAD à Blois").probabilites["0"] > 0.8
