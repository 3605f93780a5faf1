"""Load benchmark (`make bench-load`): real conversations through the REST channel, closed loop.

Each virtual user plays whole conversations one after another (orientation requests with a
correction and an hours question, a request without commune then the commune, small talk and a
clinical question, a support request to the end) and sends its next message as soon as the
previous answer arrived. Every turn is checked (a reply, and the expected content where the
dialogue is fixed): a missing, empty, failed or out-of-place reply is an error.

Configurations, all started first, then measured level by level one after the other (before and
after a few seconds apart, under the same machine load), in the same run on the same machine:
- `floor`: a stock Rasa 3.6 bot (one intent, one response) trained in a temporary folder: the
  framework's own cost per message;
- `before`: Aiguillage as on main before issue 11 (model with TEDPolicy, stock Rasa action
  response validation, full domain sent with each action call) — `--before-model`;
- `after`: Aiguillage as it is (model of the current inputs, bot/rasa_patches.py);
- `scaled`: N instances of `after` behind nginx, trackers and directory on PostgreSQL, Redis
  locks (bot/scaled.py) — when nginx, PostgreSQL and Redis are available.

For each configuration and each concurrency level it prints `name: value` lines: messages/s,
p50/p95/p99 latency, errors, and the memory of each process; with the machine load.

    python scripts/bench_load.py [--levels 1,5,20,50] [--duration 20] [--configs floor,before,after,scaled]
                                 [--soak 300] [--soak-users 50]
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.processes import PYTHON, Ports, Stack, base_env, free_port, start_stack, wait_http  # noqa: E402
from knowledge.degraded import REASONS as FALLBACKS  # noqa: E402

FIXED_NOW = "2026-11-23T10:00:00+01:00"  # a Monday morning: services open, hours answers stable

# (message, check): check is None (any reply), "payload" (an orientation payload) or a
# lower-case substring one of the reply texts must contain.
Turn = tuple[str, str | None]
CONVERSATIONS: list[list[Turn]] = [
    [
        ("dame 87 ans seule à St-Amand, chutes ++, refuse les aides", "payload"),
        ("non pardon, elle habite à Vierzon", "payload"),
        ("le CMP de Vierzon est-il ouvert samedi ?", "samedi"),
        ("merci beaucoup", "plaisir"),
    ],
    [
        ("bonjour", "bonjour"),
        ("monsieur 79 ans, troubles cognitifs, épouse épuisée", "commune"),
        ("à Issoudun", "payload"),
        ("au revoir", "au revoir"),
    ],
    [
        ("que sais-tu faire ?", "centre-val de loire"),
        ("quelle posologie de tramadol pour une dame de 85 ans ?", "questions cliniques"),
        ("mr 52 ans alcool, veut arrêter, Vierzon", "payload"),
        ("merci", None),
    ],
    [
        ("dame 87 ans seule à St-Amand, chutes ++, refuse les aides", "payload"),
        ("/ouvrir_demande", "délai"),
        ("cette semaine", "d'accord"),
        ("oui", "nom"),
        ("Dr Claire Martin", "profession"),
        ("médecin généraliste", "rpps"),
        ("non", "messagerie"),
        ("dr.martin@cabinet.exemple.mssante.fr", "créneau"),
        ("demain entre 12h et 14h", "récapitule"),
        ("oui", "aig-"),
    ],
]
FLOOR_CONVERSATIONS: list[list[Turn]] = [[("bonjour", "bonjour")] * 4]

FLOOR_FILES = {
    "config.yml": "recipe: default.v1\nlanguage: fr\nassistant_id: floor\npipeline:\n"
    "  - name: WhitespaceTokenizer\n  - name: KeywordIntentClassifier\npolicies:\n  - name: RulePolicy\n",
    "domain.yml": 'version: "3.1"\nintents:\n  - saluer\nresponses:\n  utter_saluer:\n    - text: "Bonjour !"\n'
    "session_config:\n  session_expiration_time: 60\n  carry_over_slots_to_new_session: true\n",
    "data/nlu.yml": 'version: "3.1"\nnlu:\n  - intent: saluer\n    examples: |\n      - bonjour\n      - salut\n',
    "data/rules.yml": 'version: "3.1"\nrules:\n  - rule: saluer\n    steps:\n      - intent: saluer\n'
    "      - action: utter_saluer\n",
}


@dataclass
class Level:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    ok: int = 0  # replies that fit their turn (no error, no fallback)
    reasons: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def error(self, reason: str) -> None:
        self.errors += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(q * (len(values) - 1))))]


def check_reply(messages: list, check: str | None) -> str | None:
    """None when the reply fits the turn, else the reason. The guard's fallback (bot/channels/guard.py:
    too slow, action failed, no answer) is an error whatever the turn expects: it is not an answer."""
    if not isinstance(messages, list) or not messages:
        return "empty reply"
    for m in messages:
        text = m.get("text") or "" if isinstance(m, dict) else ""
        for reason, sentence in FALLBACKS.items():
            if sentence in text:
                return f"fallback {reason}"
    if check is None:
        return None
    if check == "payload":
        ok = any("orientation" in (m.get("custom") or {}) for m in messages)
        return None if ok else "no orientation payload"
    texts = " ".join((m.get("text") or "") for m in messages).lower()
    return None if check in texts else f"expected '{check}'"


async def _user(session, url: str, scripts, deadline: float, level: Level, prefix: str) -> None:
    import aiohttp

    while time.perf_counter() < deadline:
        script = next(scripts)
        sender = f"{prefix}-{uuid.uuid4().hex[:12]}"
        for text, check in script:
            if time.perf_counter() >= deadline:
                return
            start = time.perf_counter()
            try:
                async with session.post(url, json={"sender": sender, "message": text}) as r:
                    body = await r.text()
                    status = r.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                level.error(type(exc).__name__)
                break
            level.latencies.append((time.perf_counter() - start) * 1000)
            if status != 200:
                level.error(f"HTTP {status}")
                break
            try:
                reason = check_reply(json.loads(body), check)
            except ValueError:
                reason = "invalid JSON"
            if reason:
                level.error(reason)
                break  # the conversation went off script: start a new one
            level.ok += 1


async def run_level(url: str, conversations, users: int, duration: float, prefix: str) -> Level:
    import aiohttp

    level = Level()
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        start = time.perf_counter()
        deadline = start + duration
        tasks = []
        for i in range(users):
            # Each user starts on a different script so that the mix is even at every level.
            scripts = itertools.cycle(conversations[i % len(conversations):] + conversations[: i % len(conversations)])
            tasks.append(_user(session, url, scripts, deadline, level, f"{prefix}-u{i}"))
        await asyncio.gather(*tasks)
        level.elapsed = time.perf_counter() - start
    return level


def proc_memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB of a process and its direct children, from /proc."""
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    rss = hwm = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, hwm / 1024


