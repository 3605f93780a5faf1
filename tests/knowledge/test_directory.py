"""Resource directory: loader validation, all-or-nothing idempotent loading, queries."""
from __future__ import annotations

import copy
import shutil
import uuid
from datetime import date, datetime, time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, event, select, text

from knowledge import settings
from knowledge.directory import (
    CHILD_TABLES,
    SERVICE,
    Directory,
    DirectoryDataError,
    DirectoryError,
    check,
    departements,
    main,
)
from knowledge.gazetteer import Gazetteer
from knowledge.hours import TZ
from tests.servers import require_postgres

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "directory-valid"
BAD_HOURS = FIXTURES / "directory-bad-hours"
SAMPLE = settings.directory_data_dir()

EXPECTED_IDS = ["ccas-bourges", "cmp-vierzon", "cra-centre", "dac-18", "dac-36", "had-36",
                "ssiad-issoudun", "ssiad-vierzon"]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


@pytest.fixture(scope="module")
def directory(tmp_path_factory) -> Directory:
    """The valid fixtures loaded once into a SQLite file (read-only tests)."""
    d = Directory(f"sqlite:///{tmp_path_factory.mktemp('dir')}/annuaire.db")
    d.load(VALID)
    yield d
    d.close()


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    base = require_postgres()
    schema = f"test_directory_{uuid.uuid4().hex[:12]}"
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


def dump(d: Directory) -> dict[str, list[tuple]]:
    """Every row of every directory table, sorted (for equality checks)."""
    out = {}
    with d.engine.connect() as conn:
        for table in [SERVICE, *CHILD_TABLES.values()]:
            out[table.name] = sorted(tuple(r) for r in conn.execute(select(table)))
    return out


# ------------------------------------------------------------------------------------------
# Loading


def test_load_report_counts_files_services_and_types(directory):
    report = directory.load(VALID)
    assert report.files == ("18-cher.yaml", "24-region.yaml", "36-indre.yaml")
    assert report.services == 8
    assert report.per_type == {"CCAS": 1, "CMP": 1, "CRA": 1, "DAC": 2, "HAD": 1, "SSIAD": 2}
    assert [s.id for s in directory.all()] == EXPECTED_IDS
    assert "8 services dans 3 fichiers" in report.summary()


def test_load_is_idempotent_and_round_trips(db_url):
    d = Directory(db_url)
    try:
        d.load(VALID)
        first = dump(d)
        d.load(VALID)
        assert dump(d) == first
        assert len(first["service"]) == 8
        assert len(first["zone_intervention"]) == 9
        assert len(first["fermeture"]) == 1
        # A second Directory on the same database reads the same values.
        other = Directory(db_url)
        assert other.all() == d.all()
        other.close()
        dac = d.get("dac-18")
        assert (dac.type, dac.nom, dac.audience) == ("DAC", "DAC du Cher", "professionnels")
        assert dac.missions == ("information_orientation", "appui_parcours", "appui_pratiques")
        assert [(p.public, p.age_min, p.age_max) for p in dac.publics] == [
            ("tous", None, None), ("personne_agee", 60, None)]
        assert dac.besoins == ("coordination", "maintien_domicile")
        assert dac.telephone == "02 61 91 18 00"
        assert dac.messagerie_securisee == "contact@dac18.exemple.mssante.fr"
        assert dac.commune_insee == "18033" and dac.site_web is None
        assert [(c.fonction, c.telephone, c.messagerie_securisee) for c in dac.contacts] == [
            ("Coordinatrice de parcours", "02 61 91 18 01", None),
            ("Médecin coordonnateur", None, "medecin@dac18.exemple.mssante.fr")]
        assert dac.verifie_le == date(2026, 11, 2) and dac.exemple is True
        assert len(dac.schedule.slots) == 10
        (closure,) = dac.schedule.closures
        assert (closure.debut, closure.fin, closure.reouverture) == (
            date(2026, 12, 24), date(2026, 12, 31), date(2027, 1, 4))
        # Per-service source/verifie_le override the file defaults.
        ssiad = d.get("ssiad-issoudun")
        assert ssiad.verifie_le == date(2026, 11, 10)
        assert ssiad.source == "Jeu de test Aiguillage, mise à jour par le service"
        assert d.get("nope") is None
    finally:
        d.close()


