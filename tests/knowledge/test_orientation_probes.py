"""Hand-written orientation probes (tests/knowledge/orientation_probes.yaml) on the sample
directory, as first turns through the domain code (no Rasa): every resource type of the contract
in lay words, SMS style and relatives' words, with places written as people write them."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.knowledge.test_orientation_classes import first_answer, orienter  # noqa: F401  (fixture)

PROBES = yaml.safe_load((Path(__file__).parent / "orientation_probes.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("probe", PROBES, ids=[f"{p['types'][0]}:{p['texte'][:40]}" for p in PROBES])
def test_probe_first_type_and_department(orienter, probe):  # noqa: F811
    o = first_answer(orienter, probe["texte"])
    assert o.recommandations, o.message()
    assert o.recommandations[0].service.type in probe["types"], o.message()
    assert o.situation.departement is not None and o.situation.departement.code == probe["departement"]


def test_probes_cover_every_type_and_department():
    from knowledge.vocabulary import TYPE_CODES

    first = {p["types"][0] for p in PROBES}
    assert first >= set(TYPE_CODES) - {"CPAM", "SPASAD"}   # CPAM and SPASAD come as alternatives
    assert {p["departement"] for p in PROBES} == {"18", "28", "36", "37", "41", "45"}
