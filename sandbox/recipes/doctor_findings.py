"""Data Doctor findings that need no scan of the data: what the reading of the file noticed
(ingest notes), how each column was interpreted, null tokens, and near-duplicate labels
among the most common values of a column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Values that stand for "no value" in exports. A cell holding exactly one of these (any of
# the spellings below) is treated as empty.
NULL_WORDS = (
    "n/a", "na", "n.a.", "#n/a", "null", "none", "nil", "nan", "-", "--", "—", "–", "?",
    "k.a.", "k. a.", "n.v.", "n.v.t.", "n.d.", "s/d", "n/d", "nd",
)  # fmt: skip
NULL_TOKENS = tuple(
    dict.fromkeys(v for w in NULL_WORDS for v in (w, w.upper(), w.capitalize(), w.title()))
)
# The most common labels of a column compared for typos; columns with more distinct values
# than LABEL_COLUMN_LIMIT are names or ids, not categories.
LABEL_LIMIT = 200
LABEL_COLUMN_LIMIT = 5_000
MAX_PAIRS = 8  # pairs of columns compared row by row, at most
_NOTE_CHECKS = {
    "ragged_rows": ("Ragged rows", 5.0),
    "second_table": ("Second table", 6.0),
    "footer_total": ("Footer total", 2.0),
    "title_rows": ("Title rows", 1.0),
}


@dataclass
class Finding:
    """One problem Data Doctor reports: a row of the Findings table, and of the Issues table
    when it costs points."""

    check: str
    column: str
    cells: int
    message: str
    points: float = 0.0
    rows: tuple[int, ...] = ()  # example data rows, 1 = the first row below the header
    lines: tuple[int, ...] = ()  # lines of the file (from the ingest notes)

    def where(self) -> str:
        if self.lines:
            return ("line " if len(self.lines) == 1 else "lines ") + spans(self.lines)
        if self.rows:
            return ("row " if len(self.rows) == 1 else "rows ") + ", ".join(map(str, self.rows))
        return ""


def spans(numbers: list[int] | tuple[int, ...], limit: int = 8) -> str:
    """``[3, 4, 5, 9]`` -> ``"3–5, 9"``; at most ``limit`` runs, then "…"."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    shown = [str(a) if a == b else f"{a}–{b}" for a, b in runs[:limit]]
    return ", ".join(shown) + (", …" if len(runs) > limit else "")


def quoted(values: list[Any], limit: int = 4) -> str:
    shown = [f"'{v}'" for v in values[:limit]]
    return ", ".join(shown) + (" …" if len(values) > limit else "")


def interp(column: dict[str, Any]) -> dict[str, Any]:
    """A column's interpretation dict, or {} for datasets stored before interpretations."""
    return column.get("interpretation") or {}


def note_findings(notes: list[dict[str, Any]]) -> list[Finding]:
    """Findings from what reading the file noticed, one per note, any kind."""
    found = []
    for note in notes or []:
        kind = str(note.get("kind") or "file")
        check, points = _NOTE_CHECKS.get(kind, (kind.replace("_", " ").capitalize(), 2.0))
        lines = tuple(int(n) for n in note.get("lines") or ())
        message = str(note.get("message") or check)
        found.append(Finding(check, "", len(lines), message, points, lines=lines))
    return found


def _formats(info: dict[str, Any]) -> list[str]:
    fmt = info.get("format")
    if isinstance(fmt, list | tuple):
        return [str(f) for f in fmt if f]
    return [f.strip() for f in str(fmt).split("|") if f.strip()] if fmt else []


def interpretation_findings(columns: list[dict[str, Any]], stats: dict) -> list[Finding]:
    """Ambiguous readings, columns read with several layouts, and cells read as empty."""
    found = []
    for c in columns:
        info, name = interp(c), c["name"]
        if not info:
            continue
        filled = stats[name]["filled"]
        if info.get("ambiguous"):
            others = [str(a) for a in info.get("alternatives") or ()]
            reason = str(info.get("reason") or f"We chose one of several readings of '{name}'.")
            message = f"Column '{name}': {reason}" + (
                f" Other readings that fit every value: {', '.join(others)}." if others else ""
            )
            found.append(Finding("Ambiguous reading", name, filled, message, 3.0))
        formats = _formats(info)
        if len(formats) > 1:
            found.append(
                Finding(
                    "Mixed formats",
                    name,
                    filled,
                    f"Column '{name}' mixes {len(formats)} layouts: {quoted(formats)}.",
                    min(6.0, 2.0 * len(formats)),
                )
            )
        tokens = [str(t) for t in info.get("nulls") or ()]
        empty = int(info.get("null_count") or 0)
        if tokens and empty and not any((stats[name].get("tokens") or {}).values()):
            found.append(
                Finding(
                    "Null tokens",
                    name,
                    empty,
                    f"{empty:,} cells of '{name}' are blank or say {quoted(tokens)}; "
                    "treated as empty.",
                    1.0,
                )
            )
    return found


