"""Checks of the sample resource directory (knowledge/data/directory/*.yaml) on the raw YAML.

Independent of the loader: reads the files with pyyaml and resolves service areas with the
gazetteer data (knowledge/data/communes-24.json, or the etalab package as a fallback).
"""
import json
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DIRECTORY = ROOT / "knowledge" / "data" / "directory"
GAZETTEER = ROOT / "knowledge" / "data" / "communes-24.json"
ETALAB = Path("/tmp/setup/package/data")

FILES = {
    "18": "18-cher.yaml",
    "28": "28-eure-et-loir.yaml",
    "36": "36-indre.yaml",
    "37": "37-indre-et-loire.yaml",
    "41": "41-loir-et-cher.yaml",
    "45": "45-loiret.yaml",
    "24": "24-region.yaml",
}
DEPARTEMENTS = ("18", "28", "36", "37", "41", "45")

CONTRACT_TYPES = (
    "DAC CLIC MDPH SSIAD SPASAD SAAD HAD EMG EMSP ESA PFR SAMSAH SAVS PCPE CRA CAMSP CMP CMPP MDA "
    "EMPP CSAPA CAARUD PASS MDS CCAS PMI CRIP RESEAU CMRR CPTS CPAM PRADO"
).split()

# Types every department must have, and the minimum number of services of each.
REQUIRED_PER_DEPARTEMENT = {
    "DAC": 1, "MDPH": 1, "SSIAD": 3, "HAD": 1, "EMSP": 1, "EMG": 1, "CMP": 3, "CMPP": 1,
    "MDA": 1, "PASS": 2, "CSAPA": 1, "PMI": 2, "MDS": 2, "CRIP": 1, "CPAM": 1,
}
# Types whose service areas must cover every commune of every department.
COVERING_TYPES = ("DAC", "MDPH", "MDS", "PMI", "SSIAD", "CMP", "CMPP", "HAD", "EMSP", "EMG",
                  "CSAPA", "PASS", "CPAM", "CRIP", "MDA", "CPTS")
# Departments where the DAC absorbed the CLIC: no CLIC entry, the DAC says so.
CLIC_ABSORBED_BY_DAC = {"36", "41"}

# Hospitals that must host a PASS: (department, INSEE code of the hospital's commune, town).
PASS_HOSPITALS = [
    ("18", "18033", "Bourges"), ("18", "18279", "Vierzon"), ("18", "18197", "Saint-Amand-Montrond"),
    ("28", "28085", "Chartres"), ("28", "28134", "Dreux"), ("28", "28088", "Châteaudun"),
    ("28", "28280", "Nogent-le-Rotrou"),
    ("36", "36044", "Châteauroux"), ("36", "36088", "Issoudun"), ("36", "36018", "Le Blanc"),
    ("37", "37261", "Tours"), ("37", "37072", "Chinon"), ("37", "37003", "Amboise"), ("37", "37132", "Loches"),
    ("41", "41018", "Blois"), ("41", "41194", "Romorantin-Lanthenay"), ("41", "41269", "Vendôme"),
    ("45", "45234", "Orléans"), ("45", "45004", "Amilly (Montargis)"), ("45", "45155", "Gien"),
    ("45", "45252", "Pithiviers"),
]
# Age bounds expected for some types (ROR publicPrisEnCharge): type -> (public, age_min, age_max).
AGE_RULES = [
    ("CLIC", "personne_agee", 60, None), ("EMG", "personne_agee", 60, None),
    ("SSIAD", "personne_agee", 60, None), ("CMPP", "enfant", 0, 20), ("CAMSP", "enfant", 0, 6),
    ("MDA", "adolescent", 11, 25), ("PMI", "enfant", 0, 6),
]
REGIONAL_TYPES = ("CRA", "CMRR", "RESEAU")

PHONE = re.compile(r"^02 61 91 \d\d \d\d$")
SLOT = r"([01]?\d|2[0-3]):[0-5]\d-([01]?\d|2[0-4]):[0-5]\d"
DAY_HOURS = re.compile(rf"^{SLOT}(, {SLOT})*$")
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
SERVICE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SERVICE_KEYS = {
    "id", "type", "nom", "description", "audience", "missions", "publics", "besoins", "zone",
    "telephone", "messagerie_securisee", "email", "adresse", "commune", "site_web", "contacts",
    "horaires", "permanent", "ferme_jours_feries", "fermetures", "verifie_le",
}
REQUIRED_KEYS = {"id", "type", "nom", "description", "audience", "missions", "publics", "besoins",
                 "zone", "telephone", "adresse", "commune"}


