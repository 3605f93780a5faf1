"""The production configuration: directory and trackers on PostgreSQL, locks on Redis.

Needs the PostgreSQL and Redis servers; skipped, with the reason, when they are unreachable.
"""
from __future__ import annotations

import json
import uuid
from urllib.parse import urlparse

import pytest

from bot.processes import ROOT, Ports, base_env, free_port, start_stack
from tests.conftest import FIXED_NOW, Bot
from tests.servers import require_postgres, require_redis

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


def _commands(redis_client, name: str) -> int:
    stats = redis_client.info("commandstats")
    return int(stats.get(f"cmdstat_{name}", {}).get("calls", 0))


@pytest.fixture(scope="module")
def prod_stack(model, tmp_path_factory):
    pg = require_postgres()
    redis_url = require_redis()
    import sqlalchemy as sa

    from knowledge.directory import Directory

    # Directory and support requests in their own schema of the test database.
    engine = sa.create_engine(pg)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS aiguillage_e2e CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA aiguillage_e2e"))
        conn.execute(sa.text("DROP TABLE IF EXISTS events"))
    engine.dispose()
    db_url = f"{pg}?options=-csearch_path%3Daiguillage_e2e"
    Directory(db_url).load()

    p, r = urlparse(pg), urlparse(redis_url)
    env = base_env(
        db_url=db_url,
        extra={
            "AIGUILLAGE_NOW": FIXED_NOW,
            "AIGUILLAGE_PG_HOST": p.hostname or "127.0.0.1",
            "AIGUILLAGE_PG_PORT": str(p.port or 5432),
            "AIGUILLAGE_PG_DB": p.path.lstrip("/") or "test",
            "AIGUILLAGE_PG_USER": p.username or "root",
            "AIGUILLAGE_PG_PASSWORD": p.password or "",
            "AIGUILLAGE_REDIS_HOST": r.hostname or "127.0.0.1",
            "AIGUILLAGE_REDIS_PORT": str(r.port or 6379),
            "AIGUILLAGE_REDIS_DB": (r.path.lstrip("/") or "0"),
        },
    )
    ports = Ports(rasa=free_port(), actions=free_port(), webchat=free_port(), console=free_port())
    stack = start_stack(
        model, ports=ports, env=env, logs=tmp_path_factory.mktemp("prod-logs"),
        endpoints=ROOT / "bot" / "endpoints.prod.yml", webchat=False, console=False,
    )
    yield stack, pg, redis_url
    stack.stop()


def test_conversation_is_stored_masked_in_postgres_with_redis_locks(prod_stack):
    import redis
    import sqlalchemy as sa

    stack, pg, redis_url = prod_stack
    client = redis.Redis.from_url(redis_url)
    before = _commands(client, "set")
    sender = f"prod-{uuid.uuid4().hex[:8]}"
    bot = Bot(stack.ports.rasa)
    text, payload = bot.orientation(
        sender, "Mme Durand 87 ans, NIR 2 41 03 18 033 123 45, seule à Saint-Amand-Montrond, chutes, refuse les aides"
    )
    assert payload["commune"]["code_insee"] == "18197"
    assert payload["recommandations"][0]["type"] == "DAC"
    assert _commands(client, "set") > before, "the Rasa lock store did not write to Redis"

    engine = sa.create_engine(pg)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).all()
    engine.dispose()
    assert rows, "no tracker events in PostgreSQL"
    user_texts = [json.loads(d)["text"] for t, d in rows if t == "user"]
    assert user_texts and all("Durand" not in t and "033 123" not in t for t in user_texts), user_texts
    assert any("[NIR]" in t for t in user_texts)
