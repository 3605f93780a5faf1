"""No raw patient identifier in any column of the request tables (SQLite, PostgreSQL)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import MetaData, create_engine, select, text

from knowledge.tickets import NewRequest, TicketStore
from tests.servers import require_postgres

RAW = ["Odette", "Lambert", "03/11/1939", "239111803304589", "Jaurès", "06 58 33 21 07",
       "claire.lambert", "80012345"]
IDS = ("Mme Odette Lambert née le 03/11/1939, NIR 239111803304589, 9 rue Jean Jaurès, "
       "fille au 06 58 33 21 07, claire.lambert@orange.fr, IPP 80012345")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tickets.db'}"
        return
    base = require_postgres()
    schema = f"t_tmask_{uuid.uuid4().hex[:10]}"
    eng = create_engine(base, future=True)
    with eng.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with eng.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    eng.dispose()


def test_every_stored_text_is_masked(db_url):
    store = TicketStore(db_url)
    t = store.create(NewRequest(resume=IDS, demandeur_nom="Dr Martin", motifs=[IDS],
                                rappel_messagerie="dr.martin@cabinet.mssante.fr",
                                creneau_rappel="après 18h " + IDS), idempotency_key="k1")
    store.add_note(t.numero, "operateur", IDS)
    store.transition(t.numero, "en_cours", "operateur", note=IDS)
    store.transition(t.numero, "cloturee", "operateur", outcome=IDS)
    for n in store.claim_pending():
        store.mark_failed(n.id, f"550 refused for {IDS}")
    eng = create_engine(db_url, future=True)
    meta = MetaData()
    meta.reflect(eng)
    dump = []
    with eng.connect() as c:
        for table in meta.sorted_tables:
            for row in c.execute(select(table)):
                dump.append(" ".join(str(v) for v in row))
    eng.dispose()
    store.dispose()
    blob = "\n".join(dump)
    assert "[nom]" in blob and "[NIR]" in blob
    for raw in RAW:
        assert raw not in blob, raw
