"""Triage rules: the case table (emergencies, traps, levels), the validator and the clock."""
from __future__ import annotations

import copy
from datetime import datetime

import pytest
import yaml

from knowledge.hours import TZ
from knowledge.situation import analyse
from knowledge.triage import DEFAULT_PATH, Rules, RulesError
from scripts.triage_report import evaluate, load_cases, summary

CASES = load_cases()
FALSE_ALARM_BOUND = 0.05      # at most 5 % of non-emergency situations raise an alarm
LEVEL_ACCURACY_BOUND = 0.85
FIRST_TYPE_ACCURACY_BOUND = 0.80


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.default()


@pytest.fixture(scope="module")
def outcomes(rules):
    return evaluate(CASES, rules)


@pytest.fixture(scope="module")
def by_text(outcomes):
    return {o.texte: o.triage for o in outcomes}


@pytest.fixture(scope="module")
def figures(outcomes):
    return summary(outcomes)


# ---------------------------------------------------------------------------------------------
# The case table


def test_case_table_covers_the_issue():
    vital = [c for c in CASES if c["attendu"].get("numero") == "15"]
    social = {c["attendu"]["numero"] for c in CASES if c["attendu"].get("numero") not in (None, "15")}
    traps = [c for c in CASES if c.get("piege")]
    levels = {c["attendu"].get("niveau") for c in CASES}
    assert len(CASES) >= 120
    assert len(vital) >= 30
    assert {"115", "119", "3919", "17", "3977", "3114", "114"} <= social
    assert len(traps) >= 25
    assert {1, 2, 3} <= levels
    assert len({c["texte"] for c in CASES}) == len(CASES), "duplicate situations"


def _param(case: dict):
    marks = [pytest.mark.xfail(strict=True, reason=case["limite"])] if case.get("limite") else []
    return pytest.param(case, marks=marks, id=case["texte"][:50])


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case, by_text):
    triage = by_text[case["texte"]]
    numeros = [u.numero for u in triage.urgences]
    want = case["attendu"]
    if "numero" in want:
        assert want["numero"] in numeros, triage
        if want["numero"] == "15":
            assert numeros[0] == "15", triage
        for other in want.get("aussi", []):
            assert other in numeros, triage
    if "niveau" in want:
        assert triage.niveau == want["niveau"], triage
    if "type" in want:
        assert triage.types and triage.types[0] == want["type"], triage
    if triage.niveau is not None:
        assert any(m for m in triage.motifs), "the level must come with its reasons"


def test_zero_missed_vital_emergency(outcomes, figures):
    missed = [o.texte for o in outcomes if o.vital and not o.vital_caught]
    assert figures["vital_cases"] >= 30
    assert missed == []


def test_traps_never_raise_an_alarm(outcomes):
    alarms = [(o.texte, o.numeros) for o in outcomes if o.piege and o.numeros]
    assert alarms == []


def test_false_alarm_rate_on_non_emergencies(figures):
    print(f"\nfalse_alarm_rate: {figures['false_alarm_rate']} "
          f"({figures['false_alarms']}/{figures['non_emergency_cases']})")
    assert figures["non_emergency_cases"] >= 50
    assert figures["false_alarm_rate"] <= FALSE_ALARM_BOUND


def test_level_and_first_type_accuracy(figures):
    print(f"\nlevel_accuracy: {figures['level_accuracy']}  "
          f"first_type_accuracy: {figures['first_type_accuracy']}")
    assert figures["level_accuracy"] >= LEVEL_ACCURACY_BOUND
    assert figures["first_type_accuracy"] >= FIRST_TYPE_ACCURACY_BOUND


# ---------------------------------------------------------------------------------------------
# Behaviour of one triage


def test_emergency_alone_has_no_level(rules):
    triage = rules.triage(analyse("patient 60 ans douleur thoracique depuis 20 min"))
    assert [u.numero for u in triage.urgences] == ["15"]
    assert triage.niveau is None and triage.types == []
    assert triage.urgences[0].regle == "douleur_thoracique"
    assert triage.motifs[0] == "urgence vitale : douleur thoracique"