def _doc_codes(label: str) -> set[str]:
    """Backticked codes of one vocabulary paragraph of docs/data.md ("Publics", "Needs"...)."""
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    start = text.index(f"**{label}**")
    end = text.index("**", text.index("**", start + 2) + 2)
    return set(re.findall(r"`([a-z_]+)`", text[start:end])) - {"public", "besoin", "mission", "type"}


PUBLICS = _doc_codes("Publics")
BESOINS = _doc_codes("Needs")
MISSIONS = _doc_codes("Missions")


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster


def _load_file(name: str) -> dict:
    path = DIRECTORY / name
    if not path.exists():
        pytest.fail(f"{path} is missing")
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)


@pytest.fixture(scope="module")
def files() -> dict:
    return {dep: _load_file(name) for dep, name in FILES.items()}


@pytest.fixture(scope="module")
def services(files) -> list[dict]:
    return [s for dep in FILES for s in files[dep]["services"]]


@pytest.fixture(scope="module")
def geo():
    """(communes: code -> (departement, codes_postaux), members: epci -> set of codes)."""
    if GAZETTEER.exists():
        data = json.loads(GAZETTEER.read_text(encoding="utf-8"))
        communes = {c["code_insee"]: (c["departement"], tuple(c["codes_postaux"])) for c in data["communes"]}
        members = defaultdict(set)
        for c in data["communes"]:
            if c.get("epci"):
                members[c["epci"]].add(c["code_insee"])
        if members:
            return communes, dict(members)
    if (ETALAB / "communes.json").exists() and (ETALAB / "epci.json").exists():
        raw = json.loads((ETALAB / "communes.json").read_text(encoding="utf-8"))
        communes = {c["code"]: (c["departement"], tuple(c.get("codesPostaux", ())))
                    for c in raw if c.get("region") == "24" and c["type"] == "commune-actuelle"}
        members = defaultdict(set)
        for e in json.loads((ETALAB / "epci.json").read_text(encoding="utf-8")):
            for m in e["membres"]:
                if m["code"] in communes:
                    members[e["code"]].add(m["code"])
        return communes, dict(members)
    pytest.skip("no gazetteer: neither knowledge/data/communes-24.json (with epci) nor the etalab package")


def _served(zone: dict, geo) -> set[str]:
    communes, members = geo
    served = set(communes) if zone.get("region") else set()
    for dep in zone.get("departements", ()):
        served |= {c for c, (d, _) in communes.items() if d == dep}
    for epci in zone.get("epci", ()):
        served |= members[epci]
    served |= set(zone.get("communes", ()))
    return served


# --- files -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dep,name", sorted(FILES.items()))
def test_file_is_marked_as_sample(files, dep, name):
    text = (DIRECTORY / name).read_text(encoding="utf-8")
    data = files[dep]
    assert data["exemple"] is True
    assert "DONNÉES FICTIVES" in text.split("\nexemple:")[0], "header comment must say the data are fictional"
    assert "fictives" in data["source"]
    assert isinstance(data["verifie_le"], date)
    assert len(data["services"]) >= (8 if dep == "24" else 40)


def test_total_number_of_services(services):
    assert len(services) >= 150


def test_ids_unique_and_well_formed(services):
    ids = Counter(s["id"] for s in services)
    assert not [i for i, n in ids.items() if n > 1]
    assert all(SERVICE_ID.match(i) for i in ids), [i for i in ids if not SERVICE_ID.match(i)]


def test_every_contract_type_has_a_sample(services):
    assert sorted(set(CONTRACT_TYPES) - {s["type"] for s in services}) == []


def test_contract_types_match_docs():
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    paragraph = text[text.index("**Resource types**"):text.index("**Publics**")]
    assert set(re.findall(r"\b[A-Z]{2,}\b", paragraph)) == set(CONTRACT_TYPES)


# --- each service ------------------------------------------------------------------------------

