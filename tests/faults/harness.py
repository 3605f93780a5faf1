"""Fault injection around the support-request form: a REST client that drives the form like a
doctor would (answers the question it is asked, re-sends after an error), and faults (SIGKILL or
SIGSTOP of the action server or the Rasa server) injected a given delay after a given message.

Used by tests/faults/test_form_faults.py and scripts/soak.py.
"""
from __future__ import annotations

import json
import re
import signal
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.processes import Ports, Stack, base_env, free_port, start_stack, wait_http

FIXED_NOW = "2026-11-23T10:00:00+01:00"  # Monday 10:00 in Paris (as tests/conftest.py)
ORIENTATION = "dame 87 ans seule à St-Amand, chutes ++, refuse les aides"
CONFIRMED = re.compile(r"\b(AIG-\d{4}-\d{6})\b")
# (what the bot asks, what the doctor answers); first match wins.
ANSWERS = [
    ("je n'ai pas pu enregistrer", "oui"),
    ("répondez « oui » pour envoyer", "oui"),
    ("je récapitule", "oui"),
    ("quel délai", "cette semaine"),
    ("d'accord pour que ses informations", "oui"),
    ("votre nom", "Dr Claire Martin"),
    ("votre profession", "médecin généraliste"),
    ("numéro rpps", "non"),
    ("quelle adresse de messagerie", "dr.martin@cabinet.exemple.mssante.fr"),
    ("quel créneau", "demain entre 12h et 14h"),
    ("résumez la situation", "dame de 87 ans seule à domicile, chutes à répétition, refuse les aides"),
    ("dans quelle commune", "Saint-Amand-Montrond"),
    ("souhaitez-vous que j'ouvre une demande", "/ouvrir_demande"),
]
CLIENT_TIMEOUT = 5.0  # the doctor's patience, and the bound the guard must answer within


@dataclass
class Reply:
    status: int | None  # None: no HTTP answer (connection refused, timeout)
    texts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    @property
    def silent(self) -> bool:
        return self.status == 200 and not self.texts

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def post(port: int, sender: str, message: str, timeout: float = CLIENT_TIMEOUT) -> Reply:
    body = json.dumps({"sender": sender, "message": message}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body,
                                 headers={"Content-Type": "application/json"})
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = json.load(r)
            texts = [m["text"] for m in data if isinstance(m, dict) and m.get("text")]
            return Reply(r.status, texts, time.monotonic() - t0)
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, [], time.monotonic() - t0, f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:
        return Reply(None, [], time.monotonic() - t0, type(exc).__name__)


def next_message(texts: list[str]) -> str | None:
    """The doctor's answer to the bot's last question, None if the bot asked nothing known."""
    low = "\n".join(texts).lower()
    for cue, answer in ANSWERS:
        if cue in low:
            return answer
    return None


def confirmation(texts: list[str]) -> str | None:
    for t in texts:
        m = CONFIRMED.search(t)
        if m and "enregistrée" in t:
            return m.group(1)
    return None


@dataclass
class Fault:
    process: str        # "actions" | "rasa"
    kind: str           # "kill" (SIGKILL, then restart) | "stop" (SIGSTOP, SIGCONT after `hold`)
    delay: float        # seconds after the message was sent
    hold: float = 6.0   # SIGSTOP duration

    def label(self) -> str:
        return f"{self.kind}-{self.process}+{int(self.delay * 1000)}ms"


def recover(stack: Stack, fault: Fault) -> None:
    if fault.kind == "kill":
        stack.restart(fault.process)
        url = (f"http://127.0.0.1:{stack.ports.actions}/health" if fault.process == "actions"
               else f"http://127.0.0.1:{stack.ports.rasa}/")  # /status needs the API token (bot.rasaserver)
        wait_http(url, stack, timeout=300)
    else:
        stack.signal(fault.process, signal.SIGCONT)