def test_emergencies_do_not_mask_the_rest(rules):
    text = ("Mme 86 ans, chutes a repetition, vit seule, refuse toute aide, fille epuisee, "
            "retrouvee au sol ce matin, froide")
    triage = rules.triage(analyse(text))
    assert triage.urgences[0].numero == "15"
    assert triage.niveau == 3 and triage.types[0] == "DAC"


def test_child_in_danger_adds_the_departmental_crip(rules):
    triage = rules.triage(analyse("enfant 7 ans ecchymoses inexpliquees, explications incoherentes"))
    em = next(u for u in triage.urgences if u.numero == "119")
    assert em.types == ("CRIP",)
    assert em.libelle == "Allô enfance en danger"


def test_level_three_states_the_dimensions(rules):
    triage = rules.triage(analyse(
        "Mme 86 ans, chutes a repetition, vit seule, refuse toute aide, fille epuisee"))
    assert triage.niveau == 3
    complexity = [m for m in triage.motifs if m.startswith("situation complexe : ")]
    assert complexity and "dimensions touchées" in complexity[0]
    assert triage.dimensions["adhesion"] == 2 and triage.dimensions["environnement"] == 2
    assert "complexe_personne_agee" in triage.regles


def test_non_permanent_number_states_its_hours(rules):
    triage = rules.triage(analyse("Mme 86 ans maltraitance financiere par son neveu"))
    em = next(u for u in triage.urgences if u.numero == "3977")
    assert "9h–19h" in em.libelle


# ---------------------------------------------------------------------------------------------
# Time: what is open when the best service is closed


@pytest.mark.parametrize("at, pds", [
    (datetime(2026, 11, 23, 10, 0, tzinfo=TZ), False),   # Monday morning: offices open
    (datetime(2026, 11, 23, 7, 30, tzinfo=TZ), True),    # Monday before 8h
    (datetime(2026, 11, 24, 20, 0, tzinfo=TZ), True),    # Tuesday 20h
    (datetime(2026, 11, 27, 19, 59, tzinfo=TZ), False),  # Friday 19h59
    (datetime(2026, 11, 28, 11, 0, tzinfo=TZ), False),   # Saturday morning
    (datetime(2026, 11, 28, 12, 0, tzinfo=TZ), True),    # Saturday from noon
    (datetime(2026, 11, 29, 10, 0, tzinfo=TZ), True),    # Sunday
    (datetime(2026, 12, 25, 10, 0, tzinfo=TZ), True),    # Christmas (Friday)
    (datetime(2026, 7, 14, 15, 0, tzinfo=TZ), True),     # 14 July (Tuesday)
])
def test_open_now_fallbacks(rules, at, pds):
    fallbacks = rules.open_now_fallbacks(at)
    numeros = [f["numero"] for f in fallbacks]
    assert rules.permanence_des_soins(at) is pds
    assert numeros == (["116 117", "15"] if pds else ["15"])
    assert all(f["libelle"] and f["motif"] for f in fallbacks)


@pytest.mark.parametrize("numero, hour, open_", [
    ("3977", 10, True), ("3977", 19, False), ("3977", 8, False), ("115", 3, True), ("15", 3, True),
])
def test_number_open(rules, numero, hour, open_):
    assert rules.number_open(numero, datetime(2026, 11, 23, hour, 0, tzinfo=TZ)) is open_


# ---------------------------------------------------------------------------------------------
# Validation at load: every broken file stops the load with a message naming the rule


def _rule(data, section, rid):
    return next(r for r in data[section] if r.get("id") == rid)


def _unknown_type(d):
    _rule(d, "niveaux", "soins_palliatifs")["types"] = ["EMSP", "USP"]


def _unknown_public(d):
    _rule(d, "niveaux", "adolescent_psy")["si"]["publics"] = ["ados"]


def _unknown_need(d):
    _rule(d, "niveaux", "addiction")["si"]["publics_ou_besoins"] = ["alcoolisme"]


def _unknown_number(d):
    _rule(d, "urgences", "idees_suicidaires")["numero"] = "3020"