def _tree(pid: int) -> list[int]:
    """`pid` and its direct children (nginx's workers, a launcher's server)."""
    try:
        return [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return [pid]


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads) and its direct children, from
    /proc/PID/stat: unlike wall time, it does not depend on the neighbours' load."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def named_cpu_s(comm: str) -> float:
    """CPU seconds of every live process named `comm` (PostgreSQL's backends, redis-server): the
    database work of the SQL tracker store runs there, not in the Rasa process."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if head.split("(", 1)[1] == comm:
            fields = tail.split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


def machine_cpu_s() -> float:
    """Busy CPU seconds of the whole machine (all cores, /proc/stat), the benchmark client included."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]   # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def emit(name: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.1f}"
    print(f"{name}: {value}", flush=True)


def measure_level(name: str, url: str, conversations, users: int, duration: float, stack: Stack | None = None) -> None:
    procs = dict(stack.procs) if stack is not None else {}
    shared = {"postgres": lambda: named_cpu_s("postgres"), "redis": lambda: named_cpu_s("redis-server"),
              "client": lambda: sum(os.times()[:2]), "machine": machine_cpu_s}
    cpu_before = {p: proc_cpu_s(proc.pid) for p, proc in procs.items()}
    shared_before = {k: f() for k, f in shared.items()}
    level = asyncio.run(run_level(url, conversations, users, duration, f"{name}-c{users}"))
    cpu_after = {p: proc_cpu_s(proc.pid) for p, proc in procs.items()}
    shared_after = {k: f() for k, f in shared.items()}
    n = len(level.latencies)
    emit(f"{name}_c{users}_messages", n)
    emit(f"{name}_c{users}_msg_per_s", n / level.elapsed if level.elapsed else 0.0)
    # Goodput: only the replies that fit their turn (a fallback or an off-script reply is no answer).
    emit(f"{name}_c{users}_ok_msg_per_s", level.ok / level.elapsed if level.elapsed else 0.0)
    emit(f"{name}_c{users}_p50_ms", percentile(level.latencies, 0.50))
    emit(f"{name}_c{users}_p95_ms", percentile(level.latencies, 0.95))
    emit(f"{name}_c{users}_p99_ms", percentile(level.latencies, 0.99))
    emit(f"{name}_c{users}_errors", level.errors)
    if level.reasons:
        emit(f"{name}_c{users}_error_kinds", json.dumps(level.reasons, ensure_ascii=False))
    # CPU milliseconds per message of each process: load-independent; a dedicated core would
    # serve about 1000 / cpu_ms messages per second for that process.
    for p in procs:
        emit(f"{name}_c{users}_cpu_ms_per_msg_{p}", 1000 * (cpu_after[p] - cpu_before[p]) / n if n else float("nan"))
    # Where the rest goes: the database servers, this load generator, and the whole machine
    # (which includes other sessions' work when the machine is shared: see the load average).
    for k in shared:
        emit(f"{name}_c{users}_cpu_ms_per_msg_{k}", 1000 * (shared_after[k] - shared_before[k]) / n if n else float("nan"))
    emit(f"{name}_c{users}_loadavg", loadavg())


