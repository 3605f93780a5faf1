"""A generated month of traffic (scripts/generate_traffic.py through the real engine) in SQLite."""
from __future__ import annotations

import importlib.util
from datetime import date

import pytest

from bot.processes import ROOT

MONTH = "2026-11"
START, END = date(2026, 11, 1), date(2026, 11, 30)
REQUESTS = 300


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_traffic", ROOT / "scripts" / "generate_traffic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def traffic(tmp_path_factory):
    """URL of a database holding the sample directory and a generated month; and what was made."""
    url = f"sqlite:///{tmp_path_factory.mktemp('traffic') / 'trafic.db'}"
    made = load_generator().generate(url, MONTH, REQUESTS, seed=11, load_directory=True, support_share=1.0)
    return url, made
