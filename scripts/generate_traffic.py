"""Generate a month of orientation traffic through the real engine, with a fixed clock.

Each request is a French situation (age, publics, needs, commune of the region, sometimes an
emergency) answered by knowledge.orientation at a chosen moment of the month, logged in the
anonymous orientation log (knowledge.activity) as the bot would; part of the level-3 answers
are followed by a support request (knowledge.tickets) taken in charge after a varied delay.
Deterministic for a given seed.

    python scripts/generate_traffic.py --db sqlite:///var/trafic.db --load-directory \
        --month 2026-11 --requests 600 --seed 7
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge import activity  # noqa: E402
from knowledge.hours import TZ  # noqa: E402

SITUATIONS = [
    "patiente de {age} ans seule à domicile à {commune}, chutes à répétition, refuse les aides",
    "monsieur {age} ans à {commune}, troubles cognitifs qui s'aggravent, épouse aidante épuisée",
    "dame {age} ans à {commune}, perte d'autonomie, besoin d'aide à domicile pour la toilette",
    "patient {age} ans en soins palliatifs à {commune}, douleurs mal contrôlées, souhaite rester chez lui",
    "retour à domicile après hospitalisation à {commune}, {age} ans, vit seul, besoin de soins infirmiers",
    "enfant de 8 ans à {commune}, suspicion de trouble du neurodéveloppement, attente de bilan",
    "adolescent de 15 ans à {commune}, décrochage scolaire et repli sur soi",
    "jeune de 17 ans à {commune}, consommation de cannabis quotidienne, parents inquiets",
    "homme de 45 ans à {commune}, alcool, souhaite un sevrage",
    "personne sans domicile à {commune}, sans couverture sociale, plaie à soigner",
    "aidante de {age} ans à {commune} épuisée, cherche une solution de répit",
    "patiente {age} ans à {commune}, isolement social, ne sort plus de chez elle",
    "enfant handicapé de 10 ans à {commune}, dossier MDPH à constituer",
    "adulte en situation de handicap à {commune}, besoin d'orientation vers un établissement",
    "monsieur {age} ans à {commune}, troubles du comportement la nuit, famille à bout",
    "femme de 35 ans à {commune}, dépression, pas de suivi psychiatrique",
    "patiente {age} ans à {commune}, mesure de protection à envisager, dépenses incohérentes",
    "dame {age} ans à {commune}, souhaite entrer en EHPAD, cherche des informations",
    "bébé de 3 mois à {commune}, maman isolée, besoin de suivi PMI",
    "patient {age} ans à {commune}, plusieurs hospitalisations en un mois, polypathologie, refus de soins",
]
EMERGENCIES = [
    "patient {age} ans à {commune}, douleur thoracique depuis 20 minutes",
    "jeune de 16 ans à {commune}, idées suicidaires avec un plan",
    "enfant de 6 ans à {commune}, suspicion de maltraitance",
]
CANAUX = ["socketio"] * 5 + ["rest"] * 2 + ["email"] * 2 + ["telephone"] * 2 + ["api"]


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def moment(rng: random.Random, month_start: date, days: int) -> datetime:
    """A moment of the month: mostly weekday office hours, some evenings, nights and week-ends."""
    day = month_start + timedelta(days=rng.randrange(days))
    r = rng.random()
    hour = rng.randint(8, 17) if r < 0.7 else (rng.randint(18, 22) if r < 0.9 else rng.randint(0, 7))
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=TZ)


def generate(url: str, month: str, requests: int, seed: int, load_directory: bool = False,
             support_share: float = 0.6) -> dict:
    from knowledge.directory import Directory
    from knowledge.orientation import Orienter
    from knowledge.tickets import NewRequest, TicketStore, route_dac

    directory = Directory(url)
    if load_directory:
        from knowledge.settings import directory_data_dir
        directory.create_schema()
        directory.load(directory_data_dir())
    orienter = Orienter(directory=directory)
    gaz = orienter.gazetteer
    rng = random.Random(seed)
    year, mon = (int(x) for x in month.split("-"))
    start = date(year, mon, 1)
    days = ((start.replace(day=28) + timedelta(days=4)).replace(day=1) - start).days
    pool = sorted(_communes(gaz), key=lambda c: c.code_insee)
    weights = [max(c.population, 50) ** 0.6 for c in pool]
    clock = Clock(datetime(year, mon, 1, tzinfo=TZ))
    store = TicketStore(url, clock=clock)
    made = {"demandes": 0, "appui": 0, "urgences": 0}
    t0 = time.perf_counter()
    moments = sorted(moment(rng, start, days) for _ in range(requests))
    for at in moments:
        c = rng.choices(pool, weights)[0]
        template = rng.choice(EMERGENCIES) if rng.random() < 0.06 else rng.choice(SITUATIONS)
        text = template.format(age=rng.randint(68, 95), commune=c.nom)
        o = orienter.orient(text, commune=c.code_insee, at=at)
        payload = o.payload()
        activity.record(o, canal=rng.choice(CANAUX), payload=payload, directory=directory)
        made["demandes"] += 1
        made["urgences"] += bool(o.triage.urgences)
        if o.triage.niveau == 3 and o.recommandations and rng.random() < support_share:
            dac = route_dac(c.code_insee, orienter)
            clock.at = at + timedelta(minutes=rng.randint(2, 20))
            t = store.create(NewRequest(
                resume="Situation complexe (trafic généré)", demandeur_nom="Dr Exemple", niveau=3,
                motifs=list(o.triage.motifs), urgence=rng.choice(["aujourd_hui", "semaine", "programme"]),
                commune_insee=c.code_insee, dac_id=dac.id if dac else None, dac_nom=dac.nom if dac else None,
                rappel_telephone="02 61 91 00 00", canal="chat"), idempotency_key=f"trafic-{seed}-{made['demandes']}")
            activity.mark_support(payload, directory=directory)
            made["appui"] += 1
            r = rng.random()
            if r < 0.9:  # taken in charge after a delay; the rest is still waiting
                delay = timedelta(hours=rng.choice([0.5, 1, 2, 3, 5, 8, 20, 26, 30, 50, 75, 100]))
                clock.at = clock.at + delay
                store.transition(t.numero, "en_cours", "coordinatrice")
    store.dispose()
    made["secondes"] = round(time.perf_counter() - t0, 1)
    return made


def _communes(gaz) -> list:
    return [c for dep in ("18", "28", "36", "37", "41", "45") for c in gaz.communes_of_departement(dep)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="SQLAlchemy URL (directory and log)")
    ap.add_argument("--month", default="2026-11", help="AAAA-MM")
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--load-directory", action="store_true", help="create and load the sample directory first")
    args = ap.parse_args()
    made = generate(args.db, args.month, args.requests, args.seed, args.load_directory)
    for k, v in made.items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