@pytest.mark.parametrize("service_id, at, is_open", [
    ("dac-18", datetime(2026, 11, 23, 10, 0, tzinfo=TZ), True),        # Monday morning
    ("dac-18", datetime(2026, 11, 23, 13, 0, tzinfo=TZ), False),       # lunch break
    ("dac-18", datetime(2026, 11, 27, 17, 0, tzinfo=TZ), False),       # Friday closes 16:30
    ("dac-18", datetime(2026, 12, 28, 10, 0, tzinfo=TZ), False),       # end-of-year closure
    ("dac-18", datetime(2027, 1, 4, 10, 0, tzinfo=TZ), True),          # planned reopening
    ("dac-18", datetime(2026, 11, 11, 10, 0, tzinfo=TZ), False),       # 11 November
    ("ssiad-vierzon", datetime(2026, 11, 24, 10, 0, tzinfo=TZ), False),  # no Tuesday slot
    ("had-36", datetime(2026, 11, 29, 3, 0, tzinfo=TZ), True),         # permanent, Sunday night
    ("had-36", datetime(2026, 12, 25, 12, 0, tzinfo=TZ), True),        # permanent on holidays
])
def test_schedule_built_from_horaire_and_fermeture_rows(directory, service_id, at, is_open):
    assert directory.get(service_id).schedule.is_open(at) is is_open


def test_failed_load_keeps_previous_content_and_names_file_service_field(db_url):
    d = Directory(db_url)
    try:
        d.load(VALID)
        before = dump(d)
        with pytest.raises(DirectoryDataError) as err:
            d.load(BAD_HOURS)
        assert ('18-cher.yaml, service #3 (ssiad-vierzon), champ "horaires.lundi": '
                '"9h-25h" n\'est pas un créneau valide') in str(err.value)
        assert [(p.file, p.index, p.service_id, p.field) for p in err.value.problems] == [
            ("18-cher.yaml", 3, "ssiad-vierzon", "horaires.lundi")]
        assert dump(d) == before
        assert [s.id for s in d.all()] == EXPECTED_IDS
    finally:
        d.close()


def test_database_failure_mid_load_rolls_back_everything(db_url):
    """A failure while writing (here the contact inserts) leaves the old content intact."""
    d = Directory(db_url)
    try:
        d.load(VALID)
        before = dump(d)

        def fail_on_contacts(conn, cursor, statement, params, context, executemany):
            if statement.lstrip().upper().startswith("INSERT INTO CONTACT"):
                raise RuntimeError("disk full (simulated)")

        event.listen(d.engine, "before_cursor_execute", fail_on_contacts)
        with pytest.raises(Exception, match="disk full"):
            d.load(VALID)
        event.remove(d.engine, "before_cursor_execute", fail_on_contacts)
        assert dump(d) == before
    finally:
        d.close()


@pytest.mark.parametrize("folder, expected", [
    ("directory-bad-syntax", "18-cher.yaml: YAML invalide (ligne"),
    ("directory-empty", "18-cher.yaml: fichier vide"),
    ("directory-not-mapping", "18-cher.yaml: le fichier doit contenir un dictionnaire"),
    ("directory-binary", "18-cher.yaml: fichier binaire"),
    ("directory-duplicate", '36-indre.yaml, service #2 (dac-18), champ "id": identifiant déjà '
                            "utilisé dans 18-cher.yaml (service #1)"),
])
def test_malformed_files_are_named(folder, expected):
    with pytest.raises(DirectoryDataError) as err:
        check(FIXTURES / folder)
    assert expected in str(err.value)


