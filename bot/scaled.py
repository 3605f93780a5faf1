"""Several Rasa server instances behind nginx on this machine (`make run-scaled N=2`).

The scale-out Rasa documents: conversations in the SQL tracker store on PostgreSQL, the Redis lock
store (two instances never process one conversation at once), stateless action servers, the
directory and support requests on PostgreSQL, and a real load balancer in front
(deploy/nginx-aiguillage.conf, rendered here with local ports). Production runs the same pieces
as systemd units (deploy/systemd/, docs/deployment.md).

    python -m bot.scaled --instances 2 [--port 5005] [--pg URL] [--redis URL]
"""
from __future__ import annotations

import argparse
import re
import shutil
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from bot import keys
from bot.processes import PYTHON, ROOT, Ports, Stack, base_env, free_port, wait_http, warm_rasa
from knowledge.directory import Directory

NGINX_SNIPPET = ROOT / "deploy" / "nginx-aiguillage.conf"
DEFAULT_PG_URL = "postgresql://root@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
SCHEMA = "aiguillage_scaled"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def render_nginx(listen_port: int, rasa_ports: list[int], runtime: Path) -> str:
    """A complete nginx.conf for a local, unprivileged run around deploy/nginx-aiguillage.conf."""
    snippet = NGINX_SNIPPET.read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;\n" for p in rasa_ports)
    snippet, n = re.subn(
        r"(    # BEGIN rasa instances\n).*?(    # END rasa instances\n)", lambda m: m.group(1) + servers + m.group(2),
        snippet, flags=re.S,
    )
    snippet, listens = re.subn(r"listen 127\.0\.0\.1:\d+;", f"listen 127.0.0.1:{listen_port};", snippet)
    if n != 2 or listens != 1:
        raise ValueError(f"{NGINX_SNIPPET}: instance markers or listen line not found")
    tmp = runtime / "tmp"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    return (
        f"worker_processes 1;\npid {runtime / 'nginx.pid'};\nerror_log {runtime / 'nginx-error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "  log_format upstream '$time_iso8601 \"$request\" $status $upstream_addr $request_time';\n"
        f"  access_log {runtime / 'access.log'} upstream;\n"
        f"  client_body_temp_path {tmp / 'body'};\n  proxy_temp_path {tmp / 'proxy'};\n"
        f"  fastcgi_temp_path {tmp / 'fastcgi'};\n  uwsgi_temp_path {tmp / 'uwsgi'};\n  scgi_temp_path {tmp / 'scgi'};\n"
        + snippet + "}\n"
    )


def prepare_postgres(pg_url: str, schema: str = SCHEMA, load_directory: bool = True) -> str:
    """Directory and tickets in their own schema; the tracker `events` table created once, before
    the instances start (two instances creating it at the same moment would race)."""
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    db_url = f"{pg_url}?options=-csearch_path%3D{schema}"
    from rasa.core.tracker_store import SQLTrackerStore

    engine = sa.create_engine(db_url)
    SQLTrackerStore.SQLEvent.__table__.create(engine, checkfirst=True)
    engine.dispose()
    if load_directory:

        Directory(db_url).load()
    return db_url


def prod_env(pg_url: str, redis_url: str, db_url: str, extra: dict | None = None, schema: str = SCHEMA) -> dict:
    """Settings of bot/endpoints.prod.yml; trackers in `schema` too (AIGUILLAGE_PG_SCHEMA)."""
    p, r = urlparse(pg_url), urlparse(redis_url)
    return base_env(
        db_url=db_url,
        extra={
            "AIGUILLAGE_PG_HOST": p.hostname or "127.0.0.1",
            "AIGUILLAGE_PG_PORT": str(p.port or 5432),
            "AIGUILLAGE_PG_DB": p.path.lstrip("/") or "aiguillage",
            "AIGUILLAGE_PG_USER": p.username or "",
            "AIGUILLAGE_PG_PASSWORD": p.password or "",
            "AIGUILLAGE_PG_SCHEMA": schema,
            "AIGUILLAGE_REDIS_HOST": r.hostname or "127.0.0.1",
            "AIGUILLAGE_REDIS_PORT": str(r.port or 6379),
            "AIGUILLAGE_REDIS_DB": r.path.lstrip("/") or "0",
            **(extra or {}),
        },
    )


