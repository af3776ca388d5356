"""PostgreSQL connections killed under load: how many answers are 500, ours vs the baseline.

One command (PostgreSQL on 127.0.0.1:5432, user postgres, as for the test suite):

    .venv/bin/python bench/pg_kill_bench.py [--seconds 10] [--threads 6]

It makes a scratch database (dropped at the end), serves the portal on loopback with a
threaded server and, while client threads request pages, terminates every backend of that
database every 0.3 s. The same run is made twice: the baseline without the portal's own
session teardown (``portal.db_setup.register_session_end``: what was there before) and ours.
It prints the answers by status for each. A 503 is the intended answer for a request whose
connection died under it; a 500 is the bug.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psycopg
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal import create_app
from portal.extensions import db

SERVER = "postgres@127.0.0.1:5432"
ADMIN_URL = f"postgresql://{SERVER}/postgres"
DATABASE = "pg_kill_bench"
BENCH_URL = f"postgresql://{SERVER}/{DATABASE}"
PAGES = ("/", "/products", "/search?q=lens", "/healthz")


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _app(tmp: Path, ours: bool):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": BENCH_URL.replace("postgresql:", "postgresql+psycopg:"),
            "RATELIMIT_ENABLED": False,
            "MAIL_OUTBOX": str(tmp / "outbox"),
            "SANDBOX_STORE": str(tmp / "sandbox"),
            "CATALOG_FILES": str(tmp / "catalog_files"),
        }
    )
    if not ours:  # the baseline: only Flask-SQLAlchemy's teardown closes the session
        app.teardown_appcontext_funcs[:] = [
            f for f in app.teardown_appcontext_funcs if f.__name__ != "end_session"
        ]
    return app


def measure(app, seconds: float, threads: int) -> Counter:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}"
    answers: Counter = Counter()
    stop = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop:
            for page in PAGES:
                try:
                    with urllib.request.urlopen(base + page, timeout=30) as response:
                        answers[response.status] += 1
                except urllib.error.HTTPError as error:
                    answers[error.code] += 1
                except OSError as error:
                    answers[type(error).__name__] += 1

    clients = [threading.Thread(target=client) for _ in range(threads)]
    for thread in clients:
        thread.start()
    with psycopg.connect(BENCH_URL, autocommit=True) as c:
        while time.monotonic() < stop:
            c.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            time.sleep(0.3)
    for thread in clients:
        thread.join()
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    return answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=6)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # each killed request logs a warning (or a traceback)
    _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DATABASE}"')
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = {}
            for name, ours in (("baseline", False), ("ours", True)):
                app = _app(Path(tmp), ours)
                with app.app_context():
                    db.create_all()
                results[name] = measure(app, args.seconds, args.threads)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    print(f"{args.seconds:g} s, {args.threads} client threads, every backend killed every 0.3 s")
    print(f"{'':10} {'answers':>8} {'200':>6} {'503':>6} {'500':>6}  other")
    for name, answers in results.items():
        total = sum(answers.values())
        other = {k: v for k, v in answers.items() if k not in (200, 503, 500)}
        counts = f"{total:8} {answers[200]:6} {answers[503]:6} {answers[500]:6}"
        print(f"{name:10} {counts}  {other or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
