"""Write the corpus files and ``expected.json`` deterministically.

    python tests/sandbox/corpus/make_corpus.py

Every file is written from records generated here with seeded random numbers; the expected
figures in ``expected.json`` are computed from those same records in plain Python
(``corpus_common.*_expect``), never by running the sandbox. The files are committed so the
test reads real bytes, exactly as a prospect would upload them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus_crm  # noqa: E402
import corpus_more  # noqa: E402
import corpus_orders  # noqa: E402
import corpus_series  # noqa: E402

MAX_BYTES = 200 * 1024


def _round(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v) for v in value]
    return value


def build(out: Path = HERE) -> list[dict]:
    cases: list[dict] = []
    for make in corpus_crm.CASES + corpus_orders.CASES + corpus_more.CASES + corpus_series.CASES:
        cases.extend(make(out))
    for case in cases:
        size = (out / case["file"]).stat().st_size
        if size >= MAX_BYTES:
            raise SystemExit(f"{case['file']} is {size} bytes, over the 200 KB cap")
        case["bytes"] = size
    return [_round(c) for c in cases]


def main() -> None:
    cases = build()
    (HERE / "expected.json").write_text(
        json.dumps({"cases": cases}, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    lines = [
        "# Corpus: files shaped like real exports",
        "",
        "Written by `make_corpus.py` (seeded, deterministic); expected figures in",
        "`expected.json`, computed from the generator's records in plain Python.",
        "Run by `tests/sandbox/test_sandbox_corpus.py`. Do not edit the files by hand: change the",
        "generator and run `python tests/sandbox/corpus/make_corpus.py`.",
        "",
        "| File | Recipe | Rows | Bytes | Shape |",
        "|---|---|---|---|---|",
    ]
    for c in cases:
        lines.append(
            f"| {c['file']} | {c['recipe']} | {c.get('rows', '')} | {c['bytes']} | {c['shape']} |"
        )
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = sorted({c["file"] for c in cases})
    print(f"{len(files)} files, {len(cases)} cases written to {HERE}")


if __name__ == "__main__":
    main()
