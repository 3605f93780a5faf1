"""Support requests: numbering, idempotency, lifecycle, audit, outbox — on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from knowledge.tickets import (TZ, InvalidTransition, NewRequest, TicketError, TicketNotFound,
                               TicketStore, echeance_for, hash_password, verify_password)
from tests.servers import require_postgres

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    """A settable clock (aware datetimes, Europe/Paris)."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _pg_schema_url() -> tuple[str, str]:
    base = require_postgres()
    schema = f"t_tickets_{uuid.uuid4().hex[:10]}"
    eng = create_engine(base, future=True)
    with eng.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng.dispose()
    sep = "&" if "?" in base else "?"
    return base, f"{base}{sep}options=-csearch_path%3D{schema}", schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A fresh database URL: a SQLite file, or a private schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tickets.db'}"
        return
    base, url, schema = _pg_schema_url()
    yield url
    eng = create_engine(base, future=True)
    with eng.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


MONDAY_10H = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


@pytest.fixture
def clock():
    return Clock(MONDAY_10H)


@pytest.fixture
def store(db_url, clock):
    s = TicketStore(db_url, clock=clock)
    yield s
    s.dispose()


def request(**kw) -> NewRequest:
    base = dict(
        resume="Mme Dupont, 87 ans, née le 12/03/1939, chutes à répétition, refuse l'aide, "
               "fille joignable au 06 12 34 56 78.",
        demandeur_nom="Dr Claire Martin", demandeur_profession="médecin généraliste",
        demandeur_rpps="10123456781", niveau=3, motifs=["personne âgée", "chutes", "refus d'aide"],
        urgence="semaine", consentement="oui", commune_insee="18197", dac_id="dac-18",
        dac_nom="DAC du Cher", dac_telephone="02 61 91 18 00", public="personne_agee",
        rappel_telephone="02 48 00 00 00", rappel_messagerie="claire.martin@medecin.mssante.fr",
        creneau_rappel="entre 13h et 14h", canal="chat", conversation_id="conv-42")
    base.update(kw)
    return NewRequest(**base)


# --- creation, numbering, masking ---------------------------------------------------------------

def test_create_is_committed_numbered_and_masked(store, db_url, clock):
    t = store.create(request(), "key-1")
    assert t.numero == "AIG-2026-000001"
    assert t.statut == "recue" and t.statut_libelle == "reçue"
    assert "Dupont" not in t.resume and "06 12" not in t.resume and "1939" not in t.resume
    assert "[nom]" in t.resume and "[téléphone]" in t.resume and "[date de naissance]" in t.resume
    assert t.payload()["numero"] == t.numero and t.payload()["statut"] == "recue"
    # visible from another connection pool: committed before create() returned
    other = TicketStore(db_url, clock=clock)
    assert other.get(t.numero).resume == t.resume
    other.dispose()
    assert store.create(request(), "key-2").numero == "AIG-2026-000002"


def test_numbering_restarts_each_year(store, clock):
    assert store.create(request(), "a").numero == "AIG-2026-000001"
    clock.at = datetime(2027, 1, 4, 9, 0, tzinfo=TZ)
    assert store.create(request(), "b").numero == "AIG-2027-000001"
    assert store.create(request(), "c").numero == "AIG-2027-000002"


def test_same_idempotency_key_returns_the_same_ticket(store):
    first = store.create(request(), "conv-42:confirm:1")
    again = store.create(request(resume="autre texte"), "conv-42:confirm:1")
    assert again.numero == first.numero and again.resume == first.resume
    assert len(store.queue()) == 1
    assert len(store.history(first.numero)) == 1
    assert len(store.outbox(first.numero)) == 1


def test_concurrent_creations_get_distinct_numbers_and_one_ticket_per_key(store):
    results, errors = [], []

    def worker(key):
        try:
            results.append((key, store.create(request(), key).numero))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    keys = [f"k{i % 6}" for i in range(18)]  # 6 distinct keys, each sent 3 times at once
    threads = [threading.Thread(target=worker, args=(k,)) for k in keys]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors
    by_key = {}
    for key, numero in results:
        by_key.setdefault(key, set()).add(numero)
    assert all(len(v) == 1 for v in by_key.values())
    numbers = sorted(n for v in by_key.values() for n in v)
    assert numbers == [f"AIG-2026-{i:06d}" for i in range(1, 7)]
    assert len(store.queue()) == 6


