"""ROR import (FHIR R4): reading the ANS examples, mapping, all-or-nothing idempotent sync."""
from __future__ import annotations

import json
import shutil
import uuid
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from knowledge.directory import SERVICE, Directory, DirectoryDataError, main
from knowledge.directory import ror
from knowledge.directory.ror_hours import available_time
from knowledge.directory.tables import CHILD_TABLES, IMPORT
from knowledge.gazetteer import Gazetteer
from knowledge.hours import TZ
from tests.servers import require_postgres

FIXTURES = Path(__file__).parent / "fixtures"
ROR = FIXTURES / "ror"
EXPORT = ROR / "export-cvl"
IG = ROR / "ans-ig-examples.json"
DOC = ROR / "ans-doc-examples.ndjson"
AT = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
IMPORTED = ["ror-1800000001", "ror-1800000002", "ror-1800000003", "ror-1800000004",
            "ror-1800000005", "ror-1800000006", "ror-2800000001", "ror-3600000001",
            "ror-3700000001", "ror-4100000001", "ror-4500000001"]


@pytest.fixture
def pg_url():
    base = require_postgres()
    schema = f"test_ror_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/annuaire.db"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def directory(db_url):
    d = Directory(db_url)
    d.load(FIXTURES / "directory-valid")
    yield d
    d.close()


def dump(d: Directory) -> dict[str, list[tuple]]:
    out = {}
    with d.engine.connect() as conn:
        for table in [SERVICE, *CHILD_TABLES.values()]:
            out[table.name] = sorted(tuple(r) for r in conn.execute(select(table)))
    return out


def edited_export(tmp_path: Path, edit) -> Path:
    """A copy of the regional export whose HealthcareService lines went through ``edit``."""
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    hs = folder / "HealthcareService.ndjson"
    rows = [json.loads(line) for line in hs.read_text().splitlines()]
    rows = [r for r in (edit(r) for r in rows) if r is not None]
    hs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return folder


# --- the guide's own examples ------------------------------------------------------------------


def test_ans_examples_are_read_and_skipped_with_their_codes():
    """The ANS examples (Versailles, Bois-Colombes, codes we do not map) parse without error;
    each offer is skipped with the national codes that have no mapping, nothing is guessed."""
    report = ror.parse(IG).report
    assert report.skipped == [
        ("HealthcareService/ror-healthcareservice-exemple-ville",
         "catégorie inconnue (TRE_R211#437)"),
        ("HealthcareService/ror-healthcareservice-exemple", "catégorie inconnue (TRE_R211#183)"),
    ]
    assert report.unmapped == {"TRE_R211#437": 1, "TRE_R211#183": 1}
    doc = ror.parse(DOC).report
    assert [reason for _, reason in doc.skipped] == [
        "catégorie inconnue (TRE_R211#298, TRE_R211#299, https://mos.esante.gouv.fr/NOS#30)",
        "catégorie inconnue (TRE_R211#183, TRE_R211#440)",
    ]
    assert doc.skipped[0][0] == "HealthcareService n°1 de ans-doc-examples.ndjson (sans id)"


def test_ans_saad_example_mapped_is_outside_the_region():
    """With its activity mapped, the guide's SAAD example (zone: Bois-Colombes 92036) is left
    out as outside the region; the organisation example's category TRE_R66#460 maps to SAAD."""
    base = ror.Mapping.load()
    mapping = ror.Mapping(**{**base.__dict__, "types": {**base.types, "TRE_R211": {"298": "SAAD"}}})
    report = ror.parse(DOC, mapping=mapping).report
    assert report.skipped[0][1].startswith("hors région")
    assert base.types["TRE_R66"]["460"] == "SAAD"