def _unknown_list(d):
    _rule(d, "urgences", "violences_par_partenaire")["requiert"]["signes"] = ["@conjoints"]


def _unknown_exclusion(d):
    _rule(d, "urgences", "idees_suicidaires")["exclue_par"] = ["suicide_imminent"]


def _missing_field(d):
    del _rule(d, "niveaux", "medecin_traitant")["motif"]


def _unknown_condition(d):
    _rule(d, "niveaux", "medecin_traitant")["si"]["besoin"] = ["medecin_traitant"]


def _unreachable(d):
    # a more general rule placed before more specific ones (enfant_psy) with the same priority
    rules = d["niveaux"]
    i = rules.index(_rule(d, "niveaux", "adolescent_psy"))
    rules.insert(i, {"id": "toute_souffrance", "priorite": 20,
                     "si": {"besoins_un_de": ["souffrance_psychique", "troubles_psychiatriques",
                                              "idees_suicidaires", "troubles_comportement"]},
                     "niveau": 2, "types": ["CMP"], "motif": "souffrance psychique"})


def _shadowed_by_priority(d):
    _rule(d, "niveaux", "psychiatrie_adulte")["priorite"] = 21


def _contradiction(d):
    d["niveaux"].append({"id": "palliatif_had", "priorite": 20,
                         "si": {"publics_ou_besoins": ["soins_palliatifs"]},
                         "niveau": 2, "types": ["HAD"], "motif": "HAD"})


def _impossible_range(d):
    _rule(d, "niveaux", "dossier_mdph")["si"]["dimensions_min"] = 3


def _bad_level(d):
    _rule(d, "niveaux", "addiction")["niveau"] = 4


@pytest.mark.parametrize("mutate, rule, words", [
    (_unknown_type, "soins_palliatifs", "type de service inconnu 'USP'"),
    (_unknown_public, "adolescent_psy", "public inconnu 'ados'"),
    (_unknown_need, "addiction", "public ou besoin inconnu 'alcoolisme'"),
    (_unknown_number, "idees_suicidaires", "numéro inconnu '3020'"),
    (_unknown_list, "violences_par_partenaire", "liste inconnue '@conjoints'"),
    (_unknown_exclusion, "idees_suicidaires", "règle inconnue 'suicide_imminent'"),
    (_missing_field, "medecin_traitant", "champ manquant : motif"),
    (_unknown_condition, "medecin_traitant", "champ inconnu : besoin"),
    (_unreachable, "enfant_psy", "inatteignable : la règle 'toute_souffrance'"),
    (_shadowed_by_priority, "precarite_psy", "inatteignable : la règle 'psychiatrie_adulte'"),
    (_contradiction, "palliatif_had", "contradiction avec la règle 'soins_palliatifs'"),
    (_impossible_range, "dossier_mdph", "inatteignable : dimensions_min (3) > dimensions_max (1)"),
    (_bad_level, "addiction", "niveau 4"),
], ids=lambda x: x.__name__.strip("_") if callable(x) else None)
def test_broken_rules_stop_the_load(tmp_path, mutate, rule, words):
    data = copy.deepcopy(yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8")))
    mutate(data)
    path = tmp_path / "triage.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RulesError) as err:
        Rules.load(path)
    message = str(err.value)
    assert f"'{rule}'" in message and words in message, message


def test_dimensions_of_a_service_name_known_types_and_dimensions(tmp_path):
    for own, words in (({"XYZ": ["social"]}, "type de service inconnu 'XYZ'"),
                       ({"EMPP": ["logement"]}, "dimensions_du_service : dimensions connues")):
        data = copy.deepcopy(yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8")))
        data["service_demande"]["dimensions_du_service"] = own
        path = tmp_path / "triage.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        with pytest.raises(RulesError) as err:
            Rules.load(path)
        assert words in str(err.value), str(err.value)


def test_default_rules_load_and_round_trip(tmp_path):
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    path = tmp_path / "triage.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rules = Rules.load(path)
    assert [r.id for r in rules.niveaux] == [r.id for r in Rules.default().niveaux]