_DATE_CHECKS = ("Dates vs period", "Dates out of order", "Future dates", "Implausible dates",
                "Dates before 1900")  # fmt: skip


def misread_findings(columns: list[dict[str, Any]], found: list[Finding]) -> list[Finding]:
    """A column whose reading was ambiguous and whose dates then fail a check was most
    likely read the wrong way: say so once, naming the other reading."""
    out = []
    for c in columns:
        info, name = interp(c), c["name"]
        if not info.get("ambiguous"):
            continue
        hits = [f for f in found if f.check in _DATE_CHECKS and name in f.column.split(" / ")]
        if not hits:
            continue
        others = [str(a) for a in info.get("alternatives") or ()]
        instead = f" Try reading it as {others[0]}." if others else ""
        text = (
            f"Column '{name}' is probably read the wrong way: its reading was a guess between "
            f"several that fit, and {hits[0].cells:,} rows then fail a check "
            f"({hits[0].check.lower()}).{instead}"
        )
        out.append(Finding("Likely misread", name, max(f.cells for f in hits), text, 10.0))
    return out


def token_findings(stats: dict) -> list[Finding]:
    """Text cells holding a null token ("n/a", "-", ...) that are still in the data; they
    are counted as empty from here on."""
    found = []
    for name, s in stats.items():
        tokens = {t: k for t, k in (s.get("tokens") or {}).items() if k}
        if not tokens:
            continue
        cells = sum(tokens.values())
        s["filled"] = max(0, s["filled"] - cells)
        said = sorted(tokens.items(), key=lambda tk: (-tk[1], tk[0]))
        parts = [f"{k:,} say '{t}'" for t, k in said[:4]]
        parts[0] = parts[0].replace(" say", " cells say" if said[0][1] != 1 else " cell says")
        message = f"Column '{name}': {', '.join(parts)}; treated as empty."
        found.append(Finding("Null tokens", name, cells, message, 1.0))
    return found


def label_key(label: str) -> str:
    """A label without case, spacing and punctuation: "Closed-Won " -> "closed won"."""
    return re.sub(r"[\W_]+", " ", label.casefold()).strip()


def label_columns(stats: dict, skip: set[str]) -> dict[str, list[tuple[str, int]]]:
    """The columns whose labels are compared, each with its most common labels."""
    return {
        name: [(str(v), k) for v, k in s["groups"][:LABEL_LIMIT] if v is not None]
        for name, s in stats.items()
        if name not in skip and s.get("groups") and 1 < s["distinct"] <= LABEL_COLUMN_LIMIT
    }


def similar_label_pairs(ctx, labels: dict[str, list[tuple[str, int]]]) -> set[tuple[str, str, str]]:
    """(column, key, key) triples of label keys within a small edit distance, computed by DuckDB
    over at most LABEL_LIMIT labels per column (no scan of the data)."""
    cols, keys = [], []
    for name, found in labels.items():
        for key in dict.fromkeys(label_key(v) for v, _ in found):
            cols.append(name)
            keys.append(key)
    if not keys:
        return set()
    rows = ctx.rows_of(
        "WITH l AS (SELECT unnest(?) AS c, unnest(?) AS key) "
        "SELECT a.c, a.key, b.key FROM l a JOIN l b ON a.c = b.c AND a.key < b.key "
        "AND abs(length(a.key) - length(b.key)) <= 2 "
        "WHERE least(length(a.key), length(b.key)) >= 5 AND damerau_levenshtein(a.key, b.key) "
        "<= CASE WHEN least(length(a.key), length(b.key)) >= 10 THEN 2 ELSE 1 END",
        [cols, keys],
    )
    return {(c, a, b) for c, a, b in rows}