@pytest.mark.parametrize("content, expected", [
    ("services: []\nsource: x\nextra: 1\n", 'champ "extra": champ inconnu'),
    ("services: {id: a}\n", 'champ "services": liste des services attendue'),
    ("exemple: oui\nservices: []\n", 'champ "exemple": "oui" n\'est pas un booléen'),
    ("verifie_le: hier\nservices: []\n", 'champ "verifie_le": "hier" n\'est pas une date'),
    ("services:\n  - just a string\n", "service #1: un service doit être un dictionnaire"),
    ("verifie_le: 2026-13-01\nservices: []\n", "valeur impossible dans le fichier"),
    (b"services: [\xff\xfe]\n", "n'est pas du texte UTF-8"),
])
def test_malformed_file_level_content(tmp_path, content, expected):
    path = tmp_path / "45-loiret.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DirectoryDataError) as err:
        check(tmp_path)
    assert "45-loiret.yaml" in str(err.value) and expected in str(err.value)


def test_missing_or_empty_folder_is_an_error(tmp_path):
    with pytest.raises(DirectoryDataError, match="aucun fichier"):
        check(tmp_path)
    with pytest.raises(DirectoryDataError, match="dossier introuvable"):
        check(tmp_path / "absent")


# ------------------------------------------------------------------------------------------
# One malformed service at a time: the error names the field

BASE_SERVICE = {
    "id": "clic-orleans",
    "type": "CLIC",
    "nom": "CLIC d'Orléans",
    "audience": "les_deux",
    "missions": ["information_orientation"],
    "publics": [{"public": "personne_agee", "age_min": 60}, {"public": "aidant"}],
    "besoins": ["maintien_domicile"],
    "zone": {"communes": ["45234"]},
    "telephone": "02 61 91 45 00",
    "messagerie_securisee": "clic@orleans.exemple.mssante.fr",
    "commune": "45234",
    "contacts": [{"fonction": "Coordinatrice", "telephone": "02 61 91 45 01"}],
    "horaires": {"lundi": "9:00-12:00", "jeudi": "14:00-17:00"},
    "fermetures": [{"debut": date(2026, 8, 1), "fin": date(2026, 8, 15), "motif": "Congés"}],
}


def _set(path: str, value):
    def mutate(service: dict) -> None:
        *parents, last = path.split(".")
        node = service
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        elif value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return mutate


_DELETE = object()

