"""Pipeline benchmark: 100,000 deals from 5,000,000 events.

    python bench/pipeline_bench.py                      # SQLite in a temporary folder
    TEST_DATABASE_URL=postgresql+psycopg://… python bench/pipeline_bench.py   # PostgreSQL
    python bench/pipeline_bench.py --deals 10000 --events 500000            # smaller
    python bench/pipeline_bench.py --deals 5000 --events 250000 --baseline 273bf2b  # vs a ref

The PostgreSQL run drops and recreates the ``public`` schema of that database: point it at
a scratch database. Events are generated in bulk (executemany on SQLite, COPY on PostgreSQL),
then ``rebuild`` builds the deals; the run measures

- recording an event through the real ``record_event`` path (listener included, one commit
  per event, as in a request): median and p99;
- board and analytics server time (the real views through the test client);
- rebuild time;
- the board against a naive recomputation from the events, in the same run;
- the board's and the analytics page's query counts here and on a small database (they
  must not depend on the deals);
- the analytics page with its medians cached and recomputed (the path before the cache);
- with ``--baseline REF``: that ref's own bench on its own code, same sizes, after ours (on
  PostgreSQL in the same database); board and analytics, median and fastest, ours / theirs.

Targets (issue 8): record median <= 2 ms; board <= 200 ms; analytics <= 500 ms.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.extensions import db
from portal.models import Account, Base, Deal, Event, Plan, Product, User

PASSWORD = "bench-password-123"
# Each account walks the buying process to a random depth; these are the kinds per depth.
FUNNEL = (
    ("signed_up", "logged_in", "searched", "product_viewed"),
    ("product_viewed", "sheet_downloaded", "products_compared", "resource_downloaded"),
    ("demo_uploaded", "demo_started", "demo_completed", "demo_failed"),
    ("testimonials_viewed", "question_asked", "answer_viewed", "reference_requested"),
    ("cart_item_added", "checkout_started", "quote_downloaded"),
    ("order_placed", "order_paid"),
)
DEPTH_WEIGHTS = (30, 25, 18, 12, 10, 5)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--records", type=int, default=2000, help="events timed one by one")
    parser.add_argument("--repeat", type=int, default=15, help="board/analytics requests")
    parser.add_argument("--url", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also run the bench of this git ref (its code, same sizes and database) and "
        "print its board and analytics medians next to ours, e.g. --baseline 273bf2b",
    )
    return parser.parse_args()


def make_app(url: str):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_OUTBOX": tempfile.mkdtemp(prefix="bench-outbox-"),
        }
    )


def reset_schema(app) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        Base.metadata.create_all(db.engine)


def populate(app, deals: int, events: int, seed: int = 8) -> dict:
    """Catalog, sellers, accounts with one person each, and the events, in bulk."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with app.app_context():
        from portal.auth.services import create_user
        from portal.pipeline.stages import create_default_stages

        create_default_stages()
        create_user("seller@bench.example", PASSWORD, role="seller", tracking_consent=True)
        products, plans = [], []
        for n in range(20):
            product = Product(slug=f"p{n}", name=f"Product {n}", recipe="data_doctor")
            db.session.add(product)
            db.session.flush()
            products.append(product.id)
            for amount in (1900 + 100 * n, 49_000 + 1000 * n):
                plan = Plan(product_id=product.id, name="Plan", unit_amount=amount)
                db.session.add(plan)
                db.session.flush()
                plans.append((plan.id, product.id))
        db.session.commit()

        started = time.perf_counter()
        db.session.execute(
            insert(Account),
            [
                {"name": f"Company {i}", "domain": f"company{i}.example", "is_personal": False}
                for i in range(deals)
            ],
        )
        account_ids = list(
            db.session.scalars(
                select(Account.id).where(Account.name.like("Company %")).order_by(Account.id)
            )
        )
        dummy = generate_password_hash("not-used", method="pbkdf2:sha256:1000")
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"buyer{i}@company{i}.example",
                    "name": f"Buyer {i}",
                    "password_hash": dummy,
                    "role": "buyer",
                    "account_id": account_id,
                    "tracking_consent": True,
                }
                for i, account_id in enumerate(account_ids)
            ],
        )
        db.session.commit()
        people = dict(
            db.session.execute(select(User.account_id, User.id).where(User.role == "buyer")).all()
        )
        per_account = max(1, events // deals)
        columns = ("kind", "occurred_at", "user_id", "account_id", "product_id", "props")
        rows: list[tuple] = []
        written = 0
        for account_id in account_ids:
            depth = rng.choices(range(len(FUNNEL)), weights=DEPTH_WEIGHTS)[0]
            kinds = [k for level in FUNNEL[: depth + 1] for k in level]
            start = now - timedelta(days=rng.uniform(1, 365))
            span = (now - start).total_seconds()
            product, user = rng.choice(products), people[account_id]
            times = sorted(rng.uniform(0, span) for _ in range(per_account))
            for index, offset in enumerate(times):
                # walk the funnel in order, then keep browsing at random
                kind = kinds[index] if index < len(kinds) else rng.choice(kinds)
                props = _props(kind, rng, plans, product)
                rows.append(
                    (
                        kind,
                        start + timedelta(seconds=offset),
                        user,
                        account_id,
                        product,
                        props,
                    )
                )
            if len(rows) >= 50_000:
                written += _bulk_insert(columns, rows)
                rows = []
        written += _bulk_insert(columns, rows)
        db.session.commit()
        return {"events": written, "seconds": time.perf_counter() - started}


def _props(kind: str, rng: random.Random, plans, product: int) -> dict:
    if kind == "searched":
        return {
            "query": rng.choice(("forecast", "sso", "churn", "gdpr")),
            "results": rng.randint(0, 3),
        }
    if kind in ("demo_started", "demo_completed", "demo_failed"):
        return {"run_id": "r", "recipe": "data_doctor", "rows": rng.randint(100, 90_000)}
    if kind == "cart_item_added":
        plan = rng.choice([p for p, prod in plans if prod == product])
        return {"plan_id": plan, "quantity": rng.randint(1, 20)}
    if kind in ("order_placed", "order_paid", "checkout_started"):
        return {"amount": rng.randint(1_000, 500_000), "currency": "USD"}
    return {}


def _bulk_insert(columns: tuple[str, ...], rows: list[tuple]) -> int:
    if not rows:
        return 0
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        statement = f"COPY event ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row((*row[:5], json.dumps(row[5])))
    else:
        raw = connection.connection.driver_connection
        raw.executemany(
            f"INSERT INTO event ({', '.join(columns)}) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (r[0], r[1].astimezone(UTC).replace(tzinfo=None).isoformat(" "), r[2], r[3],
                 r[4], json.dumps(r[5]))
                for r in rows
            ],
        )  # fmt: skip
    return len(rows)


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        sa_event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, *args):
        self.count += 1

    def __exit__(self, *exc):
        sa_event.remove(self.engine, "before_cursor_execute", self._seen)