def inject(stack: Stack, fault: Fault, send) -> Reply:
    """Send (in a thread), inject `fault` after its delay, wait for the answer, recover."""
    result: list[Reply] = []
    worker = threading.Thread(target=lambda: result.append(send()))
    worker.start()
    time.sleep(fault.delay)
    sig = signal.SIGKILL if fault.kind == "kill" else signal.SIGSTOP
    stack.signal(fault.process, sig)
    stopped_at = time.monotonic()
    worker.join()
    if fault.kind == "stop":
        time.sleep(max(0.0, fault.hold - (time.monotonic() - stopped_at)))
    recover(stack, fault)
    return result[0]


@dataclass
class Outcome:
    sender: str
    label: str
    replies: list[Reply] = field(default_factory=list)
    confirmed: set[str] = field(default_factory=set)   # numbers the doctor was told
    written: list[str] = field(default_factory=list)   # numbers in the database
    first_reply_after_fault: Reply | None = None
    written_before_retry: int = 0  # requests in the database when the faulted turn was over

    @property
    def window(self) -> str:
        """Where the fault fell: "told" (the doctor was told the number at once), "written-untold"
        (written, but the answer was lost: the retry must re-confirm), "unwritten" (the retry must
        complete it), or "before" (the fault hit an earlier step)."""
        r = self.first_reply_after_fault
        if r is None:
            return "none"
        if confirmation(r.texts):
            return "told"
        return "written-untold" if self.written_before_retry else "unwritten"

    @property
    def lost(self) -> int:
        """Confirmed to the doctor but not written, or never confirmed at all."""
        return len(self.confirmed - set(self.written)) + (0 if self.confirmed else 1)

    @property
    def duplicates(self) -> int:
        return max(0, len(self.written) - 1)


def drive_form(stack: Stack, sender: str, fault: Fault | None = None, at_step: str = "je récapitule",
               max_messages: int = 30) -> Outcome:
    """One doctor files a support request; `fault` hits the answer to the question `at_step`."""
    out = Outcome(sender, f"{fault.label()}@{at_step}" if fault else "none")
    port = stack.ports.rasa
    message = ORIENTATION
    injected = fault is None
    retries = 0
    for _ in range(max_messages):
        send = (lambda m=message: post(port, sender, m))
        if not injected and at_step in last_question(out):
            reply = inject(stack, fault, send)
            injected = True
            out.first_reply_after_fault = reply
            out.written_before_retry = len(requests_of(stack, sender))
        else:
            reply = send()
        out.replies.append(reply)
        numero = confirmation(reply.texts)
        if numero:
            out.confirmed.add(numero)
            if injected:
                break
        answer = next_message(reply.texts) if reply.status == 200 else None
        if answer is None:
            retries += 1
            if retries > 6:
                break
            time.sleep(0.5 * retries)  # the doctor re-sends the same message
            continue
        retries = 0
        message = answer
    if out.confirmed:  # a double click on "oui": the same number again, nothing new written
        again = post(port, sender, "oui")
        out.replies.append(again)
        numero = confirmation(again.texts)
        if numero:
            out.confirmed.add(numero)
    out.written = requests_of(stack, sender)
    return out


def requests_of(stack: Stack, sender: str) -> list[str]:
    """Numbers of the requests written for `sender`, read from the database."""
    from knowledge.tickets import TicketStore

    store = TicketStore(stack.env["AIGUILLAGE_DB_URL"], create_schema=False)
    try:
        return [t.numero for t in store.by_requester(sender)]
    finally:
        store.dispose()


def last_question(out: Outcome) -> str:
    return out.replies[-1].text.lower() if out.replies else ""


def start_fault_stack(model: Path, workdir: Path, extra_env: dict | None = None) -> Stack:
    """A stack of its own (processes get killed) on a fresh copy of the sample directory."""
    from knowledge.directory import Directory

    db_url = f"sqlite:///{workdir / 'aiguillage.db'}"
    Directory(db_url).load()
    from knowledge.tickets import TicketStore

    TicketStore(db_url).dispose()  # the request tables exist before the first request
    env = base_env(db_url=db_url, tracker_db=str(workdir / "trackers.db"),
                   extra={"AIGUILLAGE_NOW": FIXED_NOW, **(extra_env or {})})
    ports = Ports(rasa=free_port(), actions=free_port(), webchat=free_port(), console=free_port(), api=free_port())
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    return start_stack(model, ports=ports, env=env, logs=logs, webchat=False, console=False)