MALFORMED = [
    # (mutation, field named in the error, fragment of the message)
    (_set("id", "CLIC Orléans"), "id", "n'est pas un identifiant valide"),
    (_set("id", _DELETE), "id", "n'est pas un identifiant valide"),
    (_set("type", "EHPAD"), "type", '"EHPAD" n\'est pas un code de type de ressource connu'),
    (_set("type", _DELETE), "type", "champ obligatoire manquant"),
    (_set("nom", ""), "nom", "n'est pas un texte non vide"),
    (_set("audience", "medecins"), "audience", "n'est pas une audience valide"),
    (_set("missions", []), "missions", "liste de codes de mission attendue"),
    (_set("missions", ["information_orientation", "soigner"]), "missions[2]",
     '"soigner" n\'est pas un code de mission connu'),
    (_set("besoins", ["chutes", "chutes"]), "besoins[2]", "est en double"),
    (_set("besoins", ["perdu"]), "besoins[1]", "n'est pas un code de besoin connu"),
    (_set("publics", []), "publics", "liste des publics pris en charge attendue"),
    (_set("publics.0.public", "seniors"), "publics[1].public", "n'est pas un code de public"),
    (_set("publics.0.age_min", -1), "publics[1].age_min", "n'est pas un âge en années"),
    (_set("publics.0.age_min", "60 ans"), "publics[1].age_min", "n'est pas un âge en années"),
    (_set("publics.0", {"public": "adulte", "age_min": 60, "age_max": 18}), "publics[1].age_max",
     "inférieur à l'âge minimal"),
    (_set("publics.1", {"public": "aidant", "agemax": 99}), "publics[2].agemax",
     'champ inconnu (vouliez-vous dire "age_max" ?)'),
    (_set("zone", {}), "zone", "zone d'intervention attendue"),
    (_set("zone", {"region": False}), "zone", "zone d'intervention vide"),
    (_set("zone", {"departements": ["75"]}), "zone.departements[1]",
     "n'est pas un département de la région"),
    (_set("zone", {"departements": [45]}), "zone.departements[1]", "entre guillemets"),
    (_set("zone", {"communes": ["75056"]}), "zone.communes[1]", "commune inconnue en Centre-Val"),
    (_set("zone", {"communes": ["4523"]}), "zone.communes[1]", "n'est pas un code INSEE"),
    (_set("zone", {"epci": ["123456789"]}), "zone.epci[1]", "EPCI inconnu"),
    (_set("zone", {"epci": ["24450046"]}), "zone.epci[1]", "n'est pas un numéro SIREN"),
    (_set("zone", {"region": "oui"}), "zone.region", "n'est pas un booléen"),
    (_set("zone", {"canton": ["4501"]}), "zone.canton", "champ inconnu"),
    (_set("telephone", "0261914500"), "telephone", "n'est pas un numéro de téléphone"),
    (_set("telephone", 261914500), "telephone", "mettez le numéro entre guillemets"),
    (_set("telephone", "02 61 91 45"), "telephone", "n'est pas un numéro de téléphone"),
    (_set("messagerie_securisee", "clic@orleans.fr"), "messagerie_securisee",
     "n'est pas une adresse MSSanté"),
    (_set("messagerie_securisee", "clic orleans.mssante.fr"), "messagerie_securisee",
     "n'est pas une adresse électronique valide"),
    (_set("email", "clic@"), "email", "n'est pas une adresse électronique valide"),
    (_set("site_web", "www.clic-orleans.fr"), "site_web", "n'est pas une adresse web"),
    (_set("commune", "45999"), "commune", "commune inconnue"),
    (_set("horaires.lundi", "9h-25h"), "horaires.lundi", '"9h-25h" n\'est pas un créneau valide'),
    (_set("horaires.lundi", "17:00-9:00"), "horaires.lundi", "n'est pas un créneau valide"),
    (_set("horaires.lundi", "9:00-12:00, 11:00-13:00"), "horaires.lundi",
     "n'est pas un créneau valide"),
    (_set("horaires.lundi", 9), "horaires.lundi", "n'est pas un créneau valide"),
    (_set("horaires", {"lundy": "9:00-12:00"}), "horaires.lundy", "n'est pas un jour"),
    (_set("horaires", _DELETE), "horaires", "horaires manquants"),
    (_set("permanent", "toujours"), "permanent", "n'est pas un booléen"),
    (_set("ferme_jours_feries", "non"), "ferme_jours_feries", "n'est pas un booléen"),
    (_set("fermetures.0.fin", date(2026, 7, 1)), "fermetures[1].fin", "avant le début"),
    (_set("fermetures.0.debut", "1er août"), "fermetures[1].debut", "n'est pas une date"),
    (_set("fermetures.0.reouverture", date(2026, 8, 10)), "fermetures[1].reouverture",
     "pas après la fin"),
    (_set("fermetures.0.motif", _DELETE), "fermetures[1].motif", "motif attendu"),
    (_set("contacts.0", {"telephone": "02 61 91 45 02"}), "contacts[1].fonction",
     "fonction attendue"),
    (_set("contacts.0", {"fonction": "Assistante sociale"}), "contacts[1].telephone",
     "aucun moyen de contact"),
    (_set("contacts.0.telephone", "poste 12"), "contacts[1].telephone",
     "n'est pas un numéro de téléphone"),
    (_set("verifie_le", "2026-13-01"), "verifie_le", "n'est pas une date"),
    (_set("nom", "CLIC" + " très" * 50), "nom", "texte trop long (254 caractères, 200 au plus)"),
    (_set("id", "clic-" + "orleans-" * 8 + "loiret"), "id", "texte trop long"),
    (_set("fermetures.0.motif", "Congés " * 40), "fermetures[1].motif", "texte trop long"),
    (_set("contacts.0.fonction", "Coordinatrice " * 10), "contacts[1].fonction",
     "texte trop long"),
    (_set("telefone", "02 61 91 45 00"), "telefone",
     'champ inconnu (vouliez-vous dire "telephone" ?)'),
]


