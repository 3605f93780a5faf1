"""Rasa's built-in commands (``/restart``, ``/back``, ``/session_start``, ``/intent{"entity": …}``)
are accepted only when they are payloads of the bot's own buttons.

Rasa reads any message starting with ``/`` as an intent given by the client (its entities and
confidence included), which lets a user skip the NLU, inject slot values or rewind the dialogue.
The channels call :func:`screen` on every incoming text: a known button payload passes unchanged;
a forged command (``/name``, ``/name@0.9``, ``/name{…}``) becomes the word "aide", so the bot answers
with what it can do (a bare "restart" or "back" would get no useful answer); any other text
starting with ``/`` loses its leading slashes and is read by the NLU as plain text.

The allowed payloads are collected once from domain.yml (``responses`` buttons) and from the
button literals of actions/ (``{"payload": "/…"}``), so a new button needs no change here.
"""
from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/"
COMMAND = re.compile(r"/+\s*[A-Za-z_][\w.-]*(@[0-9.]+)?\s*(\{.*\}|\[.*\])?\s*", re.DOTALL)
FORGED = "aide"


def _from_domain(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = set()
    for variants in (data.get("responses") or {}).values():
        for v in variants or []:
            for b in (v or {}).get("buttons") or []:
                p = str((b or {}).get("payload") or "")
                if p.startswith(PREFIX):
                    found.add(p)
    return found


def _from_sources(folder: Path) -> set[str]:
    found = set()
    for f in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values):
                    if (isinstance(k, ast.Constant) and k.value == "payload" and isinstance(v, ast.Constant)
                            and isinstance(v.value, str) and v.value.startswith(PREFIX)):
                        found.add(v.value)
    return found


@functools.lru_cache(maxsize=1)
def allowed() -> frozenset[str]:
    """The ``/…`` payloads of the bot's own buttons."""
    return frozenset(_from_domain(ROOT / "domain.yml") | _from_sources(ROOT / "actions"))


def screen(text: str) -> str:
    """The text to hand to Rasa: a button payload unchanged, any other ``/…`` as plain text."""
    if not isinstance(text, str):
        return text
    stripped = text.strip()
    if not stripped.startswith(PREFIX) or stripped in allowed():
        return text
    if COMMAND.fullmatch(stripped):
        return FORGED
    return stripped.lstrip(PREFIX + " ")
