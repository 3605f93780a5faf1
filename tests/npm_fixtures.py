"""npm packages the browser tests load into pages (tests/npm/package.json, exact versions).

Installed once into .build/npm with the ordinary npm client; later runs work offline. A test
that needs one skips with a French reason when npm is absent or the registry unreachable.
"""
from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "tests" / "npm" / "package.json"
NPM_DIR = ROOT / ".build" / "npm"


def npm_file(package: str, relative: str) -> Path | str:
    """Path of `relative` inside the installed `package`, or the reason it is unavailable (str)."""
    wanted = json.loads(MANIFEST.read_text(encoding="utf-8"))["dependencies"][package]
    target = NPM_DIR / "node_modules" / package / relative
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    with open(NPM_DIR / ".lock", "w") as lock:          # parallel test processes install once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file() and _installed_version(package) == wanted:
            return target
        npm = shutil.which("npm")
        if npm is None:
            return "npm absent : installez nodejs et npm pour ce test"
        shutil.copy(MANIFEST, NPM_DIR / "package.json")
        proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save", "--omit=dev"],
                              cwd=NPM_DIR, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not target.is_file():
            return f"npm install a échoué : {proc.stderr.strip()[-300:]}"
        return target


def _installed_version(package: str) -> str | None:
    meta = NPM_DIR / "node_modules" / package / "package.json"
    return json.loads(meta.read_text(encoding="utf-8")).get("version") if meta.is_file() else None