def _write_loiret(folder: Path, services: list[dict]) -> None:
    doc = {"exemple": True, "source": "Jeu de test", "verifie_le": date(2026, 11, 2),
           "services": services}
    (folder / "45-loiret.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True),
                                           encoding="utf-8")


def test_base_service_of_the_malformed_table_is_valid(tmp_path):
    _write_loiret(tmp_path, [BASE_SERVICE])
    assert check(tmp_path).per_type == {"CLIC": 1}


@pytest.mark.parametrize("mutate, fld, fragment", MALFORMED,
                         ids=[f"{i:02d}-{row[1]}" for i, row in enumerate(MALFORMED)])
def test_malformed_service_error_names_the_field(tmp_path, mutate, fld, fragment):
    other = copy.deepcopy(BASE_SERVICE)
    other["id"] = "clic-montargis"
    service = copy.deepcopy(BASE_SERVICE)
    mutate(service)
    _write_loiret(tmp_path, [other, service])
    with pytest.raises(DirectoryDataError) as err:
        check(tmp_path)
    problems = err.value.problems
    assert [p.field for p in problems] == [fld], str(err.value)
    (problem,) = problems
    assert (problem.file, problem.index) == ("45-loiret.yaml", 2)
    assert fragment in problem.message
    sid = service.get("id") if isinstance(service.get("id"), str) else None
    assert problem.service_id == sid
    assert str(problem).startswith(
        f"45-loiret.yaml, service #2{f' ({sid})' if sid else ''}, champ \"{fld}\": ")


def test_every_problem_is_reported_at_once(tmp_path):
    a = dict(BASE_SERVICE, type="EHPAD", telephone="12 34")
    b = dict(BASE_SERVICE, id="clic-gien", zone={"departements": ["75"]})
    _write_loiret(tmp_path, [a, b])
    with pytest.raises(DirectoryDataError) as err:
        check(tmp_path)
    assert [(p.index, p.field) for p in err.value.problems] == [
        (1, "type"), (1, "telephone"), (2, "zone.departements[1]")]
    assert str(err.value).startswith("3 erreurs dans les données de l'annuaire :")


@pytest.mark.parametrize("phone", ["02 61 91 18 00", "15", "112", "115", "119", "3919", "39 77",
                                   "116 117", "0 800 47 47 88", "08 00 47 47 88"])
def test_accepted_phone_formats(tmp_path, phone):
    _write_loiret(tmp_path, [dict(BASE_SERVICE, telephone=phone)])
    assert check(tmp_path).services == 1


# ------------------------------------------------------------------------------------------
# Queries