def memory(name: str, stack: Stack) -> None:
    for proc_name, proc in stack.procs.items():
        rss, hwm = proc_memory_mb(proc.pid)
        emit(f"{name}_rss_{proc_name}_mb", rss)
        emit(f"{name}_peak_rss_{proc_name}_mb", hwm)


def train_floor(tmp: Path) -> Path:
    for rel, text in FLOOR_FILES.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_text(text)
    subprocess.run(
        [PYTHON, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
         "--out", "models", "--fixed-model-name", "floor"],
        cwd=tmp, env=base_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return tmp / "models" / "floor.tar.gz"


def start_floor(model: Path, tmp: Path) -> Stack:
    port = free_port()
    stack = Stack(ports=Ports(rasa=port), env=base_env(), logs=tmp)
    stack.start("rasa", [PYTHON, "-m", "rasa", "run", "--model", str(model), "--interface", "127.0.0.1", "--port", str(port)])
    try:
        wait_http(f"http://127.0.0.1:{port}/", stack)
    except BaseException:
        stack.stop()
        raise
    return stack


def stock_endpoints(tmp: Path) -> Path:
    """bot/endpoints.yml without selective domain: the `before` model's domain marks no action."""
    lines = [l for l in (ROOT / "bot" / "endpoints.yml").read_text().splitlines() if "enable_selective_domain" not in l]
    path = tmp / "endpoints.before.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


# The last commit before issue 11 (model with TEDPolicy, no selective domain).
BEFORE_REF = "d1e3be9"


def model_at(ref: str) -> Path:
    """The model trained from the inputs of commit `ref`, cached in .build/ like the tests' model."""
    import hashlib

    from tests.conftest import BUILD, model_inputs

    tmp = Path(tempfile.mkdtemp(prefix="aiguillage-ref-"))
    archive = subprocess.run(["git", "archive", ref, "config.yml", "domain.yml", "nlu/data", "bot/data"],
                             cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    digest = hashlib.sha256()
    for f in model_inputs():
        rel = f.relative_to(ROOT)
        if (tmp / rel).exists():
            digest.update(rel.as_posix().encode())
            digest.update((tmp / rel).read_bytes())
    for extra in sorted((tmp / "nlu" / "data").glob("*.yml")) + sorted((tmp / "bot" / "data").glob("*.yml")):
        if not (ROOT / extra.relative_to(tmp)).exists():
            raise SystemExit(f"{ref}: {extra.relative_to(tmp)} no longer exists, pass --before-model")
    model = BUILD / f"model-{digest.hexdigest()[:16]}.tar.gz"
    if not model.exists():
        BUILD.mkdir(exist_ok=True)
        subprocess.run(
            [PYTHON, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "nlu/data",
             "bot/data", "--out", str(BUILD), "--fixed-model-name", model.name[: -len(".tar.gz")]],
            cwd=tmp, env=base_env(), check=True, stdout=subprocess.DEVNULL,
        )
    return model


def current_model() -> Path:
    from tests.conftest import trained_model_path

    return trained_model_path()


def scaled_problem(pg: str, redis_url: str) -> str | None:
    from bot.scaled import nginx_binary
    from tests.servers import postgres_problem, redis_problem

    if not nginx_binary():
        return "nginx absent (apt-get install nginx-light)"
    return postgres_problem(pg) and f"PostgreSQL: {postgres_problem(pg)}" or (
        redis_problem(redis_url) and f"Redis: {redis_problem(redis_url)}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--levels", default="1,5,20,50")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per concurrency level")
    ap.add_argument("--configs", default="floor,before,after,scaled")
    ap.add_argument("--model", help="model of the current inputs (default: trained once into .build/)")
    ap.add_argument("--before-model", default=os.environ.get("AIGUILLAGE_BEFORE_MODEL"),
                    help=f"model of the `before` configuration (default: trained from commit {BEFORE_REF})")
    ap.add_argument("--instances", type=int, default=2)
    ap.add_argument("--pg", default="postgresql://root@127.0.0.1:5432/test")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--soak", type=float, default=0.0, help="then run --soak-users for this many seconds")
    ap.add_argument("--soak-users", type=int, default=50)
    ap.add_argument("--soak-config", default="scaled", help="configuration of the soak (started above)")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x]
    configs = [c for c in args.configs.split(",") if c]
    tmp = Path(tempfile.mkdtemp(prefix="aiguillage-load-"))
    emit("cpus", os.cpu_count())
    emit("loadavg_start", loadavg())
    emit("duration_per_level_s", args.duration)

    from knowledge.directory import Directory

    db_url = f"sqlite:///{tmp / 'aiguillage.db'}"
    Directory(db_url).load()
    # All configurations are started first, then measured level by level, one after the other:
    # before and after are compared a few seconds apart, under the same machine load.
    running: dict[str, tuple[Stack, str, list]] = {}
    try:
        for name in configs:
            t0 = time.perf_counter()
            logs = tmp / name
            logs.mkdir()
            conversations = CONVERSATIONS
            env = base_env(db_url=db_url, tracker_db=str(logs / "trackers.db"), extra={"AIGUILLAGE_NOW": FIXED_NOW})
            if name == "floor":
                stack = start_floor(train_floor(tmp / "floor-bot"), logs)
                conversations = FLOOR_CONVERSATIONS
            elif name == "before":
                before = Path(args.before_model) if args.before_model else model_at(BEFORE_REF)
                env["AIGUILLAGE_RASA_PATCHES"] = "0"
                env["AIGUILLAGE_SQLITE_WAL"] = "0"
                ports = Ports(rasa=free_port(), actions=free_port())
                stack = start_stack(before, ports=ports, env=env, logs=logs,
                                    endpoints=stock_endpoints(tmp), webchat=False, console=False)
            elif name == "after":
                ports = Ports(rasa=free_port(), actions=free_port())
                stack = start_stack(Path(args.model) if args.model else current_model(), ports=ports, env=env,
                                    logs=logs, webchat=False, console=False)
            elif name == "scaled":
                problem = scaled_problem(args.pg, args.redis)
                if problem:
                    emit(f"{name}_skipped", problem)
                    continue
                from bot.scaled import prepare_postgres, prod_env, start_scaled

                pg_db = prepare_postgres(args.pg, schema="aiguillage_bench")
                senv = prod_env(args.pg, args.redis, pg_db, extra={"AIGUILLAGE_NOW": FIXED_NOW}, schema="aiguillage_bench")
                stack = start_scaled(Path(args.model) if args.model else current_model(), args.instances,
                                     env=senv, logs=logs)
            else:
                print(f"configuration inconnue : {name}", file=sys.stderr)
                return 2
            url = f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook"
            running[name] = (stack, url, conversations)
            emit(f"{name}_startup_s", time.perf_counter() - t0)
            emit(f"{name}_pids", " ".join(f"{p}={proc.pid}" for p, proc in stack.procs.items()))  # for py-spy
            # Warm-up: one conversation of each kind (first calls fill caches, build TF graphs).
            asyncio.run(run_level(url, conversations, len(conversations), 0.1, f"{name}-warm"))
        for users in levels:
            for name, (stack, url, conversations) in running.items():
                measure_level(name, url, conversations, users, args.duration, stack)
        if args.soak and args.soak_config in running:
            stack, url, conversations = running[args.soak_config]
            measure_level(f"soak_{args.soak_config}", url, conversations, args.soak_users, args.soak, stack)
        for name, (stack, _, _) in running.items():
            memory(name, stack)
    finally:
        for stack, _, _ in running.values():
            stack.stop()
        for name in running:
            guard_log_counts(name, tmp / name)
    emit("loadavg_end", loadavg())
    return 0


GUARD_LINES = {"not_started": "turn not started", "abandoned_running": "turn abandoned (ran",
               "abandoned_queued": "still waiting for a slot"}


def guard_log_counts(name: str, logs: Path) -> None:
    """How the guard's slow answers of the whole run came about (its warnings in the servers' logs):
    a turn never started (queued past half its budget), or abandoned while running or queued."""
    counts = dict.fromkeys(GUARD_LINES, 0)
    for path in logs.glob("*.log"):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            for key, needle in GUARD_LINES.items():
                counts[key] += needle in line
    for key, n in counts.items():
        emit(f"{name}_guard_{key}", n)


if __name__ == "__main__":
    sys.exit(main())
