"""Kill -9 and SIGSTOP of the action server and the Rasa server around the support-request form:
every request confirmed to the doctor is written, exactly once, and a retried "oui" gives the
same number. Counts are printed as `name: value` lines at the end of the module."""
from __future__ import annotations

import time

import pytest

from tests.faults.harness import CLIENT_TIMEOUT, Fault, drive_form

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

CONFIRM = "je récapitule"  # the fault hits the "oui" that confirms the read-back
SCENARIOS = (
    # the action server killed at many moments of the confirming turn (parse, validation and
    # write, end of the form), then restarted
    [(Fault("actions", "kill", d), CONFIRM) for d in (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4)]
    # the action server frozen 6 s (longer than the action timeout), then resumed
    + [(Fault("actions", "stop", d), CONFIRM) for d in (0.0, 0.03, 0.06, 0.1)]
    # the Rasa server frozen 6 s (longer than the doctor's patience), then resumed
    + [(Fault("rasa", "stop", d), CONFIRM) for d in (0.0, 0.05, 0.1)]
    # the Rasa server killed, then restarted from its tracker store
    + [(Fault("rasa", "kill", d), CONFIRM) for d in (0.03, 0.12)]
    # faults at earlier steps of the form
    + [(Fault("actions", "kill", 0.03), "quel délai"), (Fault("actions", "kill", 0.05), "votre nom"),
       (Fault("actions", "stop", 0.03), "quel créneau"), (Fault("rasa", "stop", 0.03), "d'accord pour que")]
)
OUTCOMES = []


@pytest.mark.parametrize("fault,step", SCENARIOS, ids=[f"{f.label()}@{s.split()[-1]}" for f, s in SCENARIOS])
def test_confirmed_request_is_written_once(fault_stack, fault, step):
    out = drive_form(fault_stack, f"faults-{time.time_ns()}", fault, at_step=step)
    OUTCOMES.append((fault, out))
    assert out.first_reply_after_fault is not None, "the fault was never injected"
    assert out.confirmed, [r.text[:120] for r in out.replies]
    assert out.lost == 0 and out.duplicates == 0, (out.confirmed, out.written)
    assert not [r for r in out.replies if r.silent], "a 200 answer without text"
    if fault.process == "actions":  # Rasa alive: every message answered in French, in time
        assert all(r.status == 200 and r.texts and r.seconds < CLIENT_TIMEOUT for r in out.replies), \
            [(r.status, round(r.seconds, 2), r.error) for r in out.replies]


def test_summary(capsys):
    assert OUTCOMES, "no scenario ran"
    replies = [r for _, o in OUTCOMES for r in o.replies]
    windows = {}
    for _, o in OUTCOMES:
        windows[o.window] = windows.get(o.window, 0) + 1
    lines = {
        "scenarios": len(OUTCOMES),
        "confirmed_to_user": sum(len(o.confirmed) for _, o in OUTCOMES),
        "written": sum(len(o.written) for _, o in OUTCOMES),
        "lost": sum(o.lost for _, o in OUTCOMES),
        "duplicates": sum(o.duplicates for _, o in OUTCOMES),
        "messages": len(replies),
        "silent_replies": sum(r.silent for r in replies),
        "no_http_answer": sum(r.status is None for r in replies),
        **{f"fault_window_{k}": v for k, v in sorted(windows.items())},
    }
    with capsys.disabled():
        print()
        for k, v in lines.items():
            print(f"{k}: {v}")
    assert lines["lost"] == 0 and lines["duplicates"] == 0 and lines["silent_replies"] == 0
