"""Social emergency probes of the fourth pass (issue 16): recall floors per number, no alarm on traps.

The probes are hand-written scenes in five voices (tests/knowledge/social_probes4.yaml, written
before the social4 rules; social_probes4b.yaml, written before they were scored on it). The rules
alone are tested (`net=False`): the learned net must not be what catches a scene.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from knowledge.situation import analyse
from knowledge.triage import Rules
from tests.knowledge.probes import recall_by

HERE = Path(__file__).parent
FILES = {"social_probes4.yaml": 0.95, "social_probes4b.yaml": 0.85}


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.default()


def _load(name: str) -> dict:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def _numbers(rules: Rules, text: str) -> set[str]:
    return {u.numero for u in rules.triage(analyse(text), net=False).urgences}


def test_probe_files_are_large_and_balanced():
    data = _load("social_probes4.yaml")
    per = defaultdict(int)
    for item in data["scenes"]:
        per[item["numero"]] += 1
    assert len(data["scenes"]) >= 120 and len(data["traps"]) >= 55
    assert set(per) == {"3919", "3114", "3977", "119", "17", "115", "114"}
    assert min(per.values()) >= 12
    assert {i["voice"] for i in data["scenes"]} == {"proche", "medecin", "sms", "operateur", "recit"}


@pytest.mark.parametrize("name,floor", sorted(FILES.items()))
def test_scene_recall_per_number_has_a_floor(rules, name, floor):
    low, missed = recall_by(rules, _load(name)["scenes"], "numero", floor)
    assert not low, f"recall under {floor} for {low}; missed {missed}"


@pytest.mark.parametrize("name", sorted(FILES))
def test_traps_raise_nothing(rules, name):
    alarms = [(t["id"], sorted(_numbers(rules, t["text"]))) for t in _load(name)["traps"]]
    assert [a for a in alarms if a[1]] == []
