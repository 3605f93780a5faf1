"""Action server round trips per user message (issue 11), counted on the real model and action
server by scripts/count_action_calls.py (docs/performance.md, "Round trips")."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot.processes import ROOT, base_env, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def figures(model):
    r = subprocess.run(
        [sys.executable, "scripts/count_action_calls.py", "--model", str(model), "--port", str(free_port())],
        cwd=ROOT, env=base_env(), capture_output=True, text=True, timeout=1500,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    lines = [line for line in r.stdout.splitlines() if ": " in line]
    return {k: v for k, v in (line.split(": ", 1) for line in lines if not line.startswith("#"))}, r.stdout


def test_every_reply_says_what_its_flow_must_say(figures):
    values, out = figures
    assert values["replies_expected"] == values["messages"], out


@pytest.mark.parametrize("flow,calls", [
    ("orientation.commune_known", "1"),   # action_orienter answers
    ("orientation.commune_asked", "2"),   # action_orienter asks; the form it opened validates once
    ("orientation.commune_given", "1"),   # the form's validation answers
    ("correction", "1"), ("hours", "1"), ("status", "1"), ("small_talk", "1"), ("clinical_question", "1"),
    ("form.open", "2"),                   # action_verifier_demande, then the form asks its first question
    ("form.answer", "1"),                 # the validation reads the answer and asks the next question
    ("form.confirm", "2"),                # written in the validation; action_enregistrer_demande clears
])
def test_action_calls_per_message(figures, flow, calls):
    values, out = figures
    assert values[f"calls.{flow}"] == calls, out
