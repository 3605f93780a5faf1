"""The orientation log and the reports on a generated month of traffic (real engine, real SQL)."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, inspect, text

from bot.processes import ROOT
from knowledge import activity
from knowledge.directory import Directory
from knowledge.hours import TZ
from knowledge.orientation import Orienter
from knowledge.reports import MASQUE, SUPPRIME, Column, Reports, Table, parse_period, suppress
from tests.reports.conftest import END, REQUESTS, START
from tests.servers import require_postgres

CODE_RE = re.compile(r"^[A-Za-z0-9_\-\[\]\", .]*$")


@pytest.fixture(scope="module")
def reports(traffic):
    url, _ = traffic
    return Reports(url, clock=lambda: datetime(2026, 12, 1, 10, 0, tzinfo=TZ))


def _all_tables(reports):
    for name in Reports.NAMES:
        yield reports.build(name, START, END)
    yield reports.build("besoins", START, END, par="epci")


# -- the log ---------------------------------------------------------------------------------


def test_log_columns_hold_codes_only(traffic):
    url, made = traffic
    eng = create_engine(url, future=True)
    cols = {c["name"] for c in inspect(eng).get_columns("journal_orientation")}
    assert cols == {"id", "quand", "canal", "departement", "epci", "commune", "publics", "besoins", "niveau",
                    "urgence", "types_demandes", "types_recommandes", "couvert", "ouvert", "appui", "empreinte"}
    with eng.connect() as c:
        rows = c.execute(text("SELECT * FROM journal_orientation")).mappings().all()
    eng.dispose()
    assert len(rows) == made["demandes"] == REQUESTS
    for r in rows:
        q = r["quand"] if isinstance(r["quand"], datetime) else datetime.fromisoformat(str(r["quand"]))
        assert (q.minute, q.second, q.microsecond) == (0, 0, 0)          # hour precision
        for key in ("publics", "besoins", "types_demandes", "types_recommandes", "canal"):
            assert CODE_RE.match(str(r[key])), (key, r[key])              # vocabulary codes, no text
    assert Counter(r["appui"] for r in rows)[True] == made["appui"] > 0


def test_no_text_name_or_number_reaches_the_log(sample_directory_url):
    directory = Directory(sample_directory_url)
    o = Orienter(directory=directory).orient(
        "Mme Germaine Dupontel 87 ans à Vierzon, tél 06 12 34 56 78, chutes à répétition, refuse les aides",
        at=datetime(2026, 11, 24, 10, 17, tzinfo=TZ))
    jid = activity.record(o, canal="socketio", payload=o.payload(), directory=directory)
    assert jid
    eng = create_engine(sample_directory_url, future=True)
    with eng.connect() as c:
        row = c.execute(text("SELECT * FROM journal_orientation WHERE id = :i"), {"i": jid}).mappings().one()
    eng.dispose()
    flat = json.dumps({k: str(v) for k, v in row.items() if k not in ("id", "empreinte")}, ensure_ascii=False)
    assert re.fullmatch(r"[0-9a-f]{32}", row["id"]) and re.fullmatch(r"[0-9a-f]{64}", row["empreinte"])
    for secret in ("Germaine", "Dupontel", "06 12", "87", "Vierzon"):
        assert secret not in flat
    assert row["commune"] == "18279" and row["departement"] == "18" and row["canal"] == "socketio"
    assert "chutes" in row["besoins"] and row["niveau"] == o.triage.niveau


def test_coverage_and_opening_flags_match_the_directory(sample_directory_url):
    directory = Directory(sample_directory_url)
    orienter = Orienter(directory=directory)
    gaz = orienter.gazetteer
    text_ = "dame 80 ans isolée, perte d'autonomie, besoin d'aide à domicile"
    for code in ("18279", "37261", "36044", "45234"):
        for at in (datetime(2026, 11, 24, 10, 0, tzinfo=TZ), datetime(2026, 11, 29, 3, 0, tzinfo=TZ)):
            o = orienter.orient(text_, commune=code, at=at)
            e = activity.entry_from(o, "rest", directory)
            assert e.types_demandes, "needed types"
            for need in e.types_demandes:
                local = [s for s in directory.serving(gaz.commune(code), types=[need.type])
                         if any(z.kind != "region" for z in s.zones)]
                assert need.couvert == bool(local), (code, need)
                assert need.ouvert == any(s.schedule.is_open(at) for s in local), (code, at, need)
            if at.hour == 3:   # Sunday night: nothing local of these types is open
                assert not any(n.ouvert for n in e.types_demandes if n.type in ("CLIC", "SAAD", "MDS"))


def test_retention_purges_old_rows(tmp_path):
    eng = create_engine(f"sqlite:///{tmp_path / 'j.db'}", future=True)
    j = activity.Journal(engine=eng, retention=30)
    now = datetime(2026, 11, 30, 12, tzinfo=TZ)

    def entry(at):
        return activity.Entry(uuid.uuid4().hex, at, "rest", "18", None, None, (), (), 1, None, (), (), None, None)
    j.write(entry(now - timedelta(days=45)))
    j.write(entry(now - timedelta(days=31)))
    keep = j.write(entry(now - timedelta(days=5)))   # writing purges: the 45-day-old row is gone
    assert len(j.entries((now - timedelta(days=60)).date(), now.date())) == 2
    assert j.purge(now) == 1                          # the 31-day-old one, a month after its answer
    ids = [e.id for e in j.entries((now - timedelta(days=60)).date(), now.date())]
    assert keep in ids and len(ids) == len(set(ids))
    assert all(e.quand >= now - timedelta(days=30) for e in j.entries((now - timedelta(days=60)).date(), now.date()))


def test_retention_setting(monkeypatch):
    monkeypatch.setenv(activity.RETENTION_ENV, "90")
    assert activity.retention_days() == 90
    monkeypatch.setenv(activity.RETENTION_ENV, "trois mois")
    with pytest.raises(ValueError, match="nombre entier de jours"):
        activity.retention_days()


# -- figures -------------------------------------------------------------------------------


def _shown(n: int):
    return SUPPRIME if 0 < n < 5 else n


def _ok(shown, n: int) -> bool:
    """As computed, or hidden by complementary suppression (only a value of 5 or more)."""
    return shown == _shown(n) or (shown == MASQUE and n >= 5)


def test_requests_and_unmet_needs_by_department_match_the_raw_log(reports):
    entries = reports.journal.entries(START, END)
    assert len(entries) == REQUESTS
    t = reports.build("besoins", START, END)
    assert t.total["demandes"] == REQUESTS
    by_dep = Counter(e.departement for e in entries)
    unmet = Counter(e.departement for e in entries if e.couvert is False)
    for dep in ("18", "28", "36", "37", "41", "45"):
        assert t.value("code", dep, "demandes") in (_shown(by_dep[dep]), MASQUE)
        shown = t.value("code", dep, "non_couvertes")
        assert shown == _shown(unmet[dep]) or (shown == MASQUE and unmet[dep] >= 5)  # complementary
    assert t.total["non_couvertes"] == _shown(sum(unmet.values()))
    assert sum(unmet.values()) > 0, "the sample directory leaves some needs uncovered"


def test_by_epci_need_and_type(reports):
    entries = reports.journal.entries(START, END)
    t = reports.build("besoins", START, END, par="epci")
    epcis = Counter(e.epci for e in entries)
    for siren, n in epcis.most_common(5):
        assert _ok(t.value("code", siren or "", "demandes"), n)
    needs = Counter(b for e in entries for b in e.besoins)
    tb = reports.build("besoins-par-besoin", START, END)
    for code, n in needs.most_common(5):
        assert tb.value("code", code, "demandes") == _shown(n)
    types = Counter(t.type for e in entries for t in e.types_demandes if not t.couvert)
    tt = reports.build("types", START, END)
    for code, n in types.most_common(3):
        assert tt.value("code", code, "non_couvertes") == _shown(n)
    closed = Counter(t.type for e in entries for t in e.types_demandes if t.couvert and not t.ouvert)
    th = reports.build("horaires", START, END)
    for code, n in closed.most_common(3):
        assert _ok(th.value("code", code, "hors_horaires"), n)
    assert sum(closed.values()) > 0


def test_support_requests_time_to_first_contact(reports, traffic):
    t = reports.build("appui", START, END)
    assert t.total["demandes"] == _shown(traffic[1]["appui"])
    eng = create_engine(traffic[0], future=True)
    with eng.connect() as c:
        rows = c.execute(text(
            "SELECT d.id, d.cree_le, d.echeance, MIN(e.quand) AS premier FROM demande d "
            "LEFT JOIN demande_evenement e ON e.demande_id = d.id AND e.quoi = 'statut' GROUP BY d.id, d.cree_le, d.echeance"
        )).all()
    eng.dispose()
    def dt(v):
        return v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
    contacted = [r for r in rows if r.premier]
    assert t.total["contactees"] == _shown(len(contacted))
    on_time = sum(1 for r in contacted if dt(r.premier) <= dt(r.echeance))
    assert t.total["dans_le_delai"] == _shown(on_time)
    delays = sorted((dt(r.premier) - dt(r.cree_le)).total_seconds() / 3600 for r in contacted)
    import statistics
    if len(delays) >= 5:
        assert t.total["delai_median_h"] == round(statistics.median(delays), 1)


def test_directory_freshness(reports):
    t = reports.build("fraicheur", START, END)
    assert {r["code"] for r in t.rows} >= {"18", "28", "36", "37", "41", "45"}
    for r in t.rows:
        assert r["services"] == r["moins_6_mois"] + r["de_6_a_12_mois"] + r["plus_12_mois"] > 0


# -- small cells ---------------------------------------------------------------------------


def test_no_small_count_anywhere(reports):
    """Every request count shown or exported is 0, at least 5, or "< 5" (tables, CSV, JSON)."""
    seen_suppressed = 0
    for t in _all_tables(reports):
        counts = [c for c in t.columns if c.kind in ("count", "rate")]
        for row in t.all_rows():
            for c in counts:
                v = row.get(c.key)
                if c.kind == "count":
                    assert v in (0, SUPPRIME, MASQUE) or (isinstance(v, int) and v >= 5), (t.name, c.key, v)
                seen_suppressed += v == SUPPRIME
        if t.name != "fraicheur":
            labels = [c.label for c in t.columns]
            for line in csv.DictReader(io.StringIO(t.csv())):
                for c in t.columns:
                    if c.kind == "count":
                        v = line[c.label]
                        assert v in ("0", SUPPRIME, MASQUE) or int(v) >= 5, (t.name, c.label, v)
            assert labels
            for row in t.as_json()["lignes"]:
                for c in t.columns:
                    if c.kind == "count":
                        assert row[c.key] in (0, SUPPRIME, MASQUE) or row[c.key] >= 5
    assert seen_suppressed > 0, "the generated month has small cells to hide"


def test_suppression_rule():
    cols = [Column("k", "k", "text"), Column("n", "n"), Column("nc", "nc"),
            Column("taux", "t", "rate", ("nc", "n"))]
    rows = [{"k": "a", "n": 40, "nc": 3, "taux": 7.5}, {"k": "b", "n": 20, "nc": 6, "taux": 30.0},
            {"k": "c", "n": 12, "nc": 9, "taux": 75.0}, {"k": "d", "n": 4, "nc": 0, "taux": 0.0}]
    t = suppress(Table("x", "x", cols, rows, total={"k": "T", "n": 76, "nc": 18, "taux": 23.7}))
    assert rows[0]["nc"] == SUPPRIME and rows[0]["taux"] == SUPPRIME
    assert rows[1]["nc"] == MASQUE, "a lone hidden cell would be read back from the total"
    assert rows[1]["taux"] == MASQUE and rows[1]["n"] == 20
    assert rows[3]["n"] == SUPPRIME and rows[3]["nc"] == 0 and rows[3]["taux"] == SUPPRIME
    assert rows[2]["n"] == MASQUE and rows[2]["nc"] == 9 and rows[2]["taux"] == MASQUE
    assert t.total["n"] == 76 and t.display(rows[0], "taux") == SUPPRIME and t.display(rows[1], "n") == "20"


def test_period_validation():
    assert parse_period("2026-11-01", "2026-11-30")[1].day == 30
    with pytest.raises(ValueError, match="AAAA-MM-JJ"):
        parse_period("01/11/2026", None)
    with pytest.raises(ValueError, match="précéder"):
        parse_period("2026-12-01", "2026-11-01")


# -- command line ---------------------------------------------------------------------------


def test_command_line_prints_the_same_figures(traffic, reports):
    url, _ = traffic
    cmd = [sys.executable, "-m", "knowledge.reports", "besoins", "--from", START.isoformat(),
           "--to", END.isoformat(), "--db", url]
    out = subprocess.run(cmd + ["--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == json.loads(json.dumps(reports.build("besoins", START, END).as_json()))
    out = subprocess.run(cmd + ["--format", "csv"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout == reports.build("besoins", START, END).csv()
    assert out.stdout.splitlines()[0].startswith("Code,Département,Demandes,Besoins non couverts")
    bad = subprocess.run([sys.executable, "-m", "knowledge.reports", "besoins", "--from", "hier", "--db", url],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "AAAA-MM-JJ" in bad.stderr


def test_command_line_on_a_database_without_directory(tmp_path):
    url = f"sqlite:///{tmp_path / 'vide.db'}"
    empty = subprocess.run([sys.executable, "-m", "knowledge.reports", "besoins", "--from", "2026-11-01",
                            "--to", "2026-11-30", "--db", url, "--format", "json"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert empty.returncode == 0 and json.loads(empty.stdout)["total"]["demandes"] == 0
    fresh = subprocess.run([sys.executable, "-m", "knowledge.reports", "fraicheur", "--db", url],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert fresh.returncode == 2 and "annuaire n'est pas chargé" in fresh.stderr and "Traceback" not in fresh.stderr


# -- PostgreSQL ----------------------------------------------------------------------------


@pytest.mark.postgres
def test_log_and_report_on_postgresql(sample_directory_url):
    base = require_postgres()
    schema = f"t_reports_{uuid.uuid4().hex[:10]}"
    eng = create_engine(base, future=True)
    with eng.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    try:
        directory = Directory(url)
        directory.create_schema()
        directory.load()
        orienter = Orienter(directory=directory)
        at = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
        payloads = []
        for i, code in enumerate(["18279"] * 6 + ["37261"] * 2):
            o = orienter.orient("monsieur 85 ans seul, chutes, refuse les aides", commune=code,
                                at=at + timedelta(hours=i))
            payloads.append(o.payload())
            assert activity.record(o, canal="rest", payload=payloads[-1], directory=directory)
        assert activity.mark_support(payloads[0], directory=directory)
        t = Reports(directory=directory).build("besoins", at.date(), at.date())
        assert t.value("code", "37", "demandes") == SUPPRIME
        assert t.value("code", "18", "demandes") == MASQUE   # else 8 - 6 would give Indre-et-Loire's 2
        assert t.total["demandes"] == 8 and t.total["appui"] == SUPPRIME
        j = activity.journal_for(directory)
        assert j.purge(datetime(2028, 1, 1, tzinfo=timezone.utc)) == 8
    finally:
        with eng.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        eng.dispose()
