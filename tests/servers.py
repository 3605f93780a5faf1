"""Reachability of the PostgreSQL and Redis servers used by the production-configuration tests.

Tests call ``require_postgres()`` / ``require_redis()``: they return the URL, or skip the test with
the reason (server unreachable at that URL) so a missing server never passes silently.
"""
from __future__ import annotations

import functools
import os

import pytest

PG_URL_ENV = "AIGUILLAGE_TEST_PG_URL"
REDIS_URL_ENV = "AIGUILLAGE_TEST_REDIS_URL"
DEFAULT_PG_URL = "postgresql://root@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def postgres_url() -> str:
    """URL of the test PostgreSQL database (``$AIGUILLAGE_TEST_PG_URL``)."""
    return os.environ.get(PG_URL_ENV) or DEFAULT_PG_URL


def redis_url() -> str:
    """URL of the test Redis database (``$AIGUILLAGE_TEST_REDIS_URL``)."""
    return os.environ.get(REDIS_URL_ENV) or DEFAULT_REDIS_URL


@functools.lru_cache(maxsize=None)
def postgres_problem(url: str) -> str | None:
    """None when ``SELECT 1`` works at ``url``, else why not (checked once per URL)."""
    try:
        import psycopg2
    except ImportError as exc:  # pragma: no cover - psycopg2-binary is a dependency
        return f"psycopg2 is not installed ({exc})"
    try:
        conn = psycopg2.connect(url, connect_timeout=3)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        lines = str(exc).strip().splitlines()
        return f"{type(exc).__name__}: {lines[0] if lines else ''}"
    return None


@functools.lru_cache(maxsize=None)
def redis_problem(url: str) -> str | None:
    """None when Redis answers PING at ``url``, else why not (checked once per URL)."""
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - redis is a dependency
        return f"the redis package is not installed ({exc})"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return f"{type(exc).__name__}: {exc}"
    return None


def require_postgres() -> str:
    """The test PostgreSQL URL; skips the calling test with the reason when unreachable."""
    url = postgres_url()
    problem = postgres_problem(url)
    if problem:
        pytest.skip(f"PostgreSQL unreachable at {url} (set {PG_URL_ENV}): {problem}")
    return url


def require_redis() -> str:
    """The test Redis URL; skips the calling test with the reason when unreachable."""
    url = redis_url()
    problem = redis_problem(url)
    if problem:
        pytest.skip(f"Redis unreachable at {url} (set {REDIS_URL_ENV}): {problem}")
    return url
