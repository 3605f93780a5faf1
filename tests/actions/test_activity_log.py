"""The bot's answers write the anonymous orientation log; a support request marks its answer."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import create_engine, text

from actions import orienting
from actions.completion import complete
from actions.support_form import prefill_ticket, ticket_submit
from knowledge import activity
from knowledge.hours import TZ

AT = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


def _rows(url: str, where: str = "1=1", **params):
    activity.Journal(url)  # the log's table is created on first use
    eng = create_engine(url, future=True)
    with eng.connect() as c:
        rows = c.execute(text(f"SELECT * FROM journal_orientation WHERE {where} ORDER BY quand"), params).mappings().all()
    eng.dispose()
    return rows


def test_answer_logged_then_marked_by_the_support_request(sample_directory_url, services, turn):
    before = len(_rows(sample_directory_url))
    slots = orienting.analyse_request(turn("monsieur 86 ans seul à Vierzon, chutes, refuse les aides, M. Lebrun"),
                                     canal="socketio").slots
    assert len(_rows(sample_directory_url)) == before, "the place is known: the full answer is logged, once"
    reply = orienting.orientation_answer(services, slots, at=AT, canal="socketio")
    rows = _rows(sample_directory_url)
    assert len(rows) == before + 1
    row = rows[-1] if rows[-1]["canal"] == "socketio" else next(r for r in rows if r["canal"] == "socketio")
    assert row["commune"] == "18279" and row["niveau"] == reply.payload["orientation"]["niveau"] == 3
    assert row["appui"] in (False, 0) and "Lebrun" not in str(dict(row))
    slots.update(reply.slots)
    slots.update(
        demande_resume=prefill_ticket({**slots, "requested_slot": None})["demande_resume"],
        demande_urgence="semaine", demande_consentement="oui", demandeur_nom="Dr Martin",
        demandeur_profession="médecin généraliste", demandeur_rpps="aucun",
        demande_rappel="dr.martin@medecin.mssante.fr", demande_creneau="12h-14h", demande_confirmation="confirmee",
    )
    ticket_submit(services, slots, "conv-log-1", "socketio")
    marked = _rows(sample_directory_url, "id = :i", i=row["id"])[0]
    assert marked["appui"] in (True, 1)


def test_emergency_alone_is_logged_once(sample_directory_url, services, turn):
    before = _rows(sample_directory_url, "urgence = '15'")
    reply = orienting.analyse_request(turn("homme 60 ans, douleur thoracique depuis 20 minutes, sueurs"), canal="rest")
    assert "15" in reply.text
    assert orienting.orientation_required_slots(services, reply.slots) == []
    after = _rows(sample_directory_url, "urgence = '15'")
    assert len(after) == len(before) + 1
    assert after[-1]["departement"] is None and after[-1]["canal"] == "rest"
    assert orienting.orientation_answer(services, reply.slots).text == ""   # nothing more said, nothing more logged
    assert len(_rows(sample_directory_url, "urgence = '15'")) == len(after)


def test_a_correction_replaces_the_answer_it_corrects(sample_directory_url, services, turn):
    slots = orienting.analyse_request(turn("dame 84 ans seule à Vierzon, chutes à répétition, refuse les aides"),
                                     canal="email").slots
    later = AT.replace(hour=15)
    reply = orienting.orientation_answer(services, slots, at=later, canal="email")
    slots.update(reply.slots)
    first = _rows(sample_directory_url, "empreinte = :e", e=activity.fingerprint(reply.payload))
    assert len(first) == 1 and first[0]["commune"] == "18279"
    total = len(_rows(sample_directory_url))
    corrected = complete(turn("non, à Bourges"), slots, at=later)
    assert "Bourges" in corrected.text
    assert len(_rows(sample_directory_url)) == total, "one request, one row"
    assert not _rows(sample_directory_url, "id = :i", i=first[0]["id"])
    new = _rows(sample_directory_url, "empreinte = :e", e=activity.fingerprint(corrected.payload))
    assert len(new) == 1 and new[0]["commune"] == "18033" and new[0]["canal"] == "email"
