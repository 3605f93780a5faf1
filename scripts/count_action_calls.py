#!/usr/bin/env python3
"""Action server round trips per user message, counted on the real stack.

Starts the action server of a source tree (``--root``, default this checkout) on the shipped
sample directory, loads a trained model in this process with that action endpoint, and drives
the dialogue's common flows (an orientation request with its commune, one without, the commune
given, a correction, an hours question, a request status, small talk, a clinical question, a
whole support-request form). Every call Rasa makes to the action server goes through
``RemoteAction.run`` (custom actions, form validations, ``action_ask_*`` questions): it is
counted there, per user message; each reply is checked against what the flow must say. Prints
``calls.<flow>: N`` and the names, then ``calls.total``, ``messages`` and ``replies_expected``.

Usage: python scripts/count_action_calls.py [--model PATH] [--root DIR] [--port N]
(``--root`` with an older checkout measures "before": same Rasa, that tree's actions and model).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")
NOW = "2026-11-23T10:00:00+01:00"   # Monday 10:00, as the e2e tests

# (flow, message, what the reply must say): one conversation per list, messages in order.
CONVERSATIONS = [
    [("orientation.commune_known", "dame 87 ans seule à St-Amand, chutes ++, refuse les aides", "Appelez DAC du Cher"),
     ("correction", "non pardon, elle habite à Vierzon", "Appelez DAC du Cher")],
    [("orientation.commune_asked", "monsieur 79 ans, troubles cognitifs, épouse épuisée", "Dans quelle commune"),
     ("orientation.commune_given", "à Issoudun", "Appelez")],
    [("hours", "le CMP de Vierzon est ouvert samedi ?", "samedi")],
    [("status", "où en est ma demande AIG-2026-000123 ?", "AIG-2026-000123")],
    [("small_talk", "bonjour", "Bonjour"),
     ("clinical_question", "quelle dose de morphine pour une patiente de 50 kg ?", "questions cliniques")],
    [("form.open", "je voudrais que le DAC me rappelle", "Résumez la situation"),
     ("form.answer", "Dame 87 ans seule à domicile, chutes à répétition, refuse les aides", "Dans quelle commune"),
     ("form.answer", "Vierzon", "Quel délai"), ("form.answer", "cette semaine", "d'accord pour que"),
     ("form.answer", "oui", "Votre nom"), ("form.answer", "Dr Martin", "Votre profession"),
     ("form.answer", "médecin généraliste", "RPPS"), ("form.answer", "non", "À quel numéro"),
     ("form.answer", "06 12 34 56 78", "créneau"), ("form.answer", "demain 12h-14h", "Je récapitule"),
     ("form.confirm", "oui", "enregistrée")],
]


def start_action_server(root: Path, port: int, db_url: str, secret: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(root), PYTHONDONTWRITEBYTECODE="1", AIGUILLAGE_DB_URL=db_url,
               AIGUILLAGE_NOW=NOW, AIGUILLAGE_ACTION_SECRET=secret, SANIC_KEEP_ALIVE_TIMEOUT="60")
    proc = subprocess.Popen([sys.executable, "-m", "bot.actionserver", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"action server exited ({proc.returncode})")
            time.sleep(1)
    proc.kill()
    raise SystemExit("action server not ready")


async def drive(model: Path, port: int, secret: str) -> list[tuple[str, str, list[str], bool]]:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    calls: list[str] = []
    original = RemoteAction.run

    async def counted(self, *args, **kwargs):
        calls.append(self.name())
        return await original(self, *args, **kwargs)

    RemoteAction.run = counted
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook", headers={"X-Aiguillage-Secret": secret})
    agent = Agent.load(str(model), action_endpoint=endpoint)
    rows = []
    for i, conversation in enumerate(CONVERSATIONS):
        sender = f"count-{i}-{secrets.token_hex(4)}"
        for flow, text, expected in conversation:
            calls.clear()
            replies = await agent.handle_text(text, sender_id=sender)
            said = " | ".join(r.get("text") or "" for r in replies or [])
            rows.append((flow, said, list(calls), expected in said))
    RemoteAction.run = original
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="a trained model (default: $AIGUILLAGE_TEST_MODEL, else train into .build/)")
    ap.add_argument("--root", default=str(ROOT), help="source tree whose action server is measured")
    ap.add_argument("--port", type=int, default=5391)
    ap.add_argument("--verbose", action="store_true", help="print each message's replies")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)
    from bench_orientation import model_path
    from knowledge.directory import Directory

    db_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='count-calls-')) / 'aiguillage.db'}"
    Directory(db_url).load()
    secret = secrets.token_hex(16)
    os.environ.update(AIGUILLAGE_DB_URL=db_url, AIGUILLAGE_NOW=NOW)
    server = start_action_server(Path(args.root), args.port, db_url, secret)
    try:
        rows = asyncio.run(drive(model_path(args.model), args.port, secret))
    finally:
        server.terminate()
        server.wait(timeout=30)
    by_flow: dict[str, list[int]] = {}
    for flow, said, calls, ok in rows:
        by_flow.setdefault(flow, []).append(len(calls))
        shown = " ".join(said.split())[:80]
        print(f"# {flow}: {len(calls)} {','.join(calls) or '-'}" + ("" if ok else "  UNEXPECTED REPLY")
              + (f"  -> {shown}" if args.verbose or not ok else ""))
    for flow, counts in by_flow.items():
        value = counts[0] if len(set(counts)) == 1 else f"{min(counts)}-{max(counts)}"
        print(f"calls.{flow}: {value}")
    print(f"calls.total: {sum(len(c) for _, _, c, _ in rows)}")
    print(f"messages: {len(rows)}")
    print(f"replies_expected: {sum(ok for *_, ok in rows)}")
    print(f"calls.names: {dict(Counter(n for _, _, c, _ in rows for n in c))}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "scripts"))
    sys.exit(main())