@pytest.mark.parametrize("field,value,message", [
    ("resume", "  ", "résumé"),
    ("demandeur_nom", "", "nom du demandeur"),
    ("niveau", 4, "niveau"),
    ("urgence", "demain", "Urgence"),
    ("consentement", "peut-être", "Consentement"),
    ("canal", "pigeon", "Canal"),
    ("demandeur_rpps", "10123456782", "RPPS"),
    ("rappel_messagerie", "pas-une-adresse", "messagerie"),
    ("commune_insee", "Bourges", "INSEE"),
])
def test_invalid_requests_are_refused_in_french(store, field, value, message):
    with pytest.raises(TicketError, match=message):
        store.create(request(**{field: value}), f"bad-{field}")
    assert store.queue() == []


def test_callback_channel_is_required(store):
    with pytest.raises(TicketError, match="rappel"):
        store.create(request(rappel_telephone=None, rappel_messagerie=None), "k")


def test_rpps_is_normalised(store):
    assert store.create(request(demandeur_rpps="101 2345 6781"), "k").demandeur_rpps == "10123456781"


# --- target response times -----------------------------------------------------------------------

@pytest.mark.parametrize("created,niveau,urgence,expected", [
    # Monday 23 Nov 2026 10h
    ((2026, 11, 23, 10, 0), 3, "programme", (2026, 11, 24, 18, 0)),
    ((2026, 11, 23, 10, 0), 2, "programme", (2026, 11, 25, 18, 0)),
    ((2026, 11, 23, 10, 0), 1, "programme", (2026, 11, 30, 18, 0)),
    ((2026, 11, 23, 10, 0), None, "semaine", (2026, 11, 30, 18, 0)),
    ((2026, 11, 23, 10, 0), 1, "aujourd_hui", (2026, 11, 23, 18, 0)),
    ((2026, 11, 23, 16, 30), 3, "aujourd_hui", (2026, 11, 24, 12, 0)),   # too late today
    ((2026, 11, 27, 17, 0), 3, "programme", (2026, 11, 30, 18, 0)),      # Friday -> Monday
    ((2026, 11, 28, 11, 0), 3, "aujourd_hui", (2026, 11, 30, 12, 0)),    # Saturday
    ((2026, 12, 24, 9, 0), 3, "programme", (2026, 12, 28, 18, 0)),       # Christmas skipped
    ((2026, 4, 30, 9, 0), 2, "programme", (2026, 5, 5, 18, 0)),          # Thu; 1 May and week-end skipped
])
def test_target_response_time(created, niveau, urgence, expected):
    got = echeance_for(datetime(*created, tzinfo=TZ), niveau, urgence)
    assert got == datetime(*expected, tzinfo=TZ)


def test_echeance_is_stored(store):
    t = store.create(request(niveau=2, urgence="programme"), "k")
    assert t.echeance == datetime(2026, 11, 25, 18, 0, tzinfo=TZ)


# --- status to the requester only -------------------------------------------------------------------

@pytest.mark.parametrize("numero_fmt,conversation,visible", [
    ("{n}", "conv-42", True),
    ("{n_lower}", "conv-42", True),
    ("{n}", "conv-43", False),
    ("{n}", "", False),
    ("{n}", None, False),
    ("AIG-2026-999999", "conv-42", False),
])
def test_status_only_to_the_requester(store, numero_fmt, conversation, visible):
    t = store.create(request(), "k")
    numero = numero_fmt.format(n=t.numero, n_lower=t.numero.lower())
    got = store.status(numero, conversation)
    assert (got is not None) is visible
    if visible:
        assert got.numero == t.numero and got.statut == "recue"


def test_by_requester(store):
    a = store.create(request(), "a")
    b = store.create(request(), "b")
    store.create(request(conversation_id="other"), "c")
    assert [t.numero for t in store.by_requester("conv-42")] == [b.numero, a.numero]


# --- lifecycle, audit, outbox ---------------------------------------------------------------------

TRANSITIONS = [
    # path of statuses (with outcome for closure), last one expected to fail or not
    (["en_cours"], None),
    (["en_attente", "en_cours", "cloturee"], None),
    (["cloturee"], None),
    (["cloturee", "en_cours"], None),                     # reopening
    (["en_cours", "recue"], "impossible"),
    (["cloturee", "en_attente"], "impossible"),
    (["en_cours", "en_cours"], "déjà"),
    (["archivee"], "inconnu"),
]


