"""Command line: profile a file, run a demo on it, or start an RQ worker.

python -m sandbox profile FILE [--sheet NAME] [--type COLUMN=SPEC ...] [--json]
python -m sandbox run FILE --recipe NAME [--map field=column ...] [--param name=value ...]
                            [--type COLUMN=SPEC ...] [--json] [--store DIR]

``--type`` reads a column another way: ``--type created=date:%d-%m-%y``,
``--type amount=decimal:decimal=,;thousands=.;currency=EUR``, ``--type zip=text``.
python -m sandbox worker --queue-url redis://... [--queue sandbox] [--burst]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import SandboxError
from .ingest import ingest
from .limits import Limits
from .runner import prestart
from .store import DatasetStore

OWNER = "cli"


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--{what} expects name=value, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def _print_profile(info: dict[str, Any]) -> None:
    sheet = f", sheet '{info['sheet']}'" if info.get("sheet") else ""
    print(f"{info['filename']}: {info['format']}{sheet}, {info['rows']:,} rows")
    for col in info["columns"]:
        interp = col.get("interpretation") or {}
        prof = col.get("profile") or {}
        spec = _spec(interp)
        facts = f"{prof.get('distinct', 0):,} distinct, {prof.get('nulls', 0):,} empty"
        print(f"  {col['name']:<30} {col['type']:<9} {spec:<34} {facts}")
        if interp.get("reason"):
            print(f"  {'':<30} {interp['reason']}")
        if interp.get("ambiguous") and interp.get("alternatives"):
            print(f"  {'':<30} other readings: {', '.join(interp['alternatives'])}")
    for note in info.get("notes", []):
        print(f"note: {note['message']}")
    for warning in info["warnings"]:
        print(f"warning: {warning}")


def _spec(interp: dict[str, Any]) -> str:
    if not interp:
        return ""
    from .interpret import Interpretation

    return Interpretation.from_dict(interp).spec()


def _print_result(result: dict[str, Any]) -> None:
    print(f"{result['title']} ({result['rows']:,} rows)")
    for k in result["kpis"]:
        value = f"{k['value']:,.2f}" if isinstance(k["value"], float) else k["value"]
        unit = k["unit"] if k["unit"] not in ("", "score", "currency") else ""
        print(f"  {k['label']:<28} {value} {unit}".rstrip())
    for t in result["tables"]:
        print(f"\n{t['title']}")
        print("  " + " | ".join(t["columns"]))
        for row in t["rows"][:15]:
            print("  " + " | ".join("" if v is None else str(v) for v in row))
    for note in result["notes"]:
        print(f"note: {note}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m sandbox``."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_profile = sub.add_parser("profile", help="ingest a file and describe it")
    p_run = sub.add_parser("run", help="ingest a file and run a demo recipe on it")
    for p in (p_profile, p_run):
        p.add_argument("file", type=Path)
        p.add_argument("--sheet", help="Excel sheet name (default: the first)")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--store", help="store directory (default: a temporary one)")
        p.add_argument(
            "--max-file-mb", type=int, help="raise the upload size cap (local use, benchmarks)"
        )
        p.add_argument(
            "--type",
            action="append",
            default=[],
            metavar="COLUMN=SPEC",
            help="read COLUMN as SPEC (e.g. date:%%d-%%m-%%y, decimal:decimal=,, text)",
        )
    p_run.add_argument("--recipe", required=True)
    p_run.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
    p_run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    p_worker = sub.add_parser("worker", help="run an RQ worker for sandbox runs")
    p_worker.add_argument("--queue-url", required=True)
    p_worker.add_argument("--queue", default="sandbox")
    p_worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    args = parser.parse_args(argv)

    if args.command == "worker":
        from .queue import run_worker

        run_worker(args.queue_url, args.queue, burst=args.burst)
        return 0
    limits = Limits()
    if args.max_file_mb:
        limits = replace(limits, max_file_bytes=args.max_file_mb * 1024 * 1024)
    # The children that read the file and run the recipe (Python + DuckDB + our code) start
    # now, both at once, before this process loads the recipes: neither job then waits for
    # a start-up.
    prestart(limits, 2 if args.command == "run" else 1)
    from .mapping import preselected_mapping
    from .queue import LocalQueue, wait
    from .recipes import get_recipe

    with tempfile.TemporaryDirectory(prefix="sandbox-cli-") as tmp:
        store = DatasetStore(args.store or tmp)
        try:
            types = _pairs(args.type, "type")
            info = ingest(
                store, OWNER, args.file, args.file.name, limits, sheet=args.sheet, types=types,
                warm=True,
            )  # fmt: skip
            if args.command == "profile":
                data = info.to_dict()
                print(json.dumps(data, indent=2)) if args.json else _print_profile(data)
                return 0
            recipe = get_recipe(args.recipe)
            mapping = preselected_mapping(info, recipe)
            mapping.update(_pairs(args.map, "map"))
            queue = LocalQueue(store, limits, max_workers=1, refill=False)
            run_id = queue.submit(OWNER, info.id, recipe.name, mapping, _pairs(args.param, "param"))
            status = wait(queue, run_id, timeout=queue.limits.wall_seconds + 30)
            queue.close()
            if status.state != "succeeded":
                print(f"error: {status.error}", file=sys.stderr)
                return 1
            result = queue.result(run_id)
            print(json.dumps(result, indent=2)) if args.json else _print_result(result)
            return 0
        except SandboxError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
