"""Time infer_columns on 20k-value columns of common kinds: ``python bench/interpret_bench.py``.

Prints the best of 7 runs in CPU milliseconds per column (the budget is 50 ms).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.interpret import infer_columns  # noqa: E402

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


if __name__ == "__main__":
    main()
