"""Checks of the NLU data (nothing is trained): sizes, coverage, held-out isolation."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

pytest.importorskip("rasa", reason="rasa reads the NLU YAML files")

from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
INTENTS = [i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]]
ENTITIES = [e if isinstance(e, str) else next(iter(e)) for e in DOMAIN["entities"]]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip(" ?!.")


@pytest.fixture(scope="module")
def train():
    return load_data(str(ROOT / "nlu" / "data"))


@pytest.fixture(scope="module")
def heldout():
    return load_data(str(ROOT / "nlu" / "eval" / "heldout.yml"))


def test_no_heldout_example_in_training(train, heldout):
    seen = {_norm(m.get("text")) for m in train.training_examples}
    leaked = [m.get("text") for m in heldout.training_examples if _norm(m.get("text")) in seen]
    assert leaked == []


@pytest.mark.parametrize("intent", INTENTS)
def test_training_examples_per_intent(train, intent):
    n = Counter(m.get("intent") for m in train.training_examples)[intent]
    assert n >= (150 if intent == "orientation" else 40)


@pytest.mark.parametrize("intent", INTENTS)
def test_heldout_examples_per_intent(heldout, intent):
    assert Counter(m.get("intent") for m in heldout.training_examples)[intent] >= 15


def test_heldout_entities_are_domain_entities(heldout):
    used = {e["entity"] for m in heldout.training_examples for e in m.get("entities", [])}
    assert used <= set(ENTITIES)
    assert {"commune", "departement", "age", "public", "besoin", "type_ressource"} <= used


def test_training_has_no_duplicates(train):
    counts = Counter(_norm(m.get("text")) for m in train.training_examples)
    assert [t for t, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("config", ["config.yml", "nlu/variants/dense.yml"])
def test_configs_reference_existing_components(config):
    import importlib

    data = yaml.safe_load((ROOT / config).read_text(encoding="utf-8"))
    custom = [c["name"] for c in data["pipeline"] if c["name"].startswith("nlu.")]
    assert custom, "the deterministic extractors must be in the pipeline"
    for name in custom:
        module, cls = name.rsplit(".", 1)
        assert hasattr(importlib.import_module(module), cls), name


def test_lookups_generated_from_vocabulary():
    """nlu/data/lookups.yml is exactly what nlu/build_lookups.py renders (one source of truth)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_lookups", ROOT / "nlu" / "build_lookups.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert (ROOT / "nlu" / "data" / "lookups.yml").read_text(encoding="utf-8") == mod.render()


@pytest.mark.parametrize("code", ["DAC", "CLIC", "MDPH", "SSIAD", "HAD", "EMSP", "CSAPA", "PMI",
                                  "CRIP", "RESEAU", "PRADO"])
def test_every_contract_acronym_has_synonyms(train, code):
    assert code in set(train.entity_synonyms.values())