def label_findings(ctx, stats: dict, skip: set[str]) -> list[Finding]:
    """Near-duplicate labels: case, space or punctuation variants of one label, and rare
    labels a typo away from a common one ("Closed Won" / "Closed-Won" / "Cloesd Won")."""
    labels = label_columns(stats, skip)
    edges = similar_label_pairs(ctx, labels)
    found = []
    for name, counted in labels.items():
        by_key: dict[str, list[tuple[str, int]]] = {}
        for value, k in counted:
            by_key.setdefault(label_key(value), []).append((value, k))
        parent = {key: key for key in by_key}

        def root(key: str, parent: dict[str, str] = parent) -> str:
            while parent[key] != key:
                key = parent[key]
            return key

        for c, a, b in edges:
            if c == name and _typo_like(a, b, by_key):
                parent[root(b)] = root(a)
        groups: dict[str, list[tuple[str, int]]] = {}
        for key, values in by_key.items():
            groups.setdefault(root(key), []).extend(values)
        clusters = [v for v in groups.values() if len(v) > 1]
        if clusters:
            found.append(_label_finding(name, clusters, stats[name]["filled"]))
    return found


def _typo_like(a: str, b: str, by_key: dict[str, list[tuple[str, int]]]) -> bool:
    """Two keys a small edit apart are one label mistyped when they differ in more than
    digits ("Region 1" / "Region 2" are two labels) and one is rare beside the other."""
    if re.sub(r"\d", "", a) == re.sub(r"\d", "", b):
        return False
    ka, kb = (sum(k for _, k in by_key[x]) for x in (a, b))
    return min(ka, kb) <= 0.2 * max(ka, kb)


def _label_finding(name: str, clusters: list[list[tuple[str, int]]], filled: int) -> Finding:
    """One finding per column: each label with its other spellings, the biggest first."""
    parts, cells = [], 0
    ordered = [sorted(c, key=lambda vk: (-vk[1], vk[0])) for c in clusters]
    ordered.sort(key=lambda c: (-sum(k for _, k in c[1:]), c[0][0]))
    for (main, count), *rest in ordered:
        cells += sum(k for _, k in rest)
        shown = ", ".join(f"'{v}' ({k:,})" for v, k in rest[:5]) + (" …" if len(rest) > 5 else "")
        parts.append(f"'{main}' ({count:,}) also appears as {shown}")
    share = cells / filled if filled else 0.0
    more = f"; and {len(parts) - 3} more such labels" if len(parts) > 3 else ""
    return Finding(
        "Similar labels",
        name,
        cells,
        f"Column '{name}': {'; '.join(parts[:3])}{more}. Probably one label each, counted apart.",
        round(min(8.0, 2.0 + 30 * share), 1),
    )


@dataclass
class Pass:
    """The aggregates of the one extra pass, and where each result goes."""

    exprs: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def add(self, key: str, sql: str) -> None:
        self.keys.append(key)
        self.exprs.append(sql)

    def where(self, key: str, cond: str, example: list[str]) -> None:
        """Rows where ``cond`` holds: their count, the first three row numbers and the
        values of ``example`` in the first of them."""
        self.add(f"{key}:n", f"count_if({cond})")
        self.add(f"{key}:rows", f"min(row_number, 3) FILTER (WHERE {cond})")
        for i, e in enumerate(example):
            self.add(f"{key}:ex{i}", f"arg_min({e}, row_number) FILTER (WHERE {cond})")

    def run(self, ctx) -> dict[str, Any]:
        """One query for every aggregate; ``<key>:ex`` collects a probe's example values."""
        if not self.exprs:
            return {}
        numbered = ctx.one("SELECT count(*) FROM duckdb_views() WHERE view_name = 'raw_numbered'")[
            0
        ]
        source = (
            "raw_numbered"
            if numbered
            else "(SELECT *, row_number() OVER () AS row_number FROM raw)"
        )
        values = ctx.one(f"SELECT {', '.join(self.exprs)} FROM {source}")
        found = dict(zip(self.keys, values, strict=True))
        for key in [k for k in found if k.endswith(":ex0")]:
            base = key[: -len("0")]
            found[base] = [
                shown(v)
                for k, v in found.items()
                if k[: len(base)] == base and k[len(base) :].isdigit()
            ]
        return found


def day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def shown(value: Any) -> str:
    """A value as a prospect reads it: dates as ISO dates, times without microseconds."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    return "" if value is None else str(value)


def share_points(base: float, share: float, cap: float) -> float:
    return round(min(cap, base + 40 * share), 1)