def timed_requests(app, path: str, repeat: int) -> tuple[list[float], int]:
    client = app.test_client()
    response = client.post("/login", data={"email": "seller@bench.example", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    client.get(path)  # warm caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as counter:
        client.get(path)
    return times, counter.count


def timed_analytics(app, repeat: int) -> dict:
    """The analytics page with its medians cached (as every view after the first since the
    last stage change) and with them recomputed from every transition (as every view was
    before the cache, and the first view after a change is), alternating in one run."""
    from portal.pipeline.history_figures import forget_cached

    client = app.test_client()
    response = client.post("/login", data={"email": "seller@bench.example", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    path = "/seller/analytics"
    client.get(path)  # warm caches
    cached, recomputed = [], []
    for _ in range(repeat):
        forget_cached(app)
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        recomputed.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        cached.append((time.perf_counter() - started) * 1000)
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as counter:
        client.get(path)
    forget_cached(app)
    with QueryCounter(engine) as cold:
        client.get(path)
    return {"cached": cached, "recomputed": recomputed, "queries": (counter.count, cold.count)}


def time_recording(app, records: int, seed: int = 9) -> tuple[list[float], list[float]]:
    """Record events one by one through record_event (+ the listener) and commit each.

    Returns the times with the commit (as a request that only records would) and without it
    (the cost added to the caller's own transaction)."""
    from portal.journey.services import Actor, record_event

    rng = random.Random(seed)
    with app.app_context():
        buyers = db.session.execute(
            select(User.id, User.account_id).where(User.role == "buyer")
        ).all()
        products = list(db.session.scalars(select(Product.id)))
        times, recording = [], []
        for _ in range(records):
            user_id, account_id = rng.choice(buyers)
            actor = Actor(user_id=user_id, account_id=account_id)
            kind = rng.choice(("product_viewed", "testimonials_viewed", "demo_started"))
            props = {"run_id": "r", "recipe": "x"} if kind == "demo_started" else {}
            started = time.perf_counter()
            record_event(actor, kind, rng.choice(products), **props)
            db.session.flush()
            recorded = time.perf_counter()
            db.session.commit()
            times.append((time.perf_counter() - started) * 1000)
            recording.append((recorded - started) * 1000)
        return times, recording


def naive_board(app) -> float:
    """The board without the Deal pre-aggregate: counts per account and kind from the events,
    then every account's stage from the criteria, then the columns."""
    from portal.pipeline.engine import DealState, Metrics, furthest_holding
    from portal.pipeline.rules import load_rules

    with app.app_context():
        started = time.perf_counter()
        rules = load_rules()
        counts: dict[int, dict[str, int]] = {}
        query = select(Event.account_id, Event.kind, func.count()).group_by(
            Event.account_id, Event.kind
        )
        for account_id, kind, n in db.session.execute(query):
            counts.setdefault(account_id, {})[kind] = n
        columns: dict[int, int] = {}
        for per_kind in counts.values():
            stage = furthest_holding(rules, Metrics(DealState(counters=per_kind)))
            columns[stage.id] = columns.get(stage.id, 0) + 1
        return (time.perf_counter() - started) * 1000


def analyse(engine) -> None:
    """Planner statistics after the bulk load, as autovacuum (PostgreSQL) or a periodic
    ANALYZE (SQLite) would have them on a live system. On PostgreSQL also a CHECKPOINT: the
    bulk load's write-ahead log is set-up, not workload, and a checkpoint of it running
    during the timings would slow every commit they measure."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "postgresql":
            # Maintenance, not workload: not bound by the app's statement timeout.
            conn.execute(text("SET statement_timeout = 0"))
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("CHECKPOINT"))
        else:
            conn.execute(text("ANALYZE"))


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(url: str, deals: int, events: int, args) -> dict:
    app = make_app(url)
    reset_schema(app)
    loaded = populate(app, deals, events)
    print(f"  generated {loaded['events']:,} events for {deals:,} accounts in "
          f"{loaded['seconds']:.0f} s", flush=True)  # fmt: skip
    with app.app_context():
        from portal.pipeline.rebuild import rebuild_deals

        started = time.perf_counter()
        rebuilt = rebuild_deals(batch=2000)
        db.session.commit()
        rebuild_s = time.perf_counter() - started
        deal_count = db.session.scalar(select(func.count()).select_from(Deal))
        analyse(db.engine)
    print(f"  rebuild: {rebuilt:,} deals in {rebuild_s:.1f} s", flush=True)
    board, board_queries = timed_requests(app, "/seller/pipeline", args.repeat)
    filtered, _ = timed_requests(app, "/seller/pipeline?sort=value&stalled=1", args.repeat)
    analytics = timed_analytics(app, max(5, args.repeat // 2))
    naive = [naive_board(app) for _ in range(2)]
    record, in_transaction = time_recording(app, args.records)
    return {
        "deals": deal_count,
        "events": loaded["events"],
        "load_s": loaded["seconds"],
        "rebuild_s": rebuild_s,
        "record_median": statistics.median(record),
        "record_p99": p(record, 0.99),
        "record_nocommit_median": statistics.median(in_transaction),
        "record_nocommit_p99": p(in_transaction, 0.99),
        "board_median": statistics.median(board),
        "board_p95": p(board, 0.95),
        "board_filtered_median": statistics.median(filtered),
        "board_queries": board_queries,
        "board_times": board,
        "analytics_times": analytics["cached"],
        "analytics_median": statistics.median(analytics["cached"]),
        "analytics_recomputed_median": statistics.median(analytics["recomputed"]),
        "analytics_queries": analytics["queries"],
        "naive_board_ms": min(naive),
    }


# Runs in the baseline's tree: its own bench's run(), with its request timings captured.
_BASELINE_DRIVER = """
import argparse, json, sys
sys.path.insert(0, sys.argv[1] + "/bench")
import pipeline_bench as bench
url, deals, events, repeat = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
times = {}
timed = bench.timed_requests
def spy(app, path, n):
    result = timed(app, path, n)
    times.setdefault(path, result[0])
    return result
bench.timed_requests = spy
bench.run(url, deals, events, argparse.Namespace(records=1, repeat=repeat, url=url, keep=False))
print("BASELINE " + json.dumps(times))
"""


def run_baseline(ref: str, url: str, args) -> dict[str, list[float]]:
    """Build ``ref``'s tree (``git archive``) and run its own bench's ``run()`` on its code,
    same sizes, on ``url``; return its board and analytics request times."""
    root = Path(__file__).resolve().parent.parent
    tree = Path(tempfile.mkdtemp(prefix="pipeline-bench-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", ref], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    vendor = root / "static" / "vendor"
    if vendor.exists() and not (tree / "static" / "vendor").exists():
        (tree / "static" / "vendor").symlink_to(vendor)
    command = [sys.executable, "-c", _BASELINE_DRIVER, str(tree), url, str(args.deals),
               str(args.events), str(args.repeat)]  # fmt: skip
    # Older benches ran their CHECKPOINT under the app's statement timeout.
    env = {**os.environ, "PYTHONPATH": str(tree), "DATABASE_STATEMENT_TIMEOUT_MS": "0"}
    try:
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    found = re.search(r"^BASELINE (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"the {ref} bench failed:\n{done.stderr[-2000:]}")
    times = json.loads(found.group(1))
    return {"board": times["/seller/pipeline"], "analytics": times["/seller/analytics"]}


def main() -> None:
    args = parse_args()
    workdir = tempfile.mkdtemp(prefix="pipeline-bench-")
    url = args.url or f"sqlite:///{workdir}/bench.sqlite3"
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"Pipeline benchmark on {backend}: {args.deals:,} deals, {args.events:,} events")
    big = run(url, args.deals, args.events, args)
    small_deals = max(100, args.deals // 100)
    print(f"Small database for the query-count comparison: {small_deals:,} deals")
    small_url = args.url or f"sqlite:///{workdir}/small.sqlite3"
    small = run(small_url, small_deals, small_deals * 50, argparse.Namespace(**{
        **vars(args), "records": 200, "repeat": 5}))  # fmt: skip

    rows = [
        ("record an event, median", f"{big['record_median']:.2f} ms", "<= 2 ms"),
        ("record an event, p99", f"{big['record_p99']:.2f} ms", "(with its own commit)"),
        ("  inside the caller's transaction, median",
         f"{big['record_nocommit_median']:.2f} ms", "(record_event + listener, flushed)"),
        ("  inside the caller's transaction, p99", f"{big['record_nocommit_p99']:.2f} ms", ""),
        ("board, median (p95)", f"{big['board_median']:.0f} ms ({big['board_p95']:.0f})",
         "<= 200 ms"),
        ("board, sorted by value, stalled only", f"{big['board_filtered_median']:.0f} ms", ""),
        ("analytics, median", f"{big['analytics_median']:.0f} ms", "<= 500 ms"),
        ("  medians recomputed (old path; 1st view after a change)",
         f"{big['analytics_recomputed_median']:.0f} ms",
         f"{big['analytics_recomputed_median'] / max(big['analytics_median'], 0.001):.1f}x"),
        ("analytics queries, cached (this size / small db)",
         f"{big['analytics_queries'][0]} / {small['analytics_queries'][0]}",
         "equal" if big["analytics_queries"][0] == small["analytics_queries"][0] else "DIFFERENT"),
        ("analytics queries, recomputed (this size / small db)",
         f"{big['analytics_queries'][1]} / {small['analytics_queries'][1]}",
         "equal" if big["analytics_queries"][1] == small["analytics_queries"][1] else "DIFFERENT"),
        ("rebuild all deals", f"{big['rebuild_s']:.1f} s", ""),
        ("naive board from events", f"{big['naive_board_ms']:.0f} ms",
         f"{big['naive_board_ms'] / max(big['board_median'], 0.001):.0f}x the board"),
        ("board queries (this size / small db)",
         f"{big['board_queries']} / {small['board_queries']}",
         "equal" if big["board_queries"] == small["board_queries"] else "DIFFERENT"),
        ("board on the small db, median", f"{small['board_median']:.0f} ms", ""),
    ]  # fmt: skip
    if args.baseline:
        print(f"Baseline: the bench at {args.baseline}, same sizes", flush=True)
        base_url = args.url or f"sqlite:///{workdir}/baseline.sqlite3"
        base = run_baseline(args.baseline, base_url, args)
        for name in ("board", "analytics"):
            ours, theirs = big[f"{name}_times"], base[name]
            for label, pick in (("median", statistics.median), ("fastest", min)):
                rows.append((f"{name}, {label}: ours / {args.baseline}",
                             f"{pick(ours):.0f} / {pick(theirs):.0f} ms",
                             f"{pick(ours) / max(pick(theirs), 0.001):.2f}x"))  # fmt: skip
    print(f"\nResults ({backend}, {big['deals']:,} deals, {big['events']:,} events):")
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>14}  {note}")
    if args.keep:
        print(f"SQLite files kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