@pytest.mark.parametrize("path,error", TRANSITIONS)
def test_transitions(store, path, error):
    t = store.create(request(), "k")
    for i, st in enumerate(path):
        outcome = "Orientée vers un autre service" if st == "cloturee" else None
        if error and i == len(path) - 1:
            with pytest.raises(InvalidTransition, match=error):
                store.transition(t.numero, st, by="alice", outcome=outcome)
            return
        t = store.transition(t.numero, st, by="alice", outcome=outcome)
        assert t.statut == st
    assert [e.apres for e in store.history(t.numero) if e.quoi == "statut"] == path


def test_closure_needs_an_outcome_and_stores_it_masked(store, clock):
    t = store.create(request(), "k")
    with pytest.raises(InvalidTransition, match="issue"):
        store.transition(t.numero, "cloturee", by="alice", outcome="  ")
    assert store.get(t.numero).statut == "recue"
    clock.at += timedelta(hours=2)
    t = store.transition(t.numero, "cloturee", by="alice",
                         outcome="Prise en charge par le DAC, Mme Dupont rappelée au 0612345678")
    assert t.statut == "cloturee" and t.cloturee_le == clock.at
    assert t.issue == "Prise en charge par le DAC, Mme [nom] rappelée au [téléphone]"
    reopened = store.transition(t.numero, "en_cours", by="bob")
    assert reopened.issue is None and reopened.cloturee_le is None


def test_every_change_is_audited_with_who_when_what(store, clock):
    store.create_user("bob", "motdepasse-bob", "coordinateur")
    t = store.create(request(), "k")
    clock.at += timedelta(minutes=5)
    store.assign(t.numero, "bob", by="alice")
    clock.at += timedelta(minutes=5)
    store.transition(t.numero, "en_cours", by="bob", note="Appel de la fille prévu demain")
    clock.at += timedelta(minutes=5)
    store.add_note(t.numero, "bob", "Rappeler M. Durand au 06 11 22 33 44")
    clock.at += timedelta(minutes=5)
    store.transition(t.numero, "cloturee", by="bob", outcome="Orientation donnée au médecin")
    hist = store.history(t.numero)
    assert [(e.qui, e.quoi, e.avant, e.apres) for e in hist] == [
        ("demandeur (chat)", "creation", None, "recue"),
        ("alice", "assignation", None, "bob"),
        ("bob", "statut", "recue", "en_cours"),
        ("bob", "note", None, None),
        ("bob", "note", None, None),
        ("bob", "statut", "en_cours", "cloturee"),
    ]
    assert [e.quand for e in hist] == [MONDAY_10H + timedelta(minutes=m) for m in (0, 5, 10, 10, 15, 20)]
    assert hist[-1].detail == "Orientation donnée au médecin"
    notes = store.notes(t.numero)
    assert [n.texte for n in notes] == ["Appel de la fille prévu demain",
                                        "Rappeler M. [nom] au [téléphone]"]
    # one e-mail per status (creation, en cours, clôturée), none for notes or assignment
    mails = store.outbox(t.numero)
    assert [m["sujet"] for m in mails] == [f"Demande {t.numero} : reçue",
                                           f"Demande {t.numero} : en cours",
                                           f"Demande {t.numero} : clôturée"]
    assert all(m["destinataire"] == "claire.martin@medecin.mssante.fr" for m in mails)
    assert "Issue : Orientation donnée au médecin" in mails[-1]["corps"]
    for m in mails:
        assert "Dupont" not in m["corps"] and "Durand" not in m["corps"] and "06 " not in m["corps"]


def test_no_outbox_row_without_an_address(store):
    t = store.create(request(rappel_messagerie=None), "k")
    store.transition(t.numero, "en_cours", by="alice")
    assert store.outbox(t.numero) == []
    assert len(store.history(t.numero)) == 2


def test_assign_to_unknown_user_and_unknown_ticket(store):
    t = store.create(request(), "k")
    with pytest.raises(TicketError, match="inconnu"):
        store.assign(t.numero, "nobody", by="alice")
    with pytest.raises(TicketNotFound):
        store.transition("AIG-2026-000999", "en_cours", by="alice")
    with pytest.raises(TicketError, match="vide"):
        store.add_note(t.numero, "alice", "   ")


# --- queue -------------------------------------------------------------------------------------