def test_every_service_is_valid(services, geo):
    communes, members = geo
    errors = []
    for s in services:
        where = s.get("id")
        keys = set(s)
        if keys - SERVICE_KEYS or REQUIRED_KEYS - keys:
            errors.append((where, "keys", sorted(keys ^ (keys & SERVICE_KEYS)), sorted(REQUIRED_KEYS - keys)))
        if s["type"] not in CONTRACT_TYPES:
            errors.append((where, "type", s["type"]))
        if s["audience"] not in ("professionnels", "public", "les_deux"):
            errors.append((where, "audience", s["audience"]))
        if not s["missions"] or set(s["missions"]) - MISSIONS:
            errors.append((where, "missions", s["missions"]))
        if not s["besoins"] or set(s["besoins"]) - BESOINS or len(set(s["besoins"])) != len(s["besoins"]):
            errors.append((where, "besoins", set(s["besoins"]) - BESOINS))
        for p in s["publics"]:
            if p["public"] not in PUBLICS or set(p) - {"public", "age_min", "age_max"}:
                errors.append((where, "publics", p))
            if p.get("age_min", 0) > p.get("age_max", 200):
                errors.append((where, "ages", p))
        zone = s["zone"]
        if not zone or set(zone) - {"departements", "communes", "epci", "region"}:
            errors.append((where, "zone keys", zone))
        if set(zone.get("departements", ())) - set(DEPARTEMENTS):
            errors.append((where, "zone departements", zone["departements"]))
        if set(zone.get("communes", ())) - set(communes):
            errors.append((where, "zone communes", set(zone["communes"]) - set(communes)))
        if set(zone.get("epci", ())) - set(members):
            errors.append((where, "zone epci", set(zone["epci"]) - set(members)))
        if s["commune"] not in communes:
            errors.append((where, "commune", s["commune"]))
        else:
            postal = re.search(r", (\d{5}) ", s["adresse"])
            if not postal or postal.group(1) not in communes[s["commune"]][1]:
                errors.append((where, "postal code of adresse", s["adresse"]))
        if s.get("messagerie_securisee") and not re.fullmatch(
                r"[a-z0-9.-]+@[a-z0-9-]+\.exemple\.mssante\.fr", s["messagerie_securisee"]):
            errors.append((where, "messagerie_securisee", s["messagerie_securisee"]))
        if s.get("email") and not re.fullmatch(r"[a-z0-9.-]+@[a-z0-9-]+\.exemple\.fr", s["email"]):
            errors.append((where, "email", s["email"]))
        for c in s.get("contacts", ()):
            if set(c) - {"fonction", "telephone", "messagerie_securisee", "email"} or not c.get("fonction"):
                errors.append((where, "contact", c))
        for f in s.get("fermetures", ()):
            if not (f["debut"] <= f["fin"] and f.get("reouverture", f["fin"]) >= f["fin"] and f["motif"]):
                errors.append((where, "fermeture", f))
    assert not errors, errors[:20]


def test_descriptions_are_single_french_sentences(services):
    bad = [s["id"] for s in services
           if not (20 <= len(s["description"]) <= 220 and s["description"].endswith(".")
                   and s["description"][0].isupper() and s["description"].count(". ") == 0)]
    assert not bad


# --- phones and hours --------------------------------------------------------------------------

def test_phones_in_fiction_range_and_unique(services):
    owner = {}
    clashes, out_of_range = [], []
    for s in services:
        numbers = [s["telephone"]] + [c["telephone"] for c in s.get("contacts", ()) if c.get("telephone")]
        out_of_range += [(s["id"], n) for n in numbers if not PHONE.match(n)]
        for n in numbers:
            if owner.setdefault(n, s["id"]) != s["id"] or numbers.count(n) > 1:
                clashes.append((s["id"], n, owner[n]))
    assert not out_of_range
    assert not clashes


@pytest.mark.parametrize("dep", list(FILES))
def test_phones_follow_department_prefix(files, dep):
    # 02 61 91 DD NN: DD is the department code (24 for the regional file).
    prefixes = {s["telephone"][9:11] for s in files[dep]["services"]}
    assert prefixes == {dep}


def test_hours_parse(services):
    errors = []
    for s in services:
        horaires = s.get("horaires") or {}
        if not horaires and not s.get("permanent"):
            errors.append((s["id"], "no hours and not permanent"))
        for day, text in horaires.items():
            if day not in DAYS or not DAY_HOURS.match(text):
                errors.append((s["id"], day, text))
                continue
            bounds = [tuple(map(int, t.split(":"))) for slot in text.split(", ") for t in slot.split("-")]
            if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
                errors.append((s["id"], day, "slots not increasing", text))
    assert not errors, errors[:20]


