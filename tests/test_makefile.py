"""`make help` lists every target; set-up steps print one French line each with its duration."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_help_lists_every_phony_target():
    phony = set()
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith(".PHONY:"):
            phony |= set(line.split(":", 1)[1].split())
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    listed = dict(re.findall(r"^  make (\S+)\s+(.+)$", out, re.M))
    assert phony and not phony - set(listed), f"sans description (## …) : {sorted(phony - set(listed))}"
    assert all(desc.strip() for desc in listed.values())


def test_step_prints_a_french_line_with_its_duration(tmp_path):
    step = ROOT / "scripts" / "step.sh"
    ok = subprocess.run([str(step), "Construction de l'annuaire", "sh", "-c", "echo détail; sleep 1"],
                        cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0
    assert ok.stdout.splitlines()[0] == "→ Construction de l'annuaire…"
    assert re.fullmatch(r"✓ Construction de l'annuaire : [12] s", ok.stdout.splitlines()[1])
    assert "détail" not in ok.stdout and "détail" in (tmp_path / "var" / "setup.log").read_text()
    bad = subprocess.run([str(step), "Entraînement du modèle", "sh", "-c", "echo erreur précise; exit 3"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 3
    assert re.search(r"✗ Entraînement du modèle : échec après \d+ s \(code 3\)", bad.stdout)
    assert "erreur précise" in bad.stdout                 # the log's tail is shown on failure
