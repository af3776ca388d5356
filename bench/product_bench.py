"""The product page's throughput against a bare Flask route, on the same gunicorn.

    .venv/bin/python bench/product_bench.py                 # 6 rounds × 2 × 5 s, 8 client threads
    .venv/bin/python bench/product_bench.py --rounds 10 --seconds 10 --threads 16
    .venv/bin/python bench/product_bench.py --no-cache      # the same with PRODUCT_PAGE_CACHE=0

It starts what ``bench/load.py`` starts at scale and reuses its code to do it (``ScaleStack``):
a scratch PostgreSQL database (``--database``, default ``product_bench``, dropped afterwards),
migrated and seeded with ``flask seed-demo``; a dedicated redis-server; gunicorn serving
``bench/load_app.py`` (the portal plus ``/bench/bare``, which still runs every before/after
request hook of the app). No RQ workers: nothing here runs a demo.

Then, interleaved in rounds so that a change in the machine's load hits both alike, it
hammers ``/bench/bare`` and the product page (warm: every gunicorn process has served it)
for ``--seconds`` each with ``--threads`` client threads, each a keep-alive connection that
keeps its cookies as a browser would (an anonymous visitor, not asked about tracking yet).
It prints requests/s per path and round, the totals and the ratio, and the server's CPU time
per request (user + system of the gunicorn processes, from /proc), which the client's own
CPU use and other work on the machine disturb much less than requests/s. The client runs on
the same cores: its CPU per request is printed too. Nothing here is part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from load import PROBE_PATH, ScaleStack, descendants

BARE = "/bench/bare"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Window:
    path: str
    seconds: float
    ok: int = 0
    errors: int = 0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    samples: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def server_cpu_seconds(root: int) -> float:
    """User + system CPU of the gunicorn master and its workers, in seconds."""
    total = 0
    for pid in [root, *descendants(root)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def hammer(port: int, path: str, seconds: float, threads: int, root: int) -> Window:
    """``threads`` keep-alive clients requesting ``path`` as fast as answered."""
    stop = time.monotonic() + seconds
    counts = [[0, 0] for _ in range(threads)]
    notes: list[str] = []

    def client(slot: list[int]) -> None:
        cookies: dict[str, str] = {}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
            try:
                conn.request("GET", path, headers=headers if cookies else {})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                slot[1] += 1
                notes.append(type(error).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
            slot[0 if response.status == 200 else 1] += 1
            if response.status != 200:
                notes.append(str(response.status))
        conn.close()

    cpu_before, client_before = server_cpu_seconds(root), time.process_time()
    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(slot,)) for slot in counts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return Window(
        path=path,
        seconds=elapsed,
        ok=sum(ok for ok, _ in counts),
        errors=sum(bad for _, bad in counts),
        server_cpu=server_cpu_seconds(root) - cpu_before,
        client_cpu=time.process_time() - client_before,
        samples=notes[:5],
    )


def summarise(windows: list[Window], path: str) -> tuple[float, float, float, int]:
    mine = [w for w in windows if w.path == path]
    ok = sum(w.ok for w in mine)
    seconds = sum(w.seconds for w in mine)
    server = sum(w.server_cpu for w in mine)
    client = sum(w.client_cpu for w in mine)
    errors = sum(w.errors for w in mine)
    per = (lambda cpu: 1000 * cpu / ok) if ok else (lambda cpu: 0.0)
    return ok / seconds if seconds else 0.0, per(server), per(client), errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6, help="bare/product pairs of windows")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per window")
    parser.add_argument("--threads", type=int, default=8, help="client threads (connections)")
    parser.add_argument("--path", default=PROBE_PATH, help="the product page to measure")
    parser.add_argument("--no-cache", action="store_true", help="PRODUCT_PAGE_CACHE=0")
    parser.add_argument("--database", default="product_bench", help="scratch PostgreSQL db")
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432", help="user@host:port")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per process")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the kept database as is")
    args = parser.parse_args(argv)
    stack = ScaleStack(
        database=args.database, pg_admin=args.pg, workers=0, web_workers=args.web_workers,
        threads=args.web_threads, reuse=args.reuse, supervise=False,
    )  # fmt: skip
    if args.no_cache:
        stack.env["PRODUCT_PAGE_CACHE"] = "0"
    windows: list[Window] = []
    try:
        stack.start()
        root = stack.processes["web"].pid
        cache = "off" if args.no_cache else "on"
        print(f"load before: {os.getloadavg()[0]:.2f} (1 min); client {args.threads} threads; "
              f"product page {args.path}; cache {cache}", flush=True)  # fmt: skip
        for path in (BARE, args.path):  # warm every process and thread, not counted
            hammer(stack.web_port, path, 2, args.threads, root)
        print(f"{'round':>5} {'path':28} {'req/s':>8} {'server ms/req':>14} {'errors':>7}")
        for n in range(1, args.rounds + 1):
            for path in (BARE, args.path) if n % 2 else (args.path, BARE):
                window = hammer(stack.web_port, path, args.seconds, args.threads, root)
                windows.append(window)
                per = 1000 * window.server_cpu / window.ok if window.ok else 0
                notes = f"  {', '.join(window.samples)}" if window.samples else ""
                print(f"{n:>5} {path:28} {window.rps:>8.1f} {per:>14.2f} {window.errors:>7}"
                      f"{notes}", flush=True)  # fmt: skip
        bare, page = summarise(windows, BARE), summarise(windows, args.path)
        print(f"\nload after: {os.getloadavg()[0]:.2f} (1 min)")
        print(f"{'':28} {'req/s':>8} {'server CPU ms/req':>18} {'client CPU ms/req':>18} errors")
        for label, (rps, server, client, errors) in (("bare route", bare), ("product", page)):
            print(f"{label:28} {rps:>8.1f} {server:>18.2f} {client:>18.2f} {errors:>6}")
        if bare[0] and page[1]:
            print(f"\nproduct page {page[0]:.1f} req/s vs bare {bare[0]:.1f} req/s: "
                  f"{100 * page[0] / bare[0]:.0f} % (server CPU per request: "
                  f"{100 * bare[1] / page[1]:.0f} %)")  # fmt: skip
    finally:
        stack.shutdown()
        if not args.keep:
            stack.drop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