def test_malformed_resource_names_resource_and_element(tmp_path):
    doc = json.loads(IG.read_text())
    ville = doc["entry"][0]["resource"]
    ville["availableTime"][2]["availableStartTime"] = "9h"
    doc["entry"][1]["resource"]["extension"][2]["extension"][0]["valueRange"] = {
        "low": {"value": "dix-huit"}}
    bad = tmp_path / "bundle.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(DirectoryDataError) as err:
        ror.parse(bad)
    problems = err.value.problems
    assert [(p.service_id, p.field) for p in problems] == [
        ("HealthcareService/ror-healthcareservice-exemple-ville",
         "HealthcareService.availableTime[2].availableStartTime"),
        ("HealthcareService/ror-healthcareservice-exemple",
         "HealthcareService.extension:ror-healthcareservice-patient-type.ageRange.low"),
    ]
    assert ('bundle.json, ressource HealthcareService/ror-healthcareservice-exemple-ville, '
            'champ "HealthcareService.availableTime[2].availableStartTime": '
            "'9h' n'est pas une heure hh:mm:ss") in str(err.value)
    assert "bundle.json" in str(err.value)


def test_unreadable_files_are_named(tmp_path):
    (tmp_path / "a.ndjson").write_text('{"resourceType": "Location", "id": "x"}\n{oops\n')
    with pytest.raises(DirectoryDataError, match=r"a\.ndjson.*ligne 2 : JSON invalide"):
        ror.parse(tmp_path)
    with pytest.raises(DirectoryDataError, match="introuvable"):
        ror.parse(tmp_path / "absent.json")


# --- the regional export ---------------------------------------------------------------------


def test_export_mapping_of_one_offer():
    parsed = ror.parse(EXPORT)
    assert sorted(parsed.rows) == IMPORTED
    report = parsed.report
    assert report.skipped == [
        ("HealthcareService/hs-ehpad-45", "catégorie inconnue (TRE_R66#500)"),
        ("HealthcareService/hs-ssiad-paris",
         "hors région (zone d'intervention et lieu hors Centre-Val de Loire)"),
        ("HealthcareService/hs-sans-nom", "champ manquant : name"),
    ]
    assert report.ignored == {"PractitionerRole": 1}
    entry = parsed.rows["ror-1800000001"]
    s = entry["service"]
    assert (s["type"], s["nom"], s["finess"], s["ror_id"]) == (
        "SSIAD", "SSIAD de Bourges", "180099901", "1800000001")
    assert s["telephone"] == "02 61 91 24 01"  # "02.61.91.24.01" normalised
    assert s["messagerie_securisee"] == "ssiad.bourges@exemple.mssante.fr"
    assert (s["adresse"], s["commune_insee"]) == ("12 rue Moyenne, 18000 Bourges", "18033")
    assert (s["latitude"], s["longitude"]) == (47.081, 2.3988)
    assert s["verifie_le"] == date(2026, 10, 15)
    assert s["mis_a_jour"] == "2026-10-15T10:00:00+02:00"
    assert entry["zones"] == [{"kind": "commune", "code": "18033"},
                              {"kind": "commune", "code": "18050"}]
    assert entry["publics"] == [{"public": "personne_agee", "age_min": 60, "age_max": None}]
    assert entry["fermetures"] == [{"debut": date(2026, 12, 24), "fin": date(2026, 12, 24),
                                    "motif": "Fermeture annuelle",
                                    "reouverture_prevue": date(2027, 1, 4)}]
    assert [c["confidentialite"] for c in entry["contacts"]] == ["1", "2"]
    assert len(entry["horaires"]) == 10
    had = parsed.rows["ror-2800000001"]
    assert had["service"]["permanent"] is True and had["horaires"] == []
    # provided by an internal organisation: category and FINESS come from its partOf (the EG)
    assert (had["service"]["type"], had["service"]["finess"]) == ("HAD", "280099901")
    cmp_ = parsed.rows["ror-1800000003"]
    assert cmp_["secteurs"] == [{"code": "18G01"}]
    csapa = parsed.rows["ror-3700000001"]["service"]
    assert csapa["messagerie_securisee"] is None  # restricted mailbox: never public
    camsp = parsed.rows["ror-3600000001"]
    saturday = [h for h in camsp["horaires"] if h["jour"] == 5]
    assert saturday[0]["debut_effectif"] == date(2026, 1, 1)
    assert saturday[0]["fin_effectif"] == date(2026, 6, 30)