def test_queue_filters_and_overdue_first(store, clock):
    # created at different times so that some are overdue on Thursday 26 Nov 10h
    specs = [  # (created, niveau, dac, urgence)
        (datetime(2026, 11, 23, 9, 0, tzinfo=TZ), 1, "dac-18", "programme"),  # due 30/11: not overdue
        (datetime(2026, 11, 23, 9, 30, tzinfo=TZ), 3, "dac-18", "programme"),  # due 24/11: overdue
        (datetime(2026, 11, 24, 9, 0, tzinfo=TZ), 2, "dac-37", "programme"),  # due 26/11 18h: not yet
        (datetime(2026, 11, 23, 11, 0, tzinfo=TZ), 2, "dac-37", "programme"),  # due 25/11: overdue
        (datetime(2026, 11, 26, 9, 0, tzinfo=TZ), 3, "dac-18", "aujourd_hui"),  # due today 18h (tie: by id)
    ]
    numeros = []
    for i, (at, niveau, dac, urg) in enumerate(specs):
        clock.at = at
        numeros.append(store.create(request(niveau=niveau, dac_id=dac, urgence=urg), f"k{i}").numero)
    clock.at = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
    q = store.queue()
    assert [t.numero for t in q] == [numeros[1], numeros[3], numeros[2], numeros[4], numeros[0]]
    assert [t.en_retard for t in q] == [True, True, False, False, False]
    assert [t.numero for t in store.queue(dac_id="dac-37")] == [numeros[3], numeros[2]]
    assert [t.numero for t in store.queue(niveau=3)] == [numeros[1], numeros[4]]
    assert [t.numero for t in store.queue(older_than=timedelta(days=2))] == [numeros[1], numeros[3], numeros[2], numeros[0]]
    store.transition(numeros[1], "cloturee", by="a", outcome="Sans suite")
    store.transition(numeros[4], "en_attente", by="a")
    assert numeros[1] not in [t.numero for t in store.queue()]
    assert [t.numero for t in store.queue(statut="cloturee")] == [numeros[1]]
    assert [t.numero for t in store.queue(statut="en_attente")] == [numeros[4]]
    assert len(store.queue(statut="toutes")) == 5
    assert store.dacs() == [("dac-18", "DAC du Cher"), ("dac-37", "DAC du Cher")]
    with pytest.raises(TicketError):
        store.queue(statut="perdue")


# --- outbox claims ---------------------------------------------------------------------------------

def test_outbox_claim_is_exclusive_and_failures_back_off(store, clock):
    t = store.create(request(), "k")
    first = store.claim_pending()
    assert [o.numero for o in first] == [t.numero]
    assert store.claim_pending() == []           # leased to the first worker
    store.mark_failed(first[0].id, "connexion refusée")
    assert store.claim_pending() == []           # backoff: 1 minute
    clock.at += timedelta(seconds=61)
    again = store.claim_pending()
    assert [o.id for o in again] == [first[0].id] and again[0].tentatives == 1
    store.mark_sent(again[0].id)
    clock.at += timedelta(hours=2)
    assert store.claim_pending() == []
    row = store.outbox(t.numero)[0]
    assert row["envoyee_le"] is not None and row["tentatives"] == 2 and row["derniere_erreur"] is None


# --- crash between steps ------------------------------------------------------------------------------

def test_a_crash_after_confirmation_loses_nothing(db_url):
    """A process creates a request then dies at once (before any e-mail is sent): the request and
    its pending notification are there for the next process."""
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from knowledge.tickets import TicketStore, NewRequest
        s = TicketStore({db_url!r})
        t = s.create(NewRequest(resume="Patient isolé, chutes", demandeur_nom="Dr A",
                                rappel_messagerie="a@b.mssante.fr", niveau=3,
                                conversation_id="c1"), "crash-key")
        print(t.numero, flush=True)
        os._exit(9)   # no cleanup, no dispose, no sending
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stderr
    numero = proc.stdout.strip()
    store = TicketStore(db_url)
    try:
        assert store.status(numero, "c1").statut == "recue"
        assert [o.numero for o in store.claim_pending()] == [numero]
        # the retried confirmation after the crash returns the same request
        again = store.create(NewRequest(resume="x", demandeur_nom="Dr A", rappel_messagerie="a@b.mssante.fr",
                                        conversation_id="c1"), "crash-key")
        assert again.numero == numero
    finally:
        store.dispose()


# --- operators ------------------------------------------------------------------------------------

def test_password_hashes_are_salted_and_verified():
    a, b = hash_password("correct horse"), hash_password("correct horse")
    assert a != b and a.startswith("scrypt$")
    assert verify_password("correct horse", a) and verify_password("correct horse", b)
    assert not verify_password("wrong horse", a)
    assert not verify_password("x", "garbage")


