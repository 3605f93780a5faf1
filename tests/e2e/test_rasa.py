"""Rasa's own checks: training data validation and test stories on the real model."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot.processes import ROOT, base_env

pytestmark = pytest.mark.e2e


def _rasa(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args], cwd=cwd, env=base_env(), capture_output=True, text=True, timeout=900
    )


def test_rasa_data_validate_is_clean():
    r = _rasa("data", "validate", "--domain", "domain.yml", "--data", "nlu/data", "bot/data", "--fail-on-warnings")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]


def test_rasa_test_stories_pass(model, tmp_path):
    r = _rasa(
        "test", "core", "--model", str(model), "--stories", "tests/stories/test_stories.yml",
        "--out", str(tmp_path), "--fail-on-prediction-errors",
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert r.returncode == 0, detail + r.stdout[-2000:] + r.stderr[-2000:]