@pytest.mark.parametrize("code_insee, expected", [
    # Vierzon: commune zone, then its EPCI, its department, the region.
    ("18279", ["cmp-vierzon", "ssiad-vierzon", "dac-18", "cra-centre"]),
    ("18096", ["cmp-vierzon", "ssiad-vierzon", "dac-18", "cra-centre"]),   # Foëcy
    ("18140", ["ssiad-vierzon", "dac-18", "cra-centre"]),                  # Massay (EPCI only)
    ("18033", ["ccas-bourges", "dac-18", "cra-centre"]),                   # Bourges
    ("18141", ["dac-18", "cra-centre"]),                                   # Mehun-sur-Yèvre
    ("18055", ["ssiad-issoudun", "dac-18", "cra-centre"]),  # Chârost: Cher, EPCI of Issoudun
    ("36088", ["ssiad-issoudun", "dac-36", "had-36", "cra-centre"]),       # Issoudun
    ("37261", ["cra-centre"]),                                             # Tours
])
def test_serving_by_commune_epci_departement_region(directory, gazetteer, code_insee, expected):
    assert [s.id for s in directory.serving(gazetteer.commune(code_insee))] == expected


@pytest.mark.parametrize("code_insee, types, expected", [
    ("18279", ["SSIAD"], ["ssiad-vierzon"]),
    ("18279", "DAC", ["dac-18"]),
    ("18279", ["CMP", "CRA"], ["cmp-vierzon", "cra-centre"]),
    ("18279", ["HAD"], []),
    ("36044", {"HAD", "DAC"}, ["dac-36", "had-36"]),
])
def test_serving_filters_types(directory, gazetteer, code_insee, types, expected):
    assert [s.id for s in directory.serving(gazetteer.commune(code_insee), types)] == expected


@pytest.mark.parametrize("dep, types, expected", [
    ("18", None, ["ccas-bourges", "cmp-vierzon", "cra-centre", "dac-18", "ssiad-issoudun",
                  "ssiad-vierzon"]),
    ("36", None, ["cra-centre", "dac-36", "had-36", "ssiad-issoudun"]),
    ("36", ["SSIAD"], ["ssiad-issoudun"]),
    ("45", None, ["cra-centre"]),
    ("75", None, []),
])
def test_in_departement(directory, dep, types, expected):
    assert [s.id for s in directory.in_departement(dep, types)] == expected


@pytest.mark.parametrize("service_id, expected", [
    ("dac-18", ["18"]),
    ("cmp-vierzon", ["18"]),
    ("ssiad-issoudun", ["18", "36"]),   # an EPCI straddling two departments
    ("cra-centre", ["18", "28", "36", "37", "41", "45"]),
])
def test_departements_of_a_service(directory, gazetteer, service_id, expected):
    service = directory.get(service_id)
    assert departements(service, gazetteer) == expected
    assert service.departements(gazetteer) == expected


@pytest.mark.parametrize("query, expected_first", [
    ("le SSIAD de Vierzon", "ssiad-vierzon"),
    ("ssiad vierson", "ssiad-vierzon"),                  # typo
    ("DAC 36", "dac-36"),
    ("DAC du Cher", "dac-18"),
    ("dac 18", "dac-18"),
    ("CMP de Vierzon", "cmp-vierzon"),
    ("centre médico-psychologique de Vierzon", "cmp-vierzon"),
    ("SSIAD d'Issoudun", "ssiad-issoudun"),
    ("le CCAS de Bourges", "ccas-bourges"),
    ("HAD Indre", "had-36"),
    ("centre ressources autisme", "cra-centre"),
])
def test_search_name(directory, query, expected_first):
    results = directory.search_name(query)
    assert results, query
    service, score = results[0]
    assert service.id == expected_first
    assert score >= 80
    assert all(s2 <= score for _, s2 in results[1:])
    assert len(results) <= 5


@pytest.mark.parametrize("query", ["", "   ", "boulangerie pâtisserie", "xyz"])
def test_search_name_without_match(directory, query):
    assert directory.search_name(query) == []


def test_serving_uses_the_memory_cache_not_the_database(directory, gazetteer):
    vierzon = gazetteer.commune("18279")
    directory.serving(vierzon)  # warm
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(directory.engine, "before_cursor_execute", count)
    try:
        for _ in range(50):
            assert directory.serving(vierzon)
            directory.in_departement("18")
            directory.get("dac-18")
    finally:
        event.remove(directory.engine, "before_cursor_execute", count)
    assert statements == []


