"""The directory stored in SQL: loading, in-memory snapshot and the queries of the orientation."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from rapidfuzz import fuzz, process
from sqlalchemy import inspect, or_, select, text

from knowledge import db, settings
from knowledge.directory import ror, ror_sync
from knowledge.directory.errors import DirectoryError
from knowledge.directory.model import Contact, LoadReport, PublicPrisEnCharge, Service, Zone, departements
from knowledge.directory.tables import (CHILD_TABLES, IMPORT, ORIGIN_ROR, ORIGIN_YAML, PUBLIC_LEVELS, REGION_CODE, SERVICE,
                                        SLOT_OPENING, Base)
from knowledge.directory.ror_mapping import RorReport
from knowledge.directory.yaml_loader import parse_folder
from knowledge.gazetteer import Commune, Gazetteer
from knowledge.hours import Closure, Schedule, Slot, now_paris
from knowledge.text import fold_place
from knowledge.vocabulary import Vocabulary


TYPE_MISMATCH_FACTOR = 0.8
_STOPWORDS = frozenset("le la les l de du des d a au aux en et un une pour sur".split())


def _search_key(text: str) -> str:
    return " ".join(w for w in fold_place(text).split() if w not in _STOPWORDS)


@dataclass(frozen=True)
class _Snapshot:
    """The directory as read from the database, indexed for the queries."""

    services: dict[str, Service]  # by id, sorted by id
    by_zone: dict[tuple[str, str], tuple[str, ...]]  # (kind, code) -> service ids
    by_departement: dict[str, tuple[str, ...]]  # department code -> service ids
    search_keys: tuple[str, ...]  # folded names, "TYPE place" strings
    search_owner: tuple[str, ...]  # service id of each search key
    folded_names: dict[str, str]
    type_codes: dict[str, str]  # folded acronym -> type code ("cmp" -> "CMP")
    commune_positions: dict[str, tuple[float, float]]  # mean ROR location position by commune


class Directory:
    """The resource directory stored in a SQL database (``knowledge.settings.database_url()``)."""

    def __init__(self, url: str | None = None, *, gazetteer: Gazetteer | None = None,
                 vocabulary: Vocabulary | None = None):
        self.url = url or settings.database_url()
        self.engine = db.engine(self.url)
        self._gazetteer = gazetteer
        self._vocabulary = vocabulary
        self._snapshot: _Snapshot | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.default()
        return self._gazetteer

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.default()
        return self._vocabulary

    def close(self) -> None:
        """Releases the database connections."""
        self.engine.dispose()

    def create_schema(self) -> None:
        """Creates the missing tables and indexes (existing ones are kept) and adds the
        nullable columns a database created by an older version lacks."""
        Base.metadata.create_all(self.engine)
        inspector = inspect(self.engine)
        with self.engine.begin() as conn:
            for table in [SERVICE, *CHILD_TABLES.values()]:
                present = {c["name"] for c in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in present and column.nullable:
                        kind = column.type.compile(dialect=self.engine.dialect)
                        conn.execute(text(
                            f'ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}'))

    def drop_schema(self) -> None:
        """Drops the directory tables (tests, reinstall)."""
        Base.metadata.drop_all(self.engine)
        self._snapshot = None

    # -- loading -------------------------------------------------------------------------

    def load(self, folder: Path | None = None) -> LoadReport:
        """Replaces the directory with the YAML files of ``folder`` in one transaction.

        Everything is validated first (DirectoryDataError lists every problem and nothing is
        written); loading the same files twice gives the same rows. Entries imported from the
        ROR (``import_ror``) are kept.
        """
        parsed = parse_folder(
            Path(folder) if folder else settings.directory_data_dir(), self.gazetteer, self.vocabulary
        )
        self.create_schema()
        children = list(CHILD_TABLES.items())
        yaml_ids = select(SERVICE.c.id).where(
            or_(SERVICE.c.origine.is_(None), SERVICE.c.origine != ORIGIN_ROR))
        with self.engine.begin() as conn:  # the YAML entries only: imported ROR ones stay
            for _, table in children:
                conn.execute(table.delete().where(table.c.service_id.in_(yaml_ids)))
            conn.execute(SERVICE.delete().where(SERVICE.c.id.in_(yaml_ids)))
            if parsed.rows["services"]:
                conn.execute(SERVICE.insert(), parsed.rows["services"])
            for key, table in children:
                if parsed.rows[key]:
                    conn.execute(table.insert(), parsed.rows[key])
        self.refresh()
        return parsed.report

    def import_ror(self, path: Path, *, dry_run: bool = False, at: datetime | None = None
                   ) -> RorReport:
        """Imports a ROR extraction (FHIR Bundle or NDJSON, see ``ror``) in one transaction.

        Everything is read and checked first (DirectoryDataError names the resource and the
        element); ``dry_run`` reports what would change without writing. YAML entries stay.
        """
        parsed = ror.parse(Path(path), gazetteer=self.gazetteer, vocabulary=self.vocabulary)
        if not dry_run:
            self.create_schema()
        elif not inspect(self.engine).has_table(SERVICE.name):
            parsed.report.dry_run = True
            parsed.report.created = sorted(parsed.rows)
            return parsed.report
        report = ror_sync.sync(self.engine, parsed, at=at or now_paris(), dry_run=dry_run)
        if not dry_run:
            self.refresh()
        return report

    # -- freshness (operators' console) -------------------------------------------------

    def stale(self, today: date, months: int = 12) -> list[Service]:
        """Served entries whose ``verifie_le`` is more than ``months`` months before ``today``."""
        limit = _months_before(today, months)
        return sorted((s for s in self.all() if s.verifie_le < limit),
                      key=lambda s: (s.verifie_le, s.id))

    def withdrawn_by_last_import(self) -> list[dict]:
        """Entries the last ROR import withdrew: id, type, nom, retire_le."""
        if not inspect(self.engine).has_table(IMPORT.name):
            return []
        with self.engine.connect() as conn:
            last = ror_sync.last_import_id(conn)
            if last is None:
                return []
            rows = conn.execute(
                select(SERVICE.c.id, SERVICE.c.type, SERVICE.c.nom, SERVICE.c.retire_le)
                .where(SERVICE.c.retire_par == last).order_by(SERVICE.c.id)).mappings().all()
        return [dict(r) for r in rows]

    # -- cache ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-reads the database (after a load by another process)."""
        self._snapshot = self._read()

    def _data(self) -> _Snapshot:
        if self._snapshot is None:
            self.refresh()
        return self._snapshot

    def _read(self) -> _Snapshot:
        inspector = inspect(self.engine)
        if not inspector.has_table(SERVICE.name):
            raise DirectoryError(
                "L'annuaire n'est pas chargé dans cette base : lancez "
                "« python -m knowledge.directory load »."
            )
        present = {c["name"] for c in inspector.get_columns(SERVICE.name)}
        if any(c.name not in present for c in SERVICE.columns):
            self.create_schema()  # a database of an older version: add the new nullable columns
        with self.engine.connect() as conn:
            rows = conn.execute(select(SERVICE).where(SERVICE.c.retire_le.is_(None))
                                .order_by(SERVICE.c.id)).mappings().all()
            children: dict[str, dict[str, list]] = {}
            for key, table in CHILD_TABLES.items():
                grouped: dict[str, list] = defaultdict(list)
                query = select(table).order_by(table.c.service_id, table.c.rang)
                for child in conn.execute(query).mappings():
                    grouped[child["service_id"]].append(child)
                children[key] = grouped
        today = now_paris().date()
        services = {row["id"]: _to_service(row, {k: v[row["id"]] for k, v in children.items()},
                                           today)
                    for row in rows}
        return self._index(services)

    def _index(self, services: dict[str, Service]) -> _Snapshot:
        by_zone: dict[tuple[str, str], list[str]] = defaultdict(list)
        by_dep: dict[str, list[str]] = defaultdict(list)
        keys: list[str] = []
        owners: list[str] = []
        gaz = self.gazetteer
        for service in services.values():
            for zone in service.zones:
                by_zone[(zone.kind, zone.code)].append(service.id)
            deps = departements(service, gaz)
            for dep in deps:
                by_dep[dep].append(service.id)
            places = []
            if service.commune_insee:
                places.append(gaz.commune(service.commune_insee).nom)
            # A few zone communes (a CCAS, a small sector): long sector lists would swamp
            # the name search with weak "TYPE commune" forms.
            places += [gaz.commune(z.code).nom for z in service.zones if z.kind == "commune"][:3]
            if len(deps) <= 2:
                for dep in deps:
                    places += [dep, gaz.departement(dep).nom]
            term = self.vocabulary.resource_types.get(service.type)
            labels = [service.type] + ([term.label] if term else [])
            candidates = {_search_key(service.nom)}
            candidates.update(
                _search_key(f"{label} {place}") for label in labels for place in places)
            for key in sorted(candidates):
                keys.append(key)
                owners.append(service.id)
        return _Snapshot(
            services=services,
            by_zone={k: tuple(v) for k, v in by_zone.items()},
            by_departement={k: tuple(v) for k, v in by_dep.items()},
            search_keys=tuple(keys),
            search_owner=tuple(owners),
            folded_names={sid: _search_key(s.nom) for sid, s in services.items()},
            type_codes={code.lower(): code for code in self.vocabulary.resource_types},
            commune_positions=_commune_positions(services.values()),
        )

    # -- queries -------------------------------------------------------------------------

    def commune_position(self, code_insee: str) -> tuple[float, float] | None:
        """Mean position of the located entries whose address is in that commune."""
        return self._data().commune_positions.get(code_insee)

    def get(self, service_id: str) -> Service | None:
        return self._data().services.get(service_id)

    def all(self) -> list[Service]:
        """Every service, sorted by id."""
        return list(self._data().services.values())

    def serving(self, commune: Commune, types: Iterable[str] | str | None = None) -> list[Service]:
        """Services whose zone covers ``commune``: most local first (commune, EPCI, department,
        region), then by id; ``types`` keeps only those resource types."""
        data = self._data()
        keys = [("commune", commune.code_insee)]
        if commune.epci:
            keys.append(("epci", commune.epci))
        keys += [("departement", commune.departement), ("region", REGION_CODE)]
        ids: dict[str, None] = {}
        for key in keys:
            for sid in data.by_zone.get(key, ()):  # already sorted by id
                ids.setdefault(sid, None)
        return _filter(data, ids, types)

    def in_departement(self, dep: str, types: Iterable[str] | str | None = None) -> list[Service]:
        """Services whose zone touches department ``dep`` (regional ones included), by id."""
        data = self._data()
        return _filter(data, data.by_departement.get(dep, ()), types)

    def search_name(self, text: str, limit: int = 5, min_score: float = 70.0
                    ) -> list[tuple[Service, float]]:
        """Services best matching a name such as "le SSIAD de Vierzon" or "DAC 36", with a
        0–100 score, best first.

        Each service is matched (rapidfuzz token set ratio, folded text) on its name and on
        "TYPE place" forms (address commune, zone communes, department code and name); when the
        query names a type acronym, services of other types lose 20 %.
        """
        data = self._data()
        query = _search_key(text)
        if not query or not data.search_keys:
            return []
        named_types = {data.type_codes[w] for w in query.split() if w in data.type_codes}
        best: dict[str, float] = {}
        matches = process.extract(query, data.search_keys, scorer=fuzz.token_set_ratio,
                                  limit=None, score_cutoff=min_score)
        for _, score, i in matches:
            sid = data.search_owner[i]
            if named_types and data.services[sid].type not in named_types:
                score *= TYPE_MISMATCH_FACTOR
            if score >= min_score and score > best.get(sid, -1.0):
                best[sid] = score
        ranked = sorted(
            best.items(),
            key=lambda item: (-item[1], -fuzz.ratio(query, data.folded_names[item[0]]), item[0]),
        )
        return [(data.services[sid], round(score, 1)) for sid, score in ranked[:limit]]


