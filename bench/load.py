"""Load and fault benchmark: the portal on loopback, under locust, with faults.

    .venv/bin/python bench/load.py                       # at scale, 60 s per stage
    .venv/bin/python bench/load.py --quick               # at scale, 20 s per stage
    .venv/bin/python bench/load.py --embedded --quick    # the make run defaults, 20 s per stage

At scale (the default) it starts everything itself and stops it at the end:

- a fresh PostgreSQL database (``--database``, default ``load_bench`` on the local server
  at 127.0.0.1:5432, user postgres), migrated and seeded with ``flask seed-demo``, plus
  bench buyer accounts;
- a dedicated ``redis-server`` on its own port (never the shared one: the benchmark stops it);
- the sandbox store on a small tmpfs when it can mount one (root), else a temporary folder;
- gunicorn serving ``bench/load_app.py`` (the portal plus a bare ``/bench/bare`` route), and
  RQ workers (``flask worker``), restarted within a second if they exit, as a process
  supervisor would;
- locust, headless, as a subprocess per stage (bounded users and seconds, loopback only).

It prints p50/p95/p99 and errors per page at 10, 50 and 100 concurrent users, then the same
while injecting each fault (PostgreSQL connections terminated, Redis stopped for 30 s, a worker
killed mid-run, the sandbox store full), with consistency checks after each (orders and
payments agree, no run stuck queued/running, no half-written dataset) and the time to
recovery seen by a probe. Last, the product page's throughput against the bare route.

``--embedded`` runs the portal as ``make run`` does with its embedded defaults: a SQLite
file in the scratch folder, no ``QUEUE_URL`` (demo runs on the in-process pool of the web
process, no Redis, no RQ workers), served by ``flask serve``, the threaded werkzeug server
that DESIGN.md's "Modes" table names for this mode (the README documents gunicorn only with
PostgreSQL and RQ, so gunicorn over SQLite is not a deployment it supports). Same seeding,
user classes, stages, checks (the same SQL, on the SQLite file) and throughput baseline; of
the faults, the in-process pool's sandbox children are killed mid-run instead of an RQ worker
and the store is filled, while PostgreSQL and Redis faults are skipped with the reason.
Nothing here is part of the test suite (no timed assertions anywhere).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-2026"
PROBE_PATH = "/products/pipeline-lens"
COMPANIES = 10  # bench buyers' companies (buying accounts)


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not come up within {seconds:.0f} s")


def http_ok(url: str, timeout: float = 5) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


# ----------------------------------------------------------------------------- the stacks


@dataclass(kw_only=True)
class Stack:
    """What both modes share: the scratch folder and store, the env, the web process started
    and warmed up, the seeding, the supervisor and the shut-down. A mode fills in its database,
    its services, its web server and how its demo runs are killed."""

    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="load-bench-")))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    restarts: dict[str, int] = field(default_factory=dict)
    mounted: bool = False
    supervise: bool = True
    reuse: bool = False
    # Faults that do not apply to this mode, with the reason printed instead of running them;
    # what a fault is called in this mode when its name says too little.
    not_applicable: ClassVar[dict[str, str]] = {}
    labels: ClassVar[dict[str, str]] = {}

    def __post_init__(self) -> None:
        self.web_port = free_port()
        self.store = self.base / "store"
        self.store.mkdir()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.env = dict(
            os.environ,
            SECRET_KEY="load-bench-secret-key-not-for-production",
            TESTDRIVE_ENV="production",
            SESSION_COOKIE_SECURE="0",  # plain http on loopback
            PUBLIC_BASE_URL=self.url,
            SANDBOX_STORE=str(self.store),
            MAIL_OUTBOX=str(self.base / "outbox"),
            CATALOG_FILES=str(self.base / "catalog_files"),
            # Every locust user comes from 127.0.0.1: per-IP limits would throttle the run,
            # not measure it. Per-person trial quotas are raised for the same reason.
            RATELIMIT_ENABLED="0",
            TRIAL_UPLOADS_PER_HOUR="100000",
            TRIAL_CONCURRENT_RUNS="10",
            SANDBOX_WORKERS="2",
            PYTHONPATH=str(ROOT),
            **self.mode_env(),
        )
        self._stop = threading.Event()
        self._supervisor = threading.Thread(target=self._watch, daemon=True)

    # -- what a mode provides

    def mode_env(self) -> dict[str, str]:
        """DATABASE_URL and QUEUE_URL of the mode."""
        raise NotImplementedError

    def web_argv(self) -> list[str]:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def query(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def kill_runner(self) -> None:
        """SIGKILL what executes the demo runs, while one is running."""
        raise NotImplementedError

    def start_services(self) -> None:
        """Servers the portal needs besides the database file and the web process."""

    def stop_services(self) -> None:
        pass

    def create_database(self) -> None:
        pass

    def drop_database(self) -> None:
        pass

    def start_workers(self) -> None:
        pass

    def warm_rounds(self) -> int:
        return 8

    # -- processes

    def _spawn(self, name: str, argv: list[str], log: str) -> subprocess.Popen:
        out = open(self.base / f"{log}.log", "ab")  # noqa: SIM115 (kept open for the child)
        process = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.processes[name] = process
        return process

    def flask(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "portal", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        print(f"Working folder {self.base}", flush=True)
        self._mount_store()
        self.start_services()
        if not self.reuse:
            self.create_database()
            print("Migrating and seeding the demo data…", flush=True)
            self.flask("db", "upgrade")
            self.flask("seed-demo")
        self.buyers = self._create_buyers(40)
        self._spawn("web", self.web_argv(), "web")
        wait_for(lambda: http_ok(self.url + "/bench/bare"), 300, "the web server")
        self.start_workers()
        self._supervisor.start()
        self._warm_up()
        print(
            f"Serving {self.url}: {self.describe()}, store "
            f"{'tmpfs' if self.mounted else 'folder'} {self.store}",
            flush=True,
        )

    def _warm_up(self) -> None:
        """A few requests per page and per web thread (templates compiled, pools filled),
        so the first stage does not measure start-up."""
        pages = ["/", "/products", "/compare?p=pipeline-lens,data-doctor", "/search?q=forecast",
                 "/login", "/try/data-doctor", "/bench/bare"]  # fmt: skip
        pages += [f"/products/{slug}" for slug in ("pipeline-lens", "data-doctor")]
        for _ in range(self.warm_rounds()):
            for page in pages:
                http_ok(self.url + page, timeout=30)

    def _mount_store(self) -> None:
        if os.geteuid() != 0 or not shutil.which("mount"):
            return
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256m,mode=0700", "tmpfs", str(self.store)],
            capture_output=True,
        )
        self.mounted = done.returncode == 0

    def kill_group(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(10)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        except ProcessLookupError:
            pass

    def _watch(self) -> None:
        """Restart exited workers after a second (as systemd's Restart=always would)."""
        while not self._stop.wait(1):
            if not self.supervise:
                continue
            for name, process in list(self.processes.items()):
                if name.startswith("worker-") and process.poll() is not None:
                    self.restarts[name] = self.restarts.get(name, 0) + 1
                    self.start_worker(int(name.split("-")[1]))

    def start_worker(self, n: int) -> None:
        self._spawn(f"worker-{n}", [str(BIN / "flask"), "--app", "portal", "worker"], "workers")

    def shutdown(self) -> None:
        self._stop.set()
        for name in [n for n in self.processes if n.startswith("worker-")]:
            self.stop(name)
        self.stop("web")
        self.stop_services()
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.store)], capture_output=True)
        self._keep_logs()
        shutil.rmtree(self.base, ignore_errors=True)

    def _keep_logs(self) -> None:
        """Copy the servers' logs out of the scratch folder and name the errors they hold."""
        kept = Path(tempfile.gettempdir()) / "load-bench-logs"
        shutil.rmtree(kept, ignore_errors=True)
        kept.mkdir()
        errors: dict[str, int] = {}
        for log in self.base.glob("*.log"):
            shutil.copy(log, kept / log.name)
            lines = log.read_text(errors="replace").splitlines()
            for i, line in enumerate(lines):
                if line.startswith("Traceback"):
                    end = next((j for j in range(i + 1, len(lines))
                                if lines[j] and not lines[j].startswith(" ")), None)  # fmt: skip
                    if end is not None:
                        errors[f"{log.name}: {lines[end][:200]}"] = (
                            errors.get(f"{log.name}: {lines[end][:200]}", 0) + 1
                        )
        print(f"\nserver logs kept in {kept}")
        for error, count in sorted(errors.items(), key=lambda e: -e[1]):
            print(f"   traceback ×{count}: {error}")

    def _create_buyers(self, count: int) -> list[str]:
        # Buying committees of a few people: ten companies, consecutive buyers in different
        # ones (all in one account, every buyer's event would wait on that one deal's lock).
        emails = [f"buyer{n:03d}@co{n % COMPANIES}.bench.example" for n in range(count)]
        script = (
            "import sys\n"
            "from portal import create_app\n"
            "from portal.auth.services import create_user\n"
            "from portal.extensions import db\n"
            "from portal.models import User\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    for email in sys.argv[2:]:\n"
            "        if db.session.scalar(db.select(User).filter_by(email=email)):\n"
            "            continue\n"
            "        create_user(email, sys.argv[1], name='Bench buyer',"
            " company=email.split('@')[1], tracking_consent=True,"
            " password_method='pbkdf2:sha256:20000')\n"
            "    db.session.commit()\n"
        )
        subprocess.run(
            [sys.executable, "-c", script, PASSWORD, *emails], cwd=ROOT, env=self.env, check=True
        )
        return emails