@pytest.mark.parametrize("service_type,day,expected", [
    ("PASS", "samedi", False),       # hospital office hours only
    ("CRIP", "dimanche", False),     # 119 outside hours
    ("DAC", "lundi", True),
    ("CMP", "mardi", True),
])
def test_hours_by_type(services, service_type, day, expected):
    of_type = [s for s in services if s["type"] == service_type]
    assert of_type
    assert all((day in s.get("horaires", {})) is expected for s in of_type)


def test_holidays_and_closures_present(services):
    assert sum(1 for s in services if s.get("ferme_jours_feries", True)) >= 0.9 * len(services)
    closures = [(s["type"], f) for s in services for f in s.get("fermetures", ())]
    assert {"CLIC", "CMP"} <= {t for t, _ in closures}
    assert any(f.get("reouverture") == date(2027, 1, 4) for _, f in closures)


@pytest.mark.parametrize("service_type", ["HAD", "EMSP"])
def test_on_call_arrangement_is_described(services, service_type):
    """Weekday-only teams must say how continuity is ensured outside their hours."""
    of_type = [s for s in services if s["type"] == service_type]
    assert of_type
    assert [s["id"] for s in of_type if not re.search(r"astreinte|24 h/24", s["description"])] == []


def test_late_openings_and_evenings(services):
    def latest(s):
        return max((t for v in s.get("horaires", {}).values() for t in re.findall(r"-(\d+):", v)), key=int)
    assert any(int(latest(s)) >= 19 for s in services if s["type"] == "CMP")
    assert any(int(latest(s)) >= 19 for s in services if s["type"] == "PMI")
    assert all(int(latest(s)) >= 19 for s in services if s["type"] == "CSAPA")
    assert any("samedi" in s.get("horaires", {}) for s in services if s["type"] == "CCAS")


# --- departments: presence and coverage --------------------------------------------------------

@pytest.mark.parametrize("dep,service_type,minimum", [
    (dep, t, n) for dep in DEPARTEMENTS for t, n in REQUIRED_PER_DEPARTEMENT.items()])
def test_required_types_per_departement(files, dep, service_type, minimum):
    count = sum(1 for s in files[dep]["services"] if s["type"] == service_type)
    assert count >= minimum, f"{dep}: {count} {service_type}"


@pytest.mark.parametrize("dep", DEPARTEMENTS)
def test_clic_or_absorbed_by_dac(files, dep):
    text = (DIRECTORY / FILES[dep]).read_text(encoding="utf-8")
    clics = [s for s in files[dep]["services"] if s["type"] == "CLIC"]
    dac = [s for s in files[dep]["services"] if s["type"] == "DAC"]
    if dep in CLIC_ABSORBED_BY_DAC:
        assert not clics
        assert any("CLIC" in s["description"] and s["audience"] == "les_deux" for s in dac)
        assert re.search(r"#.*CLIC", text), "a YAML comment must explain where the CLIC went"
    else:
        assert clics


@pytest.mark.parametrize("dep,service_type", [(dep, t) for dep in DEPARTEMENTS for t in COVERING_TYPES])
def test_every_commune_is_covered(services, geo, dep, service_type):
    communes, _ = geo
    expected = {c for c, (d, _) in communes.items() if d == dep}
    covered = set()
    for s in services:
        if s["type"] == service_type:
            covered |= _served(s["zone"], geo)
    missing = sorted(expected - covered)
    assert not missing, f"{len(missing)} communes of {dep} without {service_type}, e.g. {missing[:5]}"


@pytest.mark.parametrize("dep", DEPARTEMENTS)
def test_local_services_stay_in_their_departement(files, geo, dep):
    communes, _ = geo
    for s in files[dep]["services"]:
        served = _served(s["zone"], geo)
        assert served, s["id"]
        assert {communes[c][0] for c in served} == {dep}, s["id"]
        assert communes[s["commune"]][0] == dep, s["id"]


@pytest.mark.parametrize("dep,service_type", [
    (dep, t) for dep in DEPARTEMENTS for t in ("SSIAD", "CMP", "MDS")])
def test_sectors_partition_the_departement(files, geo, dep, service_type):
    """Sector-based services: several services, and no commune served twice."""
    sectors = [_served(s["zone"], geo) for s in files[dep]["services"] if s["type"] == service_type]
    assert len(sectors) >= 2
    assert sum(map(len, sectors)) == len(set().union(*sectors))


