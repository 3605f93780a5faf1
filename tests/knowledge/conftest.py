"""Fixtures shared by the knowledge tests: the default triage rules, gazetteer and vocabulary (one
of each per test module, as the modules built them before)."""
from __future__ import annotations

import pytest

from knowledge.gazetteer import Gazetteer
from knowledge.triage import Rules
from knowledge.vocabulary import Vocabulary


@pytest.fixture(scope="module")
def rules():
    return Rules.default()


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.default()


@pytest.fixture(scope="module")
def voc():
    return Vocabulary.default()
