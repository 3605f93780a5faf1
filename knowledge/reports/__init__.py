"""Reports for the DAC and the ARS: requests and unmet needs by territory, need and resource
type, requests outside opening hours, support requests and time to first contact, directory
freshness. Every request count from 1 to 4 is shown as "< 5" (see `suppress`, docs/reports.md).

`build(name, start, end, ...)` returns a `Table` ready to show (suppression already applied);
`Table.csv()` and `Table.as_json()` are the exports. Plain Python + SQLAlchemy.
"""
from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from knowledge.activity import Entry, Journal
from knowledge.directory import Directory, DirectoryError
from knowledge.gazetteer import DEPARTEMENTS, Gazetteer
from knowledge.hours import TZ
from knowledge.hours import current_time
from knowledge.tickets import DELAIS_JOURS_OUVRES
from knowledge.tickets.tables import DemandeRow as _Demande, EvenementRow as _Evenement
from knowledge.vocabulary import Vocabulary

SEUIL = 5
SUPPRIME = "< 5"
MASQUE = "masqué"          # complementary suppression: a value of 5 or more hidden to protect a "< 5"
HIDDEN = (SUPPRIME, MASQUE)
NON_PRECISE = "non précisé"


class ReportUnavailable(RuntimeError):
    """The data a report needs is missing (directory not loaded); French message."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"        # "text" | "count" (requests, suppressed) | "rate" | "number" | "date"
    of: tuple[str, ...] = ()   # for a rate: the counts it is computed from (suppressed with them)


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict]
    total: dict | None = None
    note: str = ""
    start: date | None = None
    end: date | None = None

    def display(self, row: dict, key: str) -> str:
        """The value as shown in French ("< 5", "12,5 %", "3", "–")."""
        col = next(c for c in self.columns if c.key == key)
        v = row.get(key)
        if v is None:
            return "–"
        if v in HIDDEN:
            return v
        if col.kind == "rate":
            return f"{v:.1f} %".replace(".", ",")
        if col.kind == "number" and isinstance(v, float):
            return f"{v:.1f}".replace(".", ",")
        return str(v)

    def csv(self) -> str:
        """CSV (comma, UTF-8), header row of French labels; suppressed cells read "< 5"."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow([c.label for c in self.columns])
        for row in self.all_rows():
            w.writerow([_csv_value(row.get(c.key)) for c in self.columns])
        return out.getvalue()

    def as_json(self) -> dict:
        return {
            "rapport": self.name, "titre": self.title,
            "du": self.start.isoformat() if self.start else None,
            "au": self.end.isoformat() if self.end else None,
            "colonnes": [{"cle": c.key, "libelle": c.label, "nature": c.kind} for c in self.columns],
            "lignes": [{c.key: row.get(c.key) for c in self.columns} for row in self.rows],
            "total": {c.key: self.total.get(c.key) for c in self.columns} if self.total else None,
            "note": self.note, "seuil": SEUIL,
        }

    def all_rows(self) -> list[dict]:
        return self.rows + ([self.total] if self.total else [])

    def value(self, key_col: str, key: str, col: str):
        for row in self.rows:
            if row.get(key_col) == key:
                return row.get(col)
        return None


def _csv_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


# -- small-cell suppression ------------------------------------------------------------------


def suppress(table: Table) -> Table:
    """Counts of 1 to 4 requests become "< 5"; a rate built on a suppressed count too.

    When a total is shown and a single cell of a column is suppressed, the next smallest cell of
    that column is hidden as well ("masqué"), so the "< 5" cannot be read back from the total.
    Zero is shown: it describes no situation.
    """
    counts = [c for c in table.columns if c.kind == "count"]
    for c in counts:
        for row in table.all_rows():
            v = row.get(c.key)
            if isinstance(v, int) and 0 < v < SEUIL:
                row[c.key] = SUPPRIME
        if table.total is not None:
            hidden = [r for r in table.rows if r.get(c.key) == SUPPRIME]
            if len(hidden) == 1:
                others = [r for r in table.rows if isinstance(r.get(c.key), int) and r[c.key] > 0]
                if others:
                    min(others, key=lambda r: r[c.key])[c.key] = MASQUE
    for c in table.columns:
        if c.kind == "rate":
            for row in table.all_rows():
                hidden_by = [row.get(k) for k in c.of if row.get(k) in HIDDEN]
                if hidden_by:
                    row[c.key] = SUPPRIME if SUPPRIME in hidden_by else MASQUE
    return table