@pytest.mark.parametrize("dep,code,town", PASS_HOSPITALS)
def test_pass_in_hospitals(files, geo, dep, code, town):
    pass_here = [s for s in files[dep]["services"] if s["type"] == "PASS" and s["commune"] == code]
    assert pass_here, f"no PASS at {town}"
    assert code in _served(pass_here[0]["zone"], geo)


@pytest.mark.parametrize("service_type,public,age_min,age_max", AGE_RULES)
def test_ages_of_publics(services, service_type, public, age_min, age_max):
    of_type = [s for s in services if s["type"] == service_type]
    assert of_type
    for s in of_type:
        entry = [p for p in s["publics"] if p["public"] == public]
        assert entry, s["id"]
        assert (entry[0].get("age_min"), entry[0].get("age_max")) == (age_min, age_max), s["id"]


@pytest.mark.parametrize("service_type,audiences", [
    ("DAC", {"professionnels", "les_deux"}),  # les_deux where the DAC absorbed the CLIC
    ("EMG", {"professionnels"}), ("EMSP", {"professionnels"}), ("CRIP", {"professionnels"}),
    ("PASS", {"public"}), ("CCAS", {"public"}), ("MDPH", {"public"})])
def test_audience_by_type(services, service_type, audiences):
    found = {s["audience"] for s in services if s["type"] == service_type}
    assert found and found <= audiences


@pytest.mark.parametrize("service_type,missions", [
    ("DAC", {"information_orientation", "appui_parcours", "appui_pratiques"}),
    ("CLIC", {"information_orientation", "appui_parcours"}),
    ("SSIAD", {"prise_en_charge"}), ("HAD", {"prise_en_charge"}), ("CMP", {"prise_en_charge"})])
def test_missions_by_type(services, service_type, missions):
    assert all(missions <= set(s["missions"]) for s in services if s["type"] == service_type)


# --- region ------------------------------------------------------------------------------------

def test_regional_file(files):
    regional = files["24"]["services"]
    assert all(s["zone"] == {"region": True} for s in regional)
    types = Counter(s["type"] for s in regional)
    assert types["CRA"] >= 1 and types["CMRR"] >= 1 and types["RESEAU"] >= 5
    assert set(types) <= set(REGIONAL_TYPES) | {"DAC"}


# --- loader (knowledge/directory/) -----------------------------------------------------------

@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    try:
        from knowledge.directory import Directory
        from knowledge.gazetteer import Gazetteer
    except ImportError as exc:  # the loader's own dependencies may land later
        pytest.skip(f"knowledge.directory cannot be imported yet: {exc}")
    directory = Directory(f"sqlite:///{tmp_path_factory.mktemp('directory')}/directory.db")
    directory.create_schema()
    report = directory.load(DIRECTORY)
    return directory, report, Gazetteer.default()


def test_loader_accepts_the_sample(loaded, services):
    directory, report, _ = loaded
    assert report.services == len(services)
    assert sorted(report.files) == sorted(FILES.values())
    assert {s.id for s in directory.all()} == {s["id"] for s in services}
    assert all(s.exemple for s in directory.all())


@pytest.mark.parametrize("commune,service_type,expected_id", [
    ("18197", "DAC", "dac-18"),                  # Saint-Amand-Montrond
    ("18197", "CMP", "cmp-18-saint-amand"),
    ("18049", "SSIAD", "ssiad-18-est"),          # La Chapelle-Montlinard (EPCI in the Nièvre)
    ("18055", "PASS", "pass-18-bourges"),        # Chârost (CC du Pays d'Issoudun)
    ("28263", "CMP", "cmp-28-dreux"),            # Montigny-sur-Avre
    ("36088", "CSAPA", "csapa-36-issoudun"),
    ("37261", "MDS", "mds-37-tours"),
    ("37122", "CMP", "cmp-37-joue"),             # Joué-lès-Tours, commune-level sector
    ("41173", "SSIAD", "ssiad-41-mer"),          # Beauce la Romaine (EPCI mostly in the Loiret)
    ("45028", "PMI", "pmi-45-ouest"),            # Beaugency
    ("45208", "EMG", "emg-45-montargis"),
    ("45252", "PASS", "pass-45-pithiviers"),
])
def test_loader_serving(loaded, commune, service_type, expected_id):
    directory, _, gazetteer = loaded
    found = [s.id for s in directory.serving(gazetteer.commune(commune), [service_type])]
    assert expected_id in found
    if service_type in ("SSIAD", "CMP", "MDS"):  # sectors: exactly one
        assert found == [expected_id]