@pytest.mark.parametrize("login,password,role,error", [
    ("alice", "motdepasse-alice", "admin", None),
    ("Al", "motdepasse-alice", "operateur", None),
    ("a b", "motdepasse-alice", "admin", "Identifiant"),
    ("carol", "court", "admin", "10 caractères"),
    ("dave", "motdepasse-dave", "chef", "Rôle"),
])
def test_create_user(store, login, password, role, error):
    if error:
        with pytest.raises(TicketError, match=error):
            store.create_user(login, password, role)
        return
    op = store.create_user(login, password, role)
    assert op.login == login.lower() and op.role == role
    assert store.authenticate(login, password).role == role
    assert store.authenticate(login, password + "x") is None
    with pytest.raises(TicketError, match="existe déjà"):
        store.create_user(login, password, role)


def test_deactivated_user_cannot_log_in(store):
    store.create_user("eve", "motdepasse-eve", "operateur")
    store.set_role("eve", "operateur", actif=False)
    assert store.authenticate("eve", "motdepasse-eve") is None
    assert store.authenticate("nobody", "whatever-long") is None
    store.set_role("eve", "coordinateur", actif=True)
    store.set_password("eve", "nouveau-mot-de-passe")
    assert store.authenticate("eve", "nouveau-mot-de-passe").role == "coordinateur"
    assert [u.login for u in store.users()] == ["eve"]


def test_motifs_are_stored_as_json_list(store):
    t = store.create(request(motifs=["chutes", "M. Durand isolé"]), "k")
    assert t.motifs == ("chutes", "M. [nom] isolé")
    assert json.loads(json.dumps(list(t.motifs))) == ["chutes", "M. [nom] isolé"]


# --- routing to the DAC of the commune ---------------------------------------------------------------

@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    from knowledge.settings import directory_data_dir
    from knowledge.directory import Directory
    d = Directory(f"sqlite:///{tmp_path_factory.mktemp('dir') / 'directory.db'}")
    d.create_schema()
    d.load(directory_data_dir())
    return d


@pytest.mark.parametrize("commune,dac", [
    ("18197", "dac-18"),   # Saint-Amand-Montrond
    ("18033", "dac-18"),   # Bourges
    ("28085", "dac-28"),   # Chartres
    ("36044", "dac-36"),   # Châteauroux
    ("37261", "dac-37"),   # Tours
    ("41018", "dac-41"),   # Blois
    ("45234", "dac-45"),   # Orléans
])
def test_route_dac_picks_the_departmental_dac(directory, commune, dac):
    from knowledge.tickets import route_dac
    service = route_dac(commune, directory)
    assert service is not None and service.type == "DAC" and service.id == dac
    assert service.telephone


def test_queue_search_count_and_pages(store):
    """Search by number, requester, commune and free text; count and offset agree (both databases)."""
    made = [store.create(NewRequest(resume=f"Situation {i} : aidant épuisé" if i % 2 else f"Chutes {i}",
                                    demandeur_nom="Dr Éloïse Martin" if i < 3 else f"Dr Durand {i}",
                                    motifs=["isolement social"] if i == 4 else [],
                                    commune_insee="18033" if i < 5 else "37261",
                                    rappel_telephone="02 48 00 00 00"), f"search-{i}")
            for i in range(12)]
    assert store.count() == 12
    assert [t.numero for t in store.queue(numero=made[7].numero[-6:])] == [made[7].numero]
    assert [t.numero for t in store.queue(numero=made[7].numero.lower())] == [made[7].numero]
    assert {t.numero for t in store.queue(demandeur="martin")} == {t.numero for t in made[:3]}
    assert store.count(communes=["18033"]) == 5 and store.count(communes=[]) == 0
    assert {t.numero for t in store.queue(texte="aidant épuisé")} == {t.numero for t in made[1::2]}
    assert [t.numero for t in store.queue(texte="isolement")] == [made[4].numero]
    assert store.count(texte="chutes", demandeur="martin") == 2          # requests 0 and 2
    assert store.queue(texte="100%_") == []                             # wildcards are literal
    page1 = store.queue(limit=5)
    page3 = store.queue(limit=5, offset=10)
    everything = store.queue(limit=None)
    assert len(everything) == 12 and len(page3) == 2
    assert [t.numero for t in page1 + store.queue(limit=5, offset=5) + page3] == [t.numero for t in everything]