def _rate(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 1) if den else None


# -- period ----------------------------------------------------------------------------------


def parse_period(du: str | None, au: str | None, today: date | None = None) -> tuple[date, date]:
    """Dates AAAA-MM-JJ (inclusive); default the last 30 days. French ValueError on bad input."""
    today = today or datetime.now(TZ).date()
    try:
        end = date.fromisoformat(au) if au else today
        start = date.fromisoformat(du) if du else end - timedelta(days=29)
    except ValueError:
        raise ValueError("Date invalide : utilisez le format AAAA-MM-JJ (par exemple 2026-11-01).") from None
    if start > end:
        raise ValueError("La date de début doit précéder la date de fin.")
    if (end - start).days > 3 * 366:
        raise ValueError("Période trop longue : trois ans au plus.")
    return start, end


# -- the reports -----------------------------------------------------------------------------


class Reports:
    """Builds the tables from the orientation log, the support requests and the directory."""

    def __init__(self, url: str | None = None, *, directory=None, journal: Journal | None = None,
                 gazetteer=None, vocabulary=None, clock=None):
        self.directory = directory or Directory(url)
        self.journal = journal or Journal(self.directory.url, engine=self.directory.engine)
        self.gazetteer = gazetteer or Gazetteer.default()
        self.vocabulary = vocabulary or Vocabulary.default()
        if clock is None:
            clock = current_time       # AIGUILLAGE_NOW in demos and tests, else Paris now
        self.clock = clock

    NAMES = {
        "besoins": "Demandes et besoins non couverts par territoire",
        "besoins-par-besoin": "Demandes et besoins non couverts par besoin",
        "types": "Besoins par type de ressource",
        "horaires": "Demandes hors des horaires d'ouverture, par type",
        "appui": "Demandes d'appui par DAC : délai de premier contact",
        "fraicheur": "Fraîcheur de l'annuaire par département",
    }

    def build(self, name: str, start: date, end: date, par: str = "departement") -> Table:
        if name not in self.NAMES:
            raise ValueError(f"Rapport inconnu : « {name[:30]} ». Rapports : {', '.join(self.NAMES)}.")
        if par not in ("departement", "epci"):
            raise ValueError("Regroupement inconnu : « departement » ou « epci ».")
        if name == "besoins":
            table = self._territories(self.journal.entries(start, end), par)
        elif name == "besoins-par-besoin":
            table = self._by_need(self.journal.entries(start, end))
        elif name == "types":
            table = self._by_type(self.journal.entries(start, end))
        elif name == "horaires":
            table = self._hours(self.journal.entries(start, end))
        elif name == "appui":
            table = self._support(start, end)
        else:
            try:
                table = self._freshness()
            except DirectoryError as exc:
                raise ReportUnavailable(str(exc)) from None
        table.start, table.end = start, end
        return suppress(table)

    # -- labels --

    def _dep_label(self, code: str | None) -> str:
        if not code:
            return NON_PRECISE
        try:
            return f"{self.gazetteer.departement(code).nom} ({code})"
        except (KeyError, LookupError):
            return code

    def _epci_label(self, siren: str | None) -> str:
        if not siren:
            return NON_PRECISE
        return self.gazetteer.epci_name(siren) or siren

    def _label(self, kind: str, code: str) -> str:
        try:
            return self.vocabulary.label(kind, code)
        except (KeyError, LookupError):
            return code

    # -- figures --

    def _territories(self, entries: list[Entry], par: str) -> Table:
        groups: dict[str, list[Entry]] = defaultdict(list)
        for e in entries:
            groups[(e.departement if par == "departement" else e.epci) or ""].append(e)
        if par == "departement":
            for d in DEPARTEMENTS:
                groups.setdefault(d.code if hasattr(d, "code") else d, [])
        rows = []
        for code, es in groups.items():
            row = _need_counts(es)
            row.update(code=code or "", territoire=self._dep_label(code) if par == "departement"
                       else self._epci_label(code))
            if par == "epci":
                dep = next((e.departement for e in es if e.departement), None)
                row["departement"] = self._dep_label(dep) if dep else NON_PRECISE
            rows.append(row)
        rows.sort(key=lambda r: (r["code"] == "", r.get("departement", ""), r["territoire"]))
        total = _need_counts(entries)
        total.update(code="", territoire="Total région", departement="")
        cols = [Column("code", "Code", "text"), Column("territoire", "Département" if par == "departement" else "EPCI", "text")]
        if par == "epci":
            cols.append(Column("departement", "Département", "text"))
        cols += _NEED_COLUMNS
        return Table("besoins", self.NAMES["besoins"] + (" (EPCI)" if par == "epci" else ""), cols, rows, total,
                     note="Besoin non couvert : aucun service local (commune, EPCI ou département) du type "
                          "recherché en premier ne couvre la commune.")

    def _by_need(self, entries: list[Entry]) -> Table:
        groups: dict[str, list[Entry]] = defaultdict(list)
        for e in entries:
            for b in e.besoins or ("",):
                groups[b].append(e)
        rows = []
        for code, es in groups.items():
            row = _need_counts(es)
            row.update(code=code, besoin=self._label("besoin", code) if code else "aucun besoin repéré")
            rows.append(row)
        rows.sort(key=lambda r: (-(r["demandes"] if isinstance(r["demandes"], int) else 0), r["besoin"]))
        return Table("besoins-par-besoin", self.NAMES["besoins-par-besoin"],
                     [Column("code", "Code", "text"), Column("besoin", "Besoin", "text")] + _NEED_COLUMNS, rows,
                     note="Une demande peut exprimer plusieurs besoins : les lignes ne s'additionnent pas.")

    def _by_type(self, entries: list[Entry]) -> Table:
        rows = []
        for t, (n, nc, closed) in sorted(_type_counts(entries).items()):
            rows.append({"code": t, "type": self._label("type", t), "demandes": n, "non_couvertes": nc,
                         "taux_non_couvert": _rate(nc, n), "hors_horaires": closed,
                         "recommande": sum(1 for e in entries if t in e.types_recommandes)})
        rows.sort(key=lambda r: (-r["demandes"], r["code"]))
        return Table("types", self.NAMES["types"], [
            Column("code", "Type", "text"), Column("type", "Libellé", "text"),
            Column("demandes", "Demandes qui le recherchent"), Column("non_couvertes", "Sans service local"),
            Column("taux_non_couvert", "Part sans service local", "rate", ("non_couvertes", "demandes")),
            Column("hors_horaires", "Service local fermé à l'heure de la demande"),
            Column("recommande", "Recommandé dans la réponse")], rows,
            note="Une demande peut rechercher plusieurs types : les lignes ne s'additionnent pas.")

    def _hours(self, entries: list[Entry]) -> Table:
        rows = []
        for t, (n, nc, closed) in sorted(_type_counts(entries).items()):
            covered = n - nc
            if covered == 0:
                continue
            rows.append({"code": t, "type": self._label("type", t), "couvertes": covered, "hors_horaires": closed,
                         "taux_hors_horaires": _rate(closed, covered)})
        rows.sort(key=lambda r: (-r["hors_horaires"], r["code"]))
        first = [e for e in entries if e.couvert]
        total = {"code": "", "type": "Toutes demandes (premier type recherché)", "couvertes": len(first),
                 "hors_horaires": sum(1 for e in first if e.ouvert is False),
                 "taux_hors_horaires": _rate(sum(1 for e in first if e.ouvert is False), len(first))}
        return Table("horaires", self.NAMES["horaires"], [
            Column("code", "Type", "text"), Column("type", "Libellé", "text"),
            Column("couvertes", "Demandes avec un service local"),
            Column("hors_horaires", "Service fermé à l'heure de la demande"),
            Column("taux_hors_horaires", "Part hors horaires", "rate", ("hors_horaires", "couvertes"))],
            rows, total, note="Fermé : aucun service local du type n'était ouvert à l'heure (arrondie) de la demande.")

    def _support(self, start: date, end: date) -> Table:
        lo = datetime.combine(start, time(0), TZ).astimezone(timezone.utc).replace(tzinfo=None)
        hi = datetime.combine(end + timedelta(days=1), time(0), TZ).astimezone(timezone.utc).replace(tzinfo=None)
        now = self.clock().astimezone(timezone.utc).replace(tzinfo=None)
        tickets, first = [], {}
        if inspect(self.directory.engine).has_table("demande"):   # no request table yet: no rows
            with Session(self.directory.engine, future=True) as s:
                tickets = s.execute(select(_Demande.id, _Demande.dac_id, _Demande.dac_nom, _Demande.niveau,
                                           _Demande.cree_le, _Demande.echeance)
                                    .where(_Demande.cree_le >= lo, _Demande.cree_le < hi)).all()
                ids = [t.id for t in tickets]
                for i in range(0, len(ids), 500):
                    for ev in s.execute(select(_Evenement.demande_id, _Evenement.quand)
                                        .where(_Evenement.demande_id.in_(ids[i:i + 500]),
                                               _Evenement.quoi == "statut")):
                        if ev.demande_id not in first or ev.quand < first[ev.demande_id]:
                            first[ev.demande_id] = ev.quand
        groups: dict[tuple, list] = defaultdict(list)
        for t in tickets:
            groups[(t.dac_nom or t.dac_id or NON_PRECISE, t.niveau)].append(t)
        rows = []
        for (dac, niveau), ts in groups.items():
            delays = [(first[t.id] - t.cree_le).total_seconds() / 3600 for t in ts if t.id in first]
            on_time = sum(1 for t in ts if t.id in first and first[t.id] <= t.echeance)
            late = sum(1 for t in ts if (t.id in first and first[t.id] > t.echeance)
                       or (t.id not in first and now > t.echeance))
            rows.append({"dac": dac, "niveau": niveau if niveau is not None else "–",
                         "cible": f"{DELAIS_JOURS_OUVRES.get(niveau, 5)} j ouvré(s)",
                         "demandes": len(ts), "contactees": len(delays),
                         "delai_median_h": round(statistics.median(delays), 1) if delays else None,
                         "dans_le_delai": on_time, "hors_delai": late,
                         "taux_dans_le_delai": _rate(on_time, len(delays))})
        rows.sort(key=lambda r: (r["dac"], str(r["niveau"])))
        for r in rows:
            if r["contactees"] != SUPPRIME and isinstance(r["contactees"], int) and r["contactees"] < SEUIL:
                r["delai_median_h"] = None if not r["contactees"] else SUPPRIME
        total_delays = [(first[t.id] - t.cree_le).total_seconds() / 3600 for t in tickets if t.id in first]
        on_time = sum(1 for t in tickets if t.id in first and first[t.id] <= t.echeance)
        total = {"dac": "Total région", "niveau": "", "cible": "", "demandes": len(tickets),
                 "contactees": len(total_delays),
                 "delai_median_h": round(statistics.median(total_delays), 1) if len(total_delays) >= SEUIL
                 else (SUPPRIME if total_delays else None),
                 "dans_le_delai": on_time,
                 "hors_delai": sum(1 for t in tickets if (t.id in first and first[t.id] > t.echeance)
                                   or (t.id not in first and now > t.echeance)),
                 "taux_dans_le_delai": _rate(on_time, len(total_delays))}
        return Table("appui", self.NAMES["appui"], [
            Column("dac", "DAC", "text"), Column("niveau", "Niveau", "text"), Column("cible", "Délai cible", "text"),
            Column("demandes", "Demandes d'appui"), Column("contactees", "Premier contact fait"),
            Column("delai_median_h", "Délai médian (heures)", "number"),
            Column("dans_le_delai", "Dans le délai cible"), Column("hors_delai", "Hors délai (ou en retard)"),
            Column("taux_dans_le_delai", "Part dans le délai", "rate", ("dans_le_delai", "contactees"))],
            rows, total, note="Premier contact : première prise en charge (changement de statut) de la demande. "
                              "Délai cible : échéance de la demande (jours ouvrés selon le niveau).")

    def _freshness(self) -> Table:
        today = self.clock().date()
        self.directory.refresh()   # a load by another process since this one started
        by_dep: dict[str, list] = defaultdict(list)
        for svc in self.directory.all():
            for d in svc.departements(self.gazetteer) or [""]:
                by_dep[d].append(svc)
        rows = []
        for dep, services in sorted(by_dep.items()):
            ages = [(today - s.verifie_le).days for s in services]
            rows.append({"code": dep, "territoire": self._dep_label(dep), "services": len(services),
                         "moins_6_mois": sum(1 for a in ages if a <= 183),
                         "de_6_a_12_mois": sum(1 for a in ages if 183 < a <= 366),
                         "plus_12_mois": sum(1 for a in ages if a > 366),
                         "age_median_j": int(statistics.median(ages)) if ages else None,
                         "plus_ancienne": min(s.verifie_le for s in services).isoformat()})
        return Table("fraicheur", self.NAMES["fraicheur"], [
            Column("code", "Code", "text"), Column("territoire", "Département", "text"),
            Column("services", "Services", "number"), Column("moins_6_mois", "Vérifiés il y a moins de 6 mois", "number"),
            Column("de_6_a_12_mois", "6 à 12 mois", "number"), Column("plus_12_mois", "Plus de 12 mois", "number"),
            Column("age_median_j", "Ancienneté médiane (jours)", "number"),
            Column("plus_ancienne", "Vérification la plus ancienne", "date")], rows,
            note="Compte des fiches de l'annuaire (pas des demandes) : pas de masquage. "
                 "Un service régional compte dans chaque département.")


