"""The held-out orientation requests (tests/heldout/orientation/test.yml) through the real
pipeline (trained model's NLU, then the dialogue code), as first turns: the figures reached are
kept. Only aggregate figures are computed; the test split is never inspected item by item."""
from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

# Measured on the test split (docs/nlu.md); a change that lowers them fails here.
FIRST_TYPE_RIGHT = 0.830   # regression floor: 217 / 259 (0.838) measured on the merged main, 2 Dec. 2026; 2 items of margin for training noise
DEPARTEMENT_RIGHT = 0.988
ASKED_COMMUNE_NEEDLESSLY = 0.016


@pytest.fixture(scope="module")
def figures(model, sample_directory_url, monkeypatch_module):
    monkeypatch_module.setenv("AIGUILLAGE_DB_URL", sample_directory_url)
    monkeypatch_module.setenv("AIGUILLAGE_NOW", "2026-11-23T10:00:00+01:00")
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_orientation
    from knowledge import orientation

    monkeypatch_module.setattr(orientation, "_default", None)
    return bench_orientation.run(["test"], model)["test"]


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_heldout_set_is_large_enough(figures):
    assert figures["n"] >= 250 and figures["n.sms"] >= 100


def test_first_type_right(figures):
    assert figures["first_type_right"] >= FIRST_TYPE_RIGHT


def test_departement_right(figures):
    assert figures["departement_right"] >= DEPARTEMENT_RIGHT


def test_commune_asked_only_when_needed(figures):
    assert figures["asked_commune_needlessly"] <= ASKED_COMMUNE_NEEDLESSLY


def test_no_support_request_form_for_a_named_service(figures):
    assert figures["ticket_form_started"] == 0.0