@dataclass(kw_only=True)
class ScaleStack(Stack):
    """PostgreSQL, RQ workers on a dedicated Redis, gunicorn (README "Running at scale")."""

    database: str
    pg_admin: str
    workers: int
    web_workers: int
    threads: int

    def mode_env(self) -> dict[str, str]:
        self.redis_port = free_port()
        self.database_url = f"postgresql+psycopg://{self.pg_admin}/{self.database}"
        return {
            "DATABASE_URL": self.database_url,
            "QUEUE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
        }

    def web_argv(self) -> list[str]:
        return [str(BIN / "gunicorn"), "-w", str(self.web_workers), "-k", "gthread",
                "--threads", str(self.threads), "-b", f"127.0.0.1:{self.web_port}",
                "--timeout", "60", "--graceful-timeout", "5", "--keep-alive", "30",
                "--pythonpath", str(ROOT / "bench"),
                "load_app:app"]  # fmt: skip

    def describe(self) -> str:
        return (
            f"gunicorn {self.web_workers}×{self.threads} threads, {self.workers} RQ workers, "
            f"Redis :{self.redis_port}"
        )

    def warm_rounds(self) -> int:
        return 2 * self.web_workers * self.threads

    def start_services(self) -> None:
        self.start_redis()

    def stop_services(self) -> None:
        self.stop_redis()

    def start_redis(self) -> None:
        self._spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.base)],
            "redis",
        )  # fmt: skip
        wait_for(lambda: self._redis_ping(), 15, "redis-server")

    def stop_redis(self) -> None:
        self.stop("redis")

    def _redis_ping(self) -> bool:
        with closing(socket.create_connection(("127.0.0.1", self.redis_port), 1)) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def start_workers(self) -> None:
        for n in range(self.workers):
            self.start_worker(n)

    def kill_runner(self) -> None:
        """One RQ worker and everything under it (work horse, sandbox child)."""
        for name in [n for n in self.processes if n.startswith("worker-")][:1]:
            self.kill_group(name)

    # -- database

    def _psql(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(f"postgresql://{self.pg_admin}/{database}", autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> None:
        self._psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self._psql(f'CREATE DATABASE "{self.database}"')

    def drop_database(self) -> None:
        self._psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def query(self, sql: str) -> list[tuple]:
        import psycopg

        url = f"postgresql://{self.pg_admin}/{self.database}"
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(sql).fetchall()


@dataclass(kw_only=True)
class EmbeddedStack(Stack):
    """The embedded defaults of ``make run``: a SQLite file (in the scratch folder), no
    ``QUEUE_URL`` so demo runs go to the in-process pool of the web process, served by
    ``flask serve`` (werkzeug, threaded), the server DESIGN.md's "Modes" table names for this
    mode. The README documents gunicorn only together with PostgreSQL and RQ ("Running at
    scale"), so the embedded run does not use it."""

    not_applicable: ClassVar[dict[str, str]] = {
        "PostgreSQL connections killed": "no PostgreSQL in embedded mode (SQLite file)",
        "Redis stopped 30 s": "no Redis in embedded mode: runs go to the in-process pool",
    }
    labels: ClassVar[dict[str, str]] = {"worker killed mid-run": "pool's run child killed"}

    def mode_env(self) -> dict[str, str]:
        self.sqlite = self.base / "testdrive.sqlite3"
        return {"DATABASE_URL": f"sqlite:///{self.sqlite}", "QUEUE_URL": ""}

    def web_argv(self) -> list[str]:
        return [str(BIN / "flask"), "--app", "bench/load_app.py:app", "serve",
                "--host", "127.0.0.1", "--port", str(self.web_port)]  # fmt: skip

    def describe(self) -> str:
        return (
            f"flask serve (threaded), SQLite {self.sqlite}, in-process pool of "
            f"{self.env['SANDBOX_WORKERS']}"
        )

    def query(self, sql: str) -> list[tuple]:
        with closing(sqlite3.connect(self.sqlite, timeout=30)) as conn:
            return conn.execute(sql).fetchall()

    def kill_runner(self) -> None:
        """The in-process pool's sandbox children (the running ones and the spare started
        ahead): the web process and its pool threads stay, as they would in production."""
        for pid in descendants(self.processes["web"].pid):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def descendants(root: int) -> list[int]:
    """Processes below ``root``, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            pid, rest = stat.read_text().split(" (", 1)
            children.setdefault(int(rest.rsplit(") ", 1)[1].split()[1]), []).append(int(pid))
    found, todo = [], [root]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


# ----------------------------------------------------------------------------- locust stages


@dataclass
class StageResult:
    label: str
    users: int
    seconds: float
    rows: list[dict]
    failures: list[dict]
    total_rps: float

    def row(self, name: str) -> dict | None:
        return next((r for r in self.rows if r["Name"] == name), None)


def run_locust(
    stack: Stack, label: str, users: int, seconds: int, classes: list[str], extra_env=None
) -> StageResult:
    prefix = stack.base / f"locust-{label.replace(' ', '_')}"
    env = dict(
        os.environ,
        BENCH_BUYERS=",".join(stack.buyers),
        BENCH_PASSWORD=PASSWORD,
        **(extra_env or {}),
    )
    argv = [
        str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "--host", stack.url, "-u", str(users), "-r", str(max(1, users // 2)),
        "-t", f"{seconds}s", "--stop-timeout", "10", "--csv", str(prefix),
        "--only-summary", "--loglevel", "WARNING", *classes,
    ]  # fmt: skip
    with open(stack.base / "locust.log", "ab") as log:
        subprocess.run(argv, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{prefix}_failures.csv", encoding="utf-8") as failed:
        failures = list(csv.DictReader(failed))
    total = next((r for r in rows if r["Name"] == "Aggregated"), {})
    return StageResult(label, users, seconds, rows, failures, float(total.get("Requests/s") or 0))


def print_stage(result: StageResult) -> None:
    print(f"\n== {result.label}: {result.users} users, {result.seconds} s, "
          f"{result.total_rps:.1f} requests/s ==")  # fmt: skip
    print(f"{'page':44} {'count':>7} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7}  (ms)")
    for row in sorted(result.rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        print(
            f"{row['Name'][:44]:44} {row['Request Count']:>7} {row['Failure Count']:>6} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
        )
    for failure in sorted(result.failures, key=lambda f: -int(f["Occurrences"]))[:8]:
        print(f"   error ×{failure['Occurrences']}: {failure['Name']}: {failure['Error'][:90]}")


# ----------------------------------------------------------------------------- probe, checks


class Probe(threading.Thread):
    """Requests the product page every 0.25 s and remembers when it failed."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.samples: list[tuple[float, bool]] = []
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.samples.append((time.monotonic(), http_ok(self.url, timeout=10)))
            self._done.wait(0.25)

    def stop(self) -> None:
        self._done.set()
        self.join(15)

    def recovery_after(self, cleared: float) -> float:
        """Seconds from the fault's end to the last failed probe after it (0: none failed)."""
        failed = [t for t, ok in self.samples if not ok and t >= cleared]
        return max(0.0, failed[-1] - cleared + 0.25) if failed else 0.0

    def failed_during(self, start: float, cleared: float) -> int:
        return sum(1 for t, ok in self.samples if not ok and start <= t <= cleared)


# Orders placed during the benchmark (by the bench buyers); seeded demo orders are left out.
BENCH_ORDERS = (
    "SELECT o.* FROM order_record o JOIN user_account u ON u.id = o.user_id "
    "WHERE u.email LIKE '%.bench.example'"
)
CHECKS = {
    "orders whose payments exceed or miss the total": f"""
        SELECT count(*) FROM ({BENCH_ORDERS}) o
        LEFT JOIN (SELECT order_id, sum(amount) AS paid FROM payment GROUP BY order_id) p
               ON p.order_id = o.id
        WHERE (o.status = 'paid' AND coalesce(p.paid, 0) <> o.total)
           OR (o.status IN ('pending', 'awaiting_payment', 'failed') AND coalesce(p.paid, 0) > 0)
           OR coalesce(p.paid, 0) > o.total""",
    "orders without lines, or lines not adding up": f"""
        SELECT count(*) FROM ({BENCH_ORDERS}) o
        LEFT JOIN (SELECT order_id, sum(total) AS lines FROM order_line GROUP BY order_id) l
               ON l.order_id = o.id
        WHERE l.lines IS NULL OR l.lines <> o.subtotal""",
    "carts checked out twice": f"""
        SELECT count(*) FROM (SELECT cart_key FROM ({BENCH_ORDERS}) o
                              WHERE cart_key IS NOT NULL GROUP BY cart_key
                              HAVING count(*) > 1) d""",
}


def settle_runs(stack: Stack, wait: float) -> tuple[int, float]:
    """Ask for the status of every queued/running run (as a polling browser would) until
    none is left or ``wait`` seconds pass; returns (runs still active, seconds it took)."""
    script = (
        "from sqlalchemy import select\n"
        "from portal import create_app\n"
        "from portal.extensions import db\n"
        "from portal.models import TrialRun\n"
        "from portal.trials.runs import refresh_run\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    runs = db.session.scalars(select(TrialRun).where("
        "TrialRun.state.in_(('queued', 'running')))).all()\n"
        "    for run in runs:\n"
        "        try:\n"
        "            refresh_run(run)\n"
        "            db.session.commit()\n"
        "        except Exception:\n"
        "            db.session.rollback()\n"
    )
    started = time.monotonic()
    while True:
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=stack.env, capture_output=True)
        active = stack.query("SELECT count(*) FROM trial_run WHERE state IN ('queued', 'running')")
        left = active[0][0]
        if left == 0 or time.monotonic() - started > wait:
            return left, time.monotonic() - started
        time.sleep(2)


def half_written_datasets(stack: Stack) -> int:
    """Dataset rows without their stored files, and stored datasets missing a file."""
    rows = stack.query("SELECT sandbox_id FROM trial_dataset")
    on_disk = {p.name: p for p in stack.store.glob("owners/*/datasets/ds_*")}
    bad = 0
    for (sandbox_id,) in rows:
        path = on_disk.get(sandbox_id)
        if path is None or not (path / "data.parquet").is_file():
            bad += 1
    for path in on_disk.values():
        if not (path / "meta.json").is_file() or not (path / "data.parquet").is_file():
            bad += 1
    return bad


def consistency(stack: Stack, run_wait: float) -> dict[str, int]:
    found = {name: stack.query(sql)[0][0] for name, sql in CHECKS.items()}
    stuck, _ = settle_runs(stack, run_wait)
    found["runs stuck queued/running after recovery"] = stuck
    found["half-written datasets"] = half_written_datasets(stack)
    found["bench orders"] = stack.query(f"SELECT count(*) FROM ({BENCH_ORDERS}) o")[0][0]
    found["runs failed / total"] = stack.query(
        "SELECT count(*) FILTER (WHERE state = 'failed') || ' / ' || count(*) FROM trial_run"
    )[0][0]
    return found


# ----------------------------------------------------------------------------- faults


def fault_pg_terminate(stack: ScaleStack, at: float) -> tuple[float, float]:
    """Terminate every connection the app holds, three times, 2 s apart."""
    time.sleep(at)
    start = time.monotonic()
    for _ in range(3):
        stack.query(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            f"'{stack.database}' AND pid <> pg_backend_pid()"
        )
        time.sleep(2)
    return start, time.monotonic()


def fault_redis_down(stack: ScaleStack, at: float, seconds: float = 30) -> tuple[float, float]:
    time.sleep(at)
    start = time.monotonic()
    stack.stop_redis()
    time.sleep(seconds)
    stack.start_redis()
    return start, time.monotonic()


def fault_worker_killed(stack: Stack, at: float) -> tuple[float, float]:
    """SIGKILL what executes runs (at scale one RQ worker's process group, embedded the
    in-process pool's sandbox children) while a run is going."""
    time.sleep(at)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # wait until a run is in progress
        if stack.query("SELECT count(*) FROM trial_run WHERE state = 'running'")[0][0]:
            break
        time.sleep(0.2)
    start = time.monotonic()
    stack.kill_runner()
    return start, time.monotonic()


def fault_disk_full(stack: Stack, at: float, seconds: float = 20) -> tuple[float, float]:
    """Fill the sandbox store's file system, keep it full, then free it."""
    time.sleep(at)
    start = time.monotonic()
    filler = stack.store / "filler.bin"
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(chunk)
                out.flush()
        except OSError:
            pass
    time.sleep(seconds)
    filler.unlink()
    return start, time.monotonic()


FAULTS = {
    "PostgreSQL connections killed": fault_pg_terminate,
    "Redis stopped 30 s": fault_redis_down,
    "worker killed mid-run": fault_worker_killed,
    "sandbox store disk full": fault_disk_full,
}
INFO = ("runs failed / total", "bench orders")
MIX = ["Visitor", "Prospect", "Buyer", "Seller"]


def run_fault(stack: Stack, name: str, users: int, seconds: int) -> dict:
    label = stack.labels.get(name, name)
    reason = stack.not_applicable.get(name)
    if name == "sandbox store disk full" and not stack.mounted:
        reason = "the store is not on its own file system"
    if reason:
        print(f"\n== fault: {label}: skipped ({reason}) ==", flush=True)
        return {"fault": label, "skipped": reason}
    probe = Probe(stack.url + PROBE_PATH)
    probe.start()
    box: dict = {}
    worker = threading.Thread(
        target=lambda: box.update(window=FAULTS[name](stack, at=min(8, seconds / 4))),
        daemon=True,
    )
    worker.start()
    result = run_locust(stack, f"fault: {label}", users, seconds, MIX)
    worker.join(120)
    time.sleep(3)
    probe.stop()
    start, cleared = box.get("window", (0.0, 0.0))
    print_stage(result)
    checks = consistency(stack, run_wait=45)
    recovery = probe.recovery_after(cleared)
    summary = {
        "fault": label,
        "result": result,
        "recovery_s": recovery,
        "probe_failures_during": probe.failed_during(start, cleared),
        "fault_seconds": cleared - start,
        "checks": checks,
    }
    during = summary["probe_failures_during"]
    print(f"   fault lasted {cleared - start:.1f} s; product page probe failed {during}× "
          f"during it; recovered {recovery:.1f} s after")  # fmt: skip
    for check, value in checks.items():
        print(f"   check: {check}: {value}")
    return summary


def throughput(stack: Stack, seconds: int, users: int) -> dict[str, float]:
    figures = {}
    for path in ("/bench/bare", PROBE_PATH):
        result = run_locust(
            stack, f"throughput {path}", users, seconds, ["Throughput"], {"BENCH_TARGET": path}
        )
        row = result.row("target") or {}
        figures[path] = float(row.get("Requests/s") or 0)
        print(f"   {path}: {figures[path]:.1f} requests/s, p50 {row.get('50%')} ms, "
              f"errors {row.get('Failure Count')}")  # fmt: skip
    return figures


# ----------------------------------------------------------------------------- main


def summary_table(stages: list[StageResult], faults: list[dict], figures: dict) -> None:
    pages = ("/", "/products", "/products/[slug]", "/search?q=[q]", "/seller/pipeline",
             "checkout (end to end)", "trial (end to end)", "Aggregated")  # fmt: skip
    print("\n== Summary (p50 / p95 / p99 ms, errors) ==")
    print(f"{'stage':36} " + " ".join(f"{p[:22]:>24}" for p in pages))
    for stage in stages + [f["result"] for f in faults if "result" in f]:
        cells = []
        for page in pages:
            row = stage.row(page)
            cells.append(
                f"{row['50%']}/{row['95%']}/{row['99%']} e{row['Failure Count']}" if row else "-"
            )
        print(f"{stage.label[:36]:36} " + " ".join(f"{c:>24}" for c in cells))
    for fault in faults:
        if "skipped" in fault:
            print(f"{fault['fault']}: skipped ({fault['skipped']})")
            continue
        bad = {k: v for k, v in fault["checks"].items() if k not in INFO and v}
        print(f"{fault['fault']:36} recovery {fault['recovery_s']:.1f} s; "
              f"checks {bad if bad else 'all 0'}; runs failed/total "
              f"{fault['checks']['runs failed / total']}")  # fmt: skip
    bare, product = figures.get("/bench/bare", 0), figures.get(PROBE_PATH, 0)
    if bare:
        print(
            f"product page {product:.1f} req/s vs bare route {bare:.1f} req/s: "
            f"{100 * product / bare:.0f} %"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter stages (20 s)")
    parser.add_argument("--seconds", type=int, help="seconds per load stage")
    parser.add_argument("--users", default="10,50,100", help="concurrent users per stage")
    parser.add_argument("--fault-users", type=int, default=50, help="users while faulting")
    parser.add_argument("--no-faults", action="store_true", help="skip the fault stages")
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="the make run defaults: SQLite, in-process pool, flask serve (no PostgreSQL/Redis)",
    )
    parser.add_argument(
        "--database", default="load_bench", help="scratch PostgreSQL database (dropped)"
    )
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432", help="user@host:port")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--workers", type=int, default=2, help="RQ workers")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="use the kept database as it is (no re-seeding)"
    )
    args = parser.parse_args(argv)
    if args.embedded and (args.keep or args.reuse):
        parser.error("--keep and --reuse are for PostgreSQL; the SQLite file is scratch")
    seconds = args.seconds or (20 if args.quick else 60)
    fault_seconds = max(seconds, 45)  # the Redis outage alone is 30 s (same stages embedded)
    if args.embedded:
        stack: Stack = EmbeddedStack()
    else:
        stack = ScaleStack(
            database=args.database, pg_admin=args.pg, workers=args.workers,
            web_workers=args.web_workers, threads=args.threads, reuse=args.reuse,
        )  # fmt: skip
    stages: list[StageResult] = []
    faults: list[dict] = []
    figures: dict = {}
    try:
        stack.start()
        for users in (int(u) for u in args.users.split(",")):
            result = run_locust(stack, f"{users} users", users, seconds, MIX)
            print_stage(result)
            stages.append(result)
        print("\n== checks after the load stages ==")
        for check, value in consistency(stack, run_wait=60).items():
            print(f"   check: {check}: {value}")
        if not args.no_faults:
            for name in FAULTS:
                faults.append(run_fault(stack, name, args.fault_users, fault_seconds))
        print("\n== throughput: product page vs a bare Flask route (20 users, no think time) ==")
        figures = throughput(stack, max(10, seconds // 2), 20)
        restarts = sum(stack.restarts.values())
        print(f"\nworker restarts by the supervisor: {restarts}")
        summary_table(stages, faults, figures)
    finally:
        stack.shutdown()
        if not args.keep:
            stack.drop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