def test_import_creates_then_is_idempotent(directory):
    before_yaml = {s.id for s in directory.all()}
    report = directory.import_ror(EXPORT, at=AT)
    assert report.created == IMPORTED and not (report.updated or report.withdrawn)
    assert {s.id for s in directory.all()} == before_yaml | set(IMPORTED)
    first = dump(directory)
    again = directory.import_ror(EXPORT, at=AT)
    assert again.unchanged == IMPORTED and not (again.created or again.updated)
    assert dump(directory) == first
    with directory.engine.connect() as conn:
        runs = conn.execute(select(IMPORT.c.created, IMPORT.c.unchanged)).all()
    assert [tuple(r) for r in runs] == [(11, 0), (0, 11)]


def test_import_values_served(directory):
    directory.import_ror(EXPORT, at=AT)
    s = directory.get("ror-1800000001")
    assert s.origine == "ror" and s.finess == "180099901"
    assert s.position == (47.081, 2.3988)
    assert [c.fonction for c in s.contacts] == ["Standard"]  # restricted contact never served
    assert s.schedule.is_open(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))
    assert not s.schedule.is_open(datetime(2026, 12, 28, 9, 0, tzinfo=TZ))  # annual closure
    assert directory.get("ror-1800000004").secteurs_psy == ("18G02",)
    assert directory.get("ror-2800000001").schedule.permanent
    bourges = Gazetteer.default().commune("18033")
    assert {x.id for x in directory.serving(bourges, "CSAPA")} == {
        "ror-1800000005", "ror-1800000006"}


def test_update_withdraw_and_reinstate(directory, tmp_path):
    directory.import_ror(EXPORT, at=AT)

    def edit(r):
        if r["id"] == "hs-csapa-vierzon":
            return None  # no longer in the extraction
        if r["id"] == "hs-ssiad-bourges":
            r["name"] = "SSIAD de Bourges et agglomération"
        return r

    changed = edited_export(tmp_path, edit)
    dry = directory.import_ror(changed, dry_run=True, at=AT)
    assert (dry.updated, dry.withdrawn) == (["ror-1800000001"], ["ror-1800000006"])
    assert "simulation" in dry.summary()
    assert directory.get("ror-1800000006") is not None  # nothing written
    report = directory.import_ror(changed, at=AT)
    assert report.updated == ["ror-1800000001"] and report.withdrawn == ["ror-1800000006"]
    assert directory.get("ror-1800000006") is None
    assert directory.get("ror-1800000001").nom == "SSIAD de Bourges et agglomération"
    assert [w["id"] for w in directory.withdrawn_by_last_import()] == ["ror-1800000006"]
    back = directory.import_ror(EXPORT, at=AT)
    assert sorted(back.updated) == ["ror-1800000001", "ror-1800000006"]
    assert directory.get("ror-1800000006") is not None
    assert directory.withdrawn_by_last_import() == []


def test_malformed_import_writes_nothing(directory, tmp_path):
    directory.import_ror(EXPORT, at=AT)
    before = dump(directory)

    def edit(r):
        if r["id"] == "hs-csapa-37":
            r["notAvailable"] = [{"during": {"start": "2026-13-40"}}]
        if r["id"] == "hs-clic-41":
            r["name"] = "CLIC renommé"
        return r

    with pytest.raises(DirectoryDataError) as err:
        directory.import_ror(edited_export(tmp_path, edit), at=AT)
    assert err.value.problems[0].service_id == "HealthcareService/hs-csapa-37"
    assert err.value.problems[0].field == "HealthcareService.notAvailable[0].during.start"
    assert dump(directory) == before


def test_yaml_load_keeps_ror_entries(directory):
    directory.import_ror(EXPORT, at=AT)
    directory.load(FIXTURES / "directory-valid")
    assert directory.get("ror-1800000001") is not None
    assert directory.get("dac-18") is not None


def test_stale_entries(directory):
    directory.import_ror(EXPORT, at=AT)
    stale = directory.stale(date(2026, 11, 23))
    assert "ror-4100000001" in [s.id for s in stale]  # meta.lastUpdated 2025-06-01
    assert "ror-1800000001" not in [s.id for s in stale]
    assert all(s.verifie_le < date(2025, 11, 23) for s in stale)


