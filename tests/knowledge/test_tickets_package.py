"""The tickets and hours packages: one concept per module, no import circle, no local import;
DAC routing by the orienter; one place for status labels, French date words and back-off."""
from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from knowledge.hours import TZ, add_working_days, date_heure_text, jour_ferie, working_day
from knowledge.orientation import Orienter
from knowledge.tickets import STATUTS, compose, retry_delay, route_dac
from tests.knowledge.test_tickets import directory  # noqa: F401 - fixture reuse

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("knowledge/tickets", "knowledge/hours")


def _modules() -> list[str]:
    names = []
    for folder in PACKAGES:
        for path in sorted((ROOT / folder).glob("*.py")):
            if path.name != "__init__.py":
                names.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return names + ["knowledge.db"]


def _path(module: str) -> Path:
    return ROOT / Path(*module.split(".")).with_suffix(".py")


@pytest.mark.parametrize("module", _modules())
def test_each_module_imports_alone_in_a_fresh_interpreter(module):
    proc = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def _imports(module: str) -> tuple[set[str], list[int]]:
    """Modules of the two packages that `module` imports at top level, and the lines of any
    import written inside a function or class."""
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    top, local = set(), []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if node not in tree.body:
                local.append(node.lineno)
            top.update(n for n in names if n.startswith(("knowledge.tickets.", "knowledge.hours.")))
    return top, local


def test_no_import_circle_and_no_function_local_import():
    graph = {m: _imports(m)[0] for m in _modules()}
    for m in graph:
        assert _imports(m)[1] == [], f"{m}: imports inside a function at lines {_imports(m)[1]}"
    # depth-first search for a cycle
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph.get(m, ())):
            assert state.get(n) != 1, f"import circle: {' -> '.join(trail + [m, n])}"
            if n not in state:
                visit(n, trail + [m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])
    # the mailer sends what the outbox holds; it never imports the store (worker does)
    assert graph["knowledge.tickets.mailer"] == set()
    assert "knowledge.tickets.store" not in graph["knowledge.tickets.outbox"]


def test_no_module_of_the_packages_is_over_500_lines():
    for folder in PACKAGES:
        for path in (ROOT / folder).glob("*.py"):
            assert len(path.read_text(encoding="utf-8").splitlines()) <= 500, path


# --- DAC routing by the orienter -----------------------------------------------------------------

class RecordingOrienter(Orienter):
    """A real orienter that remembers what it was asked."""

    def __init__(self, directory):
        super().__init__(directory=directory, centres={})
        self.asked = []

    def nearest(self, type_, *, commune=None, departement=None):
        self.asked.append((type_, commune, departement))
        return super().nearest(type_, commune=commune, departement=departement)


def test_route_dac_asks_the_injected_orienter(directory):
    orienter = RecordingOrienter(directory)
    service = route_dac("37261", orienter)
    assert orienter.asked == [("DAC", "37261", None)]
    assert service.id == "dac-37" and service == orienter.nearest("DAC", commune="37261")


def test_route_dac_from_a_directory_agrees_with_the_orienter_everywhere(directory):
    """Every commune of the region: the directory form wraps an orienter, same answer."""
    orienter = Orienter(directory=directory)
    communes = [c.code_insee for dep in ("18", "28", "36", "37", "41", "45")
                for c in orienter.gazetteer.communes_of_departement(dep)]
    assert len(communes) > 1500
    routed = {code: route_dac(code, directory) for code in communes}
    assert all(s is not None and s.type == "DAC" for s in routed.values())
    assert all(routed[code].id == f"dac-{code[:2]}" for code in communes)
    assert all(routed[code] == route_dac(code, orienter) for code in communes[::50])


# --- one place for labels, French dates, working days, back-off ------------------------------------

def test_the_e_mail_uses_the_status_labels_of_the_tickets_package():
    for statut, libelle in STATUTS.items():
        sujet, corps = compose("AIG-2026-000001", statut)
        assert sujet == f"Demande AIG-2026-000001 : {libelle}"
        assert f"est maintenant « {libelle} »" in corps


@pytest.mark.parametrize("at,text", [
    (datetime(2026, 12, 1, 18, 0, tzinfo=TZ), "mardi 1er décembre 2026 à 18h"),
    (datetime(2027, 8, 16, 9, 5, tzinfo=TZ), "lundi 16 août 2027 à 9h05"),
])
def test_full_date_in_french(at, text):
    assert date_heure_text(at) == text
    assert f"au plus tard le {text}." in compose("AIG-2026-000001", "recue", echeance=at)[1]


def test_full_date_reads_utc_in_paris_time_and_refuses_naive():
    assert date_heure_text(datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc)) == "mercredi 1er juillet 2026 à 0h30"
    with pytest.raises(ValueError):
        date_heure_text(datetime(2026, 6, 30, 22, 30))


def test_working_days():
    assert working_day(date(2026, 11, 23))            # Monday
    assert not working_day(date(2026, 11, 28))        # Saturday
    assert not working_day(date(2026, 11, 11))        # Wednesday, 11 Novembre
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)   # Noël on Friday
    assert add_working_days(date(2026, 11, 10), 2) == date(2026, 11, 13)   # 11 Nov skipped
    assert add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    day = date(2026, 1, 1)
    for _ in range(365):
        assert working_day(day) == (day.weekday() < 5 and jour_ferie(day) is None)
        day += timedelta(days=1)


def test_retry_back_off():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 30)] == [60, 120, 240, 3600, 3600, 3600]
    assert [retry_delay(n, transient=True).total_seconds() for n in (1, 2, 3, 20)] == [15, 30, 30, 30]
