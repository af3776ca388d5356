"""Time the column interpretation: ``python bench/interpret_bench.py [--sql]``.

Prints infer_columns on 20k-value columns of common kinds, best of 7 runs in CPU
milliseconds per column (the budget is 50 ms). With ``--sql``, also cast_sql and
invalid_sql over one million rows in DuckDB beside a bare try_strptime / TRY_CAST.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb

from sandbox.interpret import cast_sql, infer_columns, invalid_sql, parse_override

N = 20_000
GERMAN = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"


def columns() -> dict[str, list[str]]:
    rng = random.Random(1)
    days = [date(2016, 1, 1) + timedelta(days=rng.randrange(900)) for _ in range(N)]
    clock = [f"{rng.randrange(24):02d}:{rng.randrange(60):02d}" for _ in range(N)]
    return {
        "d-m-y two-digit": [d.strftime("%d-%m-%y") for d in days],
        "d-m-Y H:M": [d.strftime("%d-%m-%Y ") + c for d, c in zip(days, clock, strict=True)],
        "ISO T seconds": [d.strftime("%Y-%m-%dT") + c + f":{rng.randrange(60):02d}" for d, c in
                          zip(days, clock, strict=True)],
        "German months": [f"{d.day}. {GERMAN.split()[d.month - 1]} {d.year}" for d in days],
        "Betrag 1.234,56": [f"{rng.uniform(-1e6, 1e6):,.2f}".replace(",", "X").replace(".", ",")
                            .replace("X", ".") for _ in range(N)],
        "$1,234.56": [f"${rng.uniform(0, 1e5):,.2f}" for _ in range(N)],
        "integers": [str(rng.randrange(10**6)) for _ in range(N)],
        "distinct text": [f"Customer {rng.randrange(10**9)}" for _ in range(N)],
        "categories": [rng.choice(["Won", "Lost", "Open", "n/a"]) for _ in range(N)],
    }  # fmt: skip


def main() -> None:
    cols = columns()
    for name, values in cols.items():
        best = float("inf")
        for _ in range(7):
            start = time.process_time()
            result = infer_columns({name: values}, today=date(2026, 12, 1))[name]
            best = min(best, time.process_time() - start)
        print(f"{name:18s} {best * 1000:6.1f} ms  {result.spec()}")


SQL_CASES = [
    ("de", "date:%d.%m.%Y", "try_strptime(de, '%d.%m.%Y')"),
    ("named", "date:%d. %B %Y", None),
    ("eu", "decimal:decimal=,;thousands=.",
     "TRY_CAST(replace(replace(eu, '.', ''), ',', '.') AS DOUBLE)"),
    ("us", "datetime:%m/%d/%Y %I:%M %p", "try_strptime(us, '%m/%d/%Y %I:%M %p')"),
]  # fmt: skip


def sql_main(rows: int = 1_000_000) -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT strftime(DATE '2015-01-01' + (i % 3000)::INT, '%d.%m.%Y') AS de,"
        " (i % 28 + 1)::VARCHAR || '. ' || list_extract($1, (i % 12 + 1)::INT) || ' 2020' AS named,"
        " replace(replace(replace(format('{:,.2f}', (i * 7919 % 100000000) / 100.0), ',', 'X'),"
        " '.', ','), 'X', '.') AS eu,"
        " strftime(TIMESTAMP '2015-01-01' + to_seconds(i * 37), '%m/%d/%Y %I:%M %p') AS us"
        f" FROM range({rows}) r(i)",
        [GERMAN.split()],
    )

    def timed(sql: str) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            con.execute(sql).fetchone()
            best = min(best, time.perf_counter() - start)
        return best

    for col, spec, bare in SQL_CASES:
        interp = parse_override(spec)
        cast = timed(f"SELECT count({cast_sql(col, interp)}) FROM t")
        bad = timed(f"SELECT count(*) FILTER ({invalid_sql(col, interp)}) FROM t")
        base = f"{timed(f'SELECT count({bare}) FROM t'):.2f} s" if bare else "-"
        print(f"{spec:32s} cast {cast:.2f} s  invalid {bad:.2f} s  bare {base}")


if __name__ == "__main__":
    main()
    if "--sql" in sys.argv:
        sql_main()
