"""Benchmark the sandbox against a pandas baseline.

    python bench/sandbox_bench.py [--rows 1000000 5000000] [--repeat 3] [--keep DIR]

Generates deals CSVs, then for each size measures, each in a fresh process and interleaved
round by round (so a busy machine hurts every contender alike), ``--repeat`` times:
ingest + data_doctor, ingest + pipeline_lens (both through the real queue and sandbox
child) and a pandas implementation of the same data_doctor profile. Prints the medians
for two comparisons:

(a) end to end: ingest + data_doctor run  vs  pandas read_csv + profile;
(b) profile only: the data_doctor run on the stored dataset (child start-up, loading the
    Parquet file and profiling)  vs  the pandas profile of a DataFrame already in memory.

with seconds, rows per second, peak memory (largest resident size of the measuring process
and its children, so it includes the read for (b) too) and the ratio to pandas.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GB = 1024**3


def generate(path: Path, rows: int) -> None:
    """A deals CSV with realistic mess: missing close dates, a few bad e-mails, duplicates."""
    import duckdb

    duckdb.sql(f"""
        COPY (
          SELECT 'D-' || i AS deal_id,
                 'Deal ' || (i * 7919 % 100000) AS deal_name,
                 (['Lead','Qualified','Demo','Proposal','Negotiation','Closed Won','Closed Lost'])
                     [1 + (hash(i) % 7)::INT] AS stage,
                 round(500 + (hash(i * 3) % 100000) / 1.7, 2) AS amount,
                 DATE '2022-01-01' + (hash(i * 5) % 900)::INT AS created_date,
                 CASE WHEN hash(i) % 7 >= 5
                      THEN DATE '2022-01-01' + (hash(i * 5) % 900)::INT + (hash(i) % 90)::INT
                 END AS close_date,
                 'owner' || (hash(i * 11) % 40) AS owner,
                 CASE hash(i) % 7 WHEN 5 THEN 'won' WHEN 6 THEN 'lost' ELSE 'open' END AS status,
                 CASE WHEN i % 97 = 0 THEN 'not-an-email'
                      ELSE 'buyer' || (i % 50000) || '@example.com' END AS email
          FROM range({rows}) t(i)
        ) TO '{path}' (HEADER)
    """)


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def measure_sandbox(csv_path: str, recipe: str) -> dict:
    from sandbox import DatasetStore, Limits, LocalQueue, get_recipe, ingest, preselected_mapping
    from sandbox.queue import wait

    limits = Limits(max_file_bytes=2 * GB, wall_seconds=600, cpu_seconds=1200)
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        store = DatasetStore(tmp)
        # As in the portal, the worker pool exists before anyone uploads: its child for the
        # next run starts while the file is ingested (and competes with it for the CPUs).
        queue = LocalQueue(store, limits, max_workers=1)
        start = time.perf_counter()
        info = ingest(store, "bench", csv_path, Path(csv_path).name, limits)
        ingested = time.perf_counter()
        mapping = preselected_mapping(info, get_recipe(recipe))
        run_id = queue.submit("bench", info.id, recipe, mapping)
        status = wait(queue, run_id, timeout=900, poll=0.01)
        queue.close()
        done = time.perf_counter()
        if status.state != "succeeded":
            raise SystemExit(f"{recipe} failed: {status.error}")
    return {
        "seconds": done - start,
        "ingest_seconds": ingested - start,
        "run_seconds": done - ingested,
        "rows": info.rows,
        "peak_mb": peak_mb(),
    }


def measure_pandas(csv_path: str) -> dict:
    """The data_doctor profile written the usual pandas way."""
    import pandas as pd

    start = time.perf_counter()
    df = pd.read_csv(csv_path, parse_dates=["created_date", "close_date"])
    read = time.perf_counter()
    n = len(df)
    profile = {}
    for col in df.columns:
        s = df[col]
        filled = s.notna() & (s.astype(str).str.strip() != "") if s.dtype == object else s.notna()
        info = {"filled": int(filled.sum()), "distinct": int(s.nunique())}
        if pd.api.types.is_numeric_dtype(s):
            q = s.quantile([0.25, 0.5, 0.75])
            info.update(min=s.min(), max=s.max(), mean=s.mean(), quantiles=q.tolist())
        elif pd.api.types.is_datetime64_any_dtype(s):
            info.update(min=s.min(), max=s.max())
        else:
            info["top"] = s.value_counts().head(5).to_dict()
            info["at_signs"] = int(s.str.contains("@", regex=False).sum())
        profile[col] = info
    duplicates = int(df.duplicated().sum())
    emails = df["email"].dropna().str.strip()
    bad_emails = int((~emails.str.match(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")).sum())
    done = time.perf_counter()
    return {
        "seconds": done - start,
        "read_seconds": read - start,
        "profile_seconds": done - read,
        "rows": n,
        "peak_mb": peak_mb(),
        "duplicates": duplicates,
        "bad_emails": bad_emails,
    }


def _in_fresh_process(kind: str, csv_path: Path, recipe: str = "") -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(csv_path), recipe],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(runs: list[dict]) -> dict:
    first = runs[0]
    return {
        k: statistics.median(r[k] for r in runs) for k in first if isinstance(first[k], int | float)
    }


def _line(label: str, seconds: float, rows: int, peak: float, base: float, extra: str = "") -> str:
    return (
        f"{'':>10}  {label:<44}{seconds:>8.2f}{rows / seconds:>12,.0f}{peak:>9,.0f}"
        f"{base / seconds:>8.2f}x{extra}"
    )


def main() -> int:
    """Run the whole benchmark and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (medians)")
    parser.add_argument("--keep", help="directory for the generated CSVs (default: temporary)")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, path, recipe = args.measure
        data = measure_pandas(path) if kind == "pandas" else measure_sandbox(path, recipe)
        print(json.dumps(data, default=str))
        return 0

    from sandbox import Limits
    from sandbox.limits import human_bytes

    limits = Limits()
    print(
        f"Sandbox limits: DuckDB memory {human_bytes(limits.duckdb_memory_bytes)}, "
        f"child address space {human_bytes(limits.memory_bytes)}, {limits.threads} threads. "
        f"Medians of {args.repeat} interleaved round(s), each measurement in a fresh process."
    )
    header = (
        f"{'rows':>10}  {'measurement':<44}{'seconds':>8}{'rows/s':>12}{'peak MB':>9}  vs pandas"
    )
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="bench-csv-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for rows in args.rows:
            path = folder / f"deals_{rows}.csv"
            if not path.exists():
                generate(path, rows)
            runs: dict[str, list[dict]] = {"pandas": [], "data_doctor": [], "pipeline_lens": []}
            for _ in range(args.repeat):
                runs["pandas"].append(_in_fresh_process("pandas", path))
                for recipe in ("data_doctor", "pipeline_lens"):
                    runs[recipe].append(_in_fresh_process("sandbox", path, recipe))
            pd_, doc, lens = (_median(runs[k]) for k in ("pandas", "data_doctor", "pipeline_lens"))
            size = path.stat().st_size / 1024**2
            end_to_end = pd_["seconds"] / doc["seconds"]
            profile_only = pd_["profile_seconds"] / doc["run_seconds"]
            print(f"\n{rows:>10,}  deals CSV, {size:,.0f} MB")
            print(header)
            print(f"{'':>10}  (a) end to end: file on disk -> profile")
            for label, m in (("ingest + data_doctor", doc), ("ingest + pipeline_lens", lens)):
                extra = f"  (ingest {m['ingest_seconds']:.2f} s + run {m['run_seconds']:.2f} s)"
                print(_line(label, m["seconds"], rows, m["peak_mb"], pd_["seconds"], extra))
            extra = (
                f"  (read_csv {pd_['read_seconds']:.2f} s + profile {pd_['profile_seconds']:.2f} s)"
            )
            print(
                _line(
                    "pandas read_csv + profile",
                    pd_["seconds"],
                    rows,
                    pd_["peak_mb"],
                    pd_["seconds"],
                    extra,
                )
            )
            print(f"{'':>10}  (b) profile only: data already loaded")
            print(
                _line(
                    "data_doctor run on the stored dataset",
                    doc["run_seconds"],
                    rows,
                    doc["peak_mb"],
                    pd_["profile_seconds"],
                    "  (reads the stored Parquet file)",
                )
            )
            print(
                _line(
                    "pandas profile of an in-memory DataFrame",
                    pd_["profile_seconds"],
                    rows,
                    pd_["peak_mb"],
                    pd_["profile_seconds"],
                )
            )
            verdicts.append(
                f"{rows:>10,} rows: data_doctor {end_to_end:.2f}x pandas end to end, "
                f"{profile_only:.2f}x profile only; end to end {doc['seconds']:.2f} s; "
                f"peak {doc['peak_mb']:,.0f} MB (child limit "
                f"{human_bytes(limits.memory_bytes)})"
            )
            sys.stdout.flush()
    print("\nSummary (target at 1M rows: >= 3x pandas, <= 5 s end to end):")
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