_NEED_COLUMNS = [
    Column("demandes", "Demandes"), Column("non_couvertes", "Besoins non couverts"),
    Column("taux_non_couvert", "Part non couverte", "rate", ("non_couvertes", "demandes")),
    Column("hors_horaires", "Service fermé à l'heure de la demande"),
    Column("urgences", "Avec un numéro d'urgence"), Column("appui", "Suivies d'une demande d'appui"),
]


def _need_counts(entries: Iterable[Entry]) -> dict:
    es = list(entries)
    nc = sum(1 for e in es if e.couvert is False)
    return {"demandes": len(es), "non_couvertes": nc, "taux_non_couvert": _rate(nc, len(es)),
            "hors_horaires": sum(1 for e in es if e.couvert and e.ouvert is False),
            "urgences": sum(1 for e in es if e.urgence), "appui": sum(1 for e in es if e.appui)}


def _type_counts(entries: Iterable[Entry]) -> dict[str, tuple[int, int, int]]:
    """type → (requests needing it, without a local service, local service closed at that hour)."""
    n, nc, closed = Counter(), Counter(), Counter()
    for e in entries:
        for t in e.types_demandes:
            n[t.type] += 1
            if not t.couvert:
                nc[t.type] += 1
            elif not t.ouvert:
                closed[t.type] += 1
    return {t: (n[t], nc[t], closed[t]) for t in n}