def start_scaled(
    model: Path,
    instances: int = 2,
    port: int | None = None,
    env: dict | None = None,
    logs: Path | None = None,
    endpoints: Path | None = None,
) -> Stack:
    """N action servers and N Rasa instances (instance i calls action server i), then nginx.

    `env` must carry the production settings (`prod_env`). `stack.ports.rasa` is the balancer's
    port; `stack.instance_ports` the instances'.
    """
    nginx = nginx_binary()
    if not nginx:
        raise FileNotFoundError("nginx introuvable (apt-get install nginx-light)")

    logs = logs or ROOT / "var" / "scaled"
    logs.mkdir(parents=True, exist_ok=True)
    ports = Ports(rasa=port or free_port(), actions=0, webchat=0, console=0, api=0)
    stack = Stack(ports=ports, env=dict(env or {}), logs=logs)
    rasa_ports = [free_port() for _ in range(instances)]
    action_ports = [free_port() for _ in range(instances)]
    stack.instance_ports = rasa_ports  # type: ignore[attr-defined]
    endpoints = endpoints or ROOT / "bot" / "endpoints.prod.yml"
    try:
        for i, (rp, ap) in enumerate(zip(rasa_ports, action_ports), start=1):
            stack.env = {**dict(env or {}), "AIGUILLAGE_ACTION_URL": f"http://127.0.0.1:{ap}/webhook"}
            stack.start(f"actions-{i}", [PYTHON, "-m", "bot.actionserver", "--host", "127.0.0.1", "--port", str(ap)])
            # bot.rasaserver: `rasa run` on loopback with the API token and the action secret.
            stack.start(
                f"rasa-{i}",
                [
                    PYTHON, "-m", "bot.rasaserver", "--model", str(model), "--interface", "127.0.0.1",
                    "--port", str(rp), "--credentials", str(ROOT / "bot" / "credentials.yml"),
                    "--endpoints", str(endpoints),
                ],
            )
        stack.env = dict(env or {})
        conf = logs / "nginx.conf"
        conf.write_text(render_nginx(ports.rasa, rasa_ports, logs))
        stack.start("nginx", [nginx, "-p", str(logs), "-c", str(conf), "-g", "daemon off;"])
        for ap in action_ports:
            wait_http(f"http://127.0.0.1:{ap}/health", stack)
        for rp in rasa_ports:
            wait_http(f"http://127.0.0.1:{rp}/", stack)
            warm_rasa(rp, keys.get("AIGUILLAGE_RASA_TOKEN", stack.env))
        wait_http(f"http://127.0.0.1:{ports.rasa}/", stack)
    except BaseException:
        stack.stop()
        raise
    return stack


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", type=int, default=2)
    ap.add_argument("--port", type=int, default=5005, help="port of the balancer (loopback)")
    ap.add_argument("--model", default=str(ROOT / "models" / "aiguillage.tar.gz"))
    ap.add_argument("--pg", default=DEFAULT_PG_URL, help="PostgreSQL database (trackers, directory, tickets)")
    ap.add_argument("--redis", default=DEFAULT_REDIS_URL, help="Redis database (conversation locks)")
    args = ap.parse_args()
    model = Path(args.model)
    if not model.exists():
        print(f"Modèle absent : {model} (make model).", file=sys.stderr)
        return 1
    db_url = prepare_postgres(args.pg)
    stack = start_scaled(model, args.instances, args.port, env=prod_env(args.pg, args.redis, db_url, schema=SCHEMA))
    print(
        f"{args.instances} instances Rasa derrière nginx : POST http://127.0.0.1:{args.port}/webhooks/rest/webhook\n"
        f"instances : {', '.join(str(p) for p in stack.instance_ports)} ; journaux : {stack.logs}\nCtrl-C pour arrêter.",
        flush=True,
    )
    stopping = False

    def _stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            stack.check_alive()
            time.sleep(1)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