def _commune_positions(services: Iterable[Service]) -> dict[str, tuple[float, float]]:
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for s in services:
        if s.position and s.commune_insee:
            points[s.commune_insee].append(s.position)
    return {code: (round(sum(p[0] for p in pts) / len(pts), 5),
                   round(sum(p[1] for p in pts) / len(pts), 5))
            for code, pts in sorted(points.items())}


def _filter(data: _Snapshot, ids: Iterable[str], types) -> list[Service]:
    if types is None:
        return [data.services[sid] for sid in ids]
    wanted = {types} if isinstance(types, str) else set(types)
    return [data.services[sid] for sid in ids if data.services[sid].type in wanted]


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31,
            30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, last))


def _effective(h, today: date) -> bool:
    return ((h["debut_effectif"] is None or h["debut_effectif"] <= today)
            and (h["fin_effectif"] is None or today <= h["fin_effectif"]))


def _to_service(row, children: dict[str, list], today: date | None = None) -> Service:
    today = today or now_paris().date()
    schedule = Schedule(
        slots=tuple(
            Slot(h["jour"], h["debut"], h["fin"])
            for h in children["horaires"]
            if h["type_creneau"] == SLOT_OPENING and _effective(h, today)
        ),
        closures=tuple(
            Closure(f["debut"], f["fin"], f["motif"], f["reouverture_prevue"])
            for f in children["fermetures"]
        ),
        ferme_jours_feries=row["ferme_jours_feries"],
        permanent=row["permanent"],
    )
    return Service(
        id=row["id"], type=row["type"], nom=row["nom"], description=row["description"],
        audience=row["audience"],
        missions=tuple(m["mission"] for m in children["missions"]),
        publics=tuple(PublicPrisEnCharge(p["public"], p["age_min"], p["age_max"])
                      for p in children["publics"]),
        besoins=tuple(b["besoin"] for b in children["besoins"]),
        zones=tuple(Zone(z["kind"], z["code"]) for z in children["zones"]),
        telephone=row["telephone"], messagerie_securisee=row["messagerie_securisee"],
        email=row["email"], adresse=row["adresse"], commune_insee=row["commune_insee"],
        site_web=row["site_web"],
        # A contact that is not "accès libre" never leaves the database.
        contacts=tuple(Contact(c["fonction"], c["telephone"], c["email"], c["messagerie_securisee"],
                               c["confidentialite"])
                       for c in children["contacts"] if c["confidentialite"] in PUBLIC_LEVELS),
        schedule=schedule, source=row["source"], verifie_le=row["verifie_le"],
        exemple=row["exemple"], origine=row["origine"] or ORIGIN_YAML, ror_id=row["ror_id"],
        finess=row["finess"], secteurs_psy=tuple(x["code"] for x in children["secteurs"]),
        position=(row["latitude"], row["longitude"]) if row["latitude"] is not None else None,
    )