def test_older_database_gains_the_new_columns(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    engine = create_engine(url, future=True)
    with engine.begin() as conn:  # a service table as the previous version created it
        conn.execute(text("CREATE TABLE service (id VARCHAR(64) PRIMARY KEY, type VARCHAR(16) "
                          "NOT NULL, nom VARCHAR(200) NOT NULL)"))
    engine.dispose()
    d = Directory(url)
    d.create_schema()
    with d.engine.connect() as conn:
        cols = {r[1] for r in conn.execute(text("PRAGMA table_info(service)"))}
    assert {"origine", "ror_id", "latitude", "retire_le"} <= cols
    d.close()


def test_command_line(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/cli.db"
    assert main(["import-ror", str(EXPORT), "--url", url, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "simulation" in out and "créées 11" in out and "hs-ehpad-45" in out
    assert main(["import-ror", str(EXPORT), "--url", url]) == 0
    assert "créées 11" in capsys.readouterr().out
    assert main(["import-ror", str(EXPORT), "--url", url]) == 0
    assert "inchangées 11" in capsys.readouterr().out
    bad = tmp_path / "bad.ndjson"
    bad.write_text("not json\n")
    assert main(["import-ror", str(bad), "--url", url]) == 1
    assert "rien n'a été écrit" in capsys.readouterr().err


def test_available_time_slot_types():
    """Opening hours use "Horaire de fonctionnement" when present, else the consultation ones
    (the guide's city example only has consultation slots)."""
    mapping = ror.Mapping.load()
    ville = json.loads(IG.read_text())["entry"][0]["resource"]
    rows, permanent = available_time(ville, mapping)
    assert not permanent
    assert {r["type_creneau"] for r in rows} == {"ouverture"}
    assert [(r["jour"], r["debut"], r["fin"]) for r in rows if r["jour"] == 4] == [
        (4, time(9, 0), time(12, 0)), (4, time(14, 0), time(19, 0))]
    ville["availableTime"].append({"allDay": True, "daysOfWeek": ["mon"], "extension": []})
    rows, _ = available_time(ville, mapping)
    monday = {(r["debut"], r["type_creneau"]) for r in rows if r["jour"] == 0}
    assert (time(0), "ouverture") in monday and (time(9, 0), "R252-07") in monday


def test_sensitive_unit_is_never_imported(tmp_path):
    def edit(r):
        if r["id"] == "hs-clic-41":
            r["extension"].append({"url": ror.SD_SENSITIVE, "valueBoolean": True})
        return r

    parsed = ror.parse(edited_export(tmp_path, edit))
    assert "ror-4100000001" not in parsed.rows
    assert ("HealthcareService/hs-clic-41",
            "unité sensible : offre confidentielle, jamais diffusée") in parsed.report.skipped


def test_offer_telecoms_by_channel(tmp_path):
    """HealthcareService.telecom: a phone goes to the phone, a web address to the website, an
    MSSanté address to the secure mailbox; a non-free telecom nowhere."""
    def edit(r):
        if r["id"] == "hs-csapa-37":
            r["telecom"] += [{"system": "phone", "value": "+33 2 61 91 37 99"},
                             {"system": "url", "value": "https://csapa37.exemple.fr"},
                             {"system": "email", "value": "accueil@csapa37.exemple.fr"}]
        return r

    s = ror.parse(edited_export(tmp_path, edit)).rows["ror-3700000001"]["service"]
    assert s["telephone"] == "02 61 91 37 01"  # the contact's phone comes first
    assert (s["site_web"], s["email"]) == ("https://csapa37.exemple.fr", "accueil@csapa37.exemple.fr")
    assert s["messagerie_securisee"] is None  # the restricted mailbox stays out


def test_database_of_the_previous_version_is_read_and_upgraded(tmp_path):
    """A directory loaded before the ROR columns existed is served without a reload."""
    url = f"sqlite:///{tmp_path}/previous.db"
    d = Directory(url)
    d.load(FIXTURES / "directory-valid")
    d.close()
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        for table, column in (("service", "origine"), ("service", "latitude"),
                              ("contact", "confidentialite"), ("horaire", "debut_effectif")):
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(text("DROP TABLE secteur_psychiatrique"))
    engine.dispose()
    d = Directory(url)
    assert "dac-18" in [s.id for s in d.all()]
    assert d.get("dac-18").origine == "yaml"
    d.close()