def test_refresh_sees_a_load_made_by_another_instance(tmp_path, gazetteer):
    url = f"sqlite:///{tmp_path}/annuaire.db"
    reader, writer = Directory(url), Directory(url)
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    writer.load(folder)
    assert reader.get("cra-centre") is not None
    (folder / "24-region.yaml").unlink()
    writer.load(folder)
    assert reader.get("cra-centre") is not None  # cached until refresh()
    reader.refresh()
    assert reader.get("cra-centre") is None
    assert [s.id for s in reader.serving(gazetteer.commune("37261"))] == []
    reader.close()
    writer.close()


def test_querying_a_database_never_loaded_says_how_to_load(tmp_path):
    d = Directory(f"sqlite:///{tmp_path}/vide.db")
    with pytest.raises(DirectoryError, match="python -m knowledge.directory load"):
        d.all()
    d.close()


def test_in_memory_sqlite_works():
    d = Directory("sqlite://")
    assert d.load(VALID).services == 8
    assert d.get("dac-36").schedule.slots[0].debut == time(9, 0)
    d.close()


# ------------------------------------------------------------------------------------------
# Command line


def test_cli_check_and_load(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/annuaire.db"
    assert main(["check", "--folder", str(VALID)]) == 0
    assert "Annuaire valide : 8 services dans 3 fichiers" in capsys.readouterr().out
    assert main(["load", "--url", url, "--folder", str(VALID)]) == 0
    out = capsys.readouterr().out
    assert "Annuaire chargé" in out and "DAC 2" in out
    assert main(["load", "--url", url, "--folder", str(BAD_HOURS)]) == 1
    err = capsys.readouterr().err
    assert "Annuaire non chargé" in err
    assert 'service #3 (ssiad-vierzon), champ "horaires.lundi"' in err
    after = Directory(url)
    assert len(after.all()) == 8
    after.close()
    assert main(["check", "--folder", str(FIXTURES / "directory-binary")]) == 1
    assert "18-cher.yaml: fichier binaire" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------
# The project's sample directory


SAMPLE_FILES = {"18-cher.yaml", "24-region.yaml", "28-eure-et-loir.yaml", "36-indre.yaml",
                "37-indre-et-loire.yaml", "41-loir-et-cher.yaml", "45-loiret.yaml"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The project's sample directory loaded into a SQLite file, and its LoadReport."""
    if not sorted(SAMPLE.glob("*.yaml")):
        pytest.skip(f"no sample directory YAML in {SAMPLE} yet")
    d = Directory(f"sqlite:///{tmp_path_factory.mktemp('sample')}/annuaire.db")
    yield d, d.load(SAMPLE)
    d.close()


def test_sample_directory_loads_cleanly(sample, gazetteer):
    directory, report = sample
    assert set(report.files) == SAMPLE_FILES
    assert report.services == len(directory.all()) == sum(report.per_type.values()) > 100
    assert all(s.exemple for s in directory.all())
    for service in directory.all():
        assert set(departements(service, gazetteer)) <= {"18", "28", "36", "37", "41", "45"}


@pytest.mark.parametrize("query, type_, commune_name, deps", [
    ("le SSIAD de Vierzon", "SSIAD", "Vierzon", None),
    ("CMP de Vierzon", "CMP", "Vierzon", None),
    ("DAC 36", "DAC", None, ["36"]),
    ("le DAC du Loiret", "DAC", None, ["45"]),
    ("PASS de Bourges", "PASS", "Bourges", None),
])
def test_search_name_on_the_sample_directory(sample, gazetteer, query, type_, commune_name,
                                             deps):
    service, score = sample[0].search_name(query)[0]
    assert service.type == type_ and score >= 90
    if commune_name:
        assert gazetteer.commune(service.commune_insee).nom == commune_name
    if deps:
        assert departements(service, gazetteer) == deps
