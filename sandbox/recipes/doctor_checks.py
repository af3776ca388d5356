"""Data Doctor checks that misreading would hide, in one extra pass over the data: dates
before 1900 or in the future, a "created" date after its "closed" date, dates outside the
quarter or year written next to them, numbers stored as text, and null tokens in large
columns. Each check is added only when the profile says it can find something (a date
column's maximum is in the future, a text column's first rows look like numbers, ...), so
a clean file pays for little more than the comparisons of its paired date columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..sql import ident, literal
from .doctor_findings import NULL_TOKENS, Finding, interp

OLDEST = date(1900, 1, 1)
FAR_YEARS = 10  # dates more than this many years after today are not plausible
# Numbers as written in exports: signs, parentheses, currency marks, thousands groups,
# decimal comma or point, percent. A leading zero ("0042") is a code, not a number.
NUMBER_RE = (
    r"[-+(]?\s*([$€£¥]|[A-Z]{3})?\s*[-+]?(0|[1-9][0-9 .,'’]*)([.,][0-9]+)?\s*"
    r"(%|[$€£¥]|[A-Z]{3})?\s*\)?-?"
)
_START = re.compile(
    r"creat|start|open|begin|order|sign|placed|issued|receiv|erstellt|angelegt|anlage|"
    r"beginn|debut|début|crea|inicio|aangemaakt|criad|aperto"
)
_END = re.compile(
    r"clos|end|finish|complet|resolv|ship|deliver|paid|abschluss|geschlossen|ende|"
    r"cl[oô]tur|cierre|cerrad|gesloten|fechad|chius|won|lost"
)
# Columns whose dates are meant to lie ahead: a future date there is no finding.
_PLANNED = re.compile(
    r"expect|due|target|plan|forecast|renew|expir|valid|until|deadline|next|schedul|"
    r"project|estimat|f[aä]llig|prevu|prévu|previst|verwacht"
)
_YEAR_NAME = re.compile(r"year|jahr|ann[eé]e|a[nñ]o|anno|jaar|^fy|fiscal")
_QUARTER_RE = re.compile(
    r"^\s*(?:FY\s*)?(?:Q([1-4])[\s/\-.]*((?:19|20)\d\d)|((?:19|20)\d\d)[\s/\-.]*Q([1-4]))\s*$",
    re.IGNORECASE,
)
_GENERIC_WORDS = {"date", "datum", "quarter", "qtr", "year", "fiscal", "fy", "period", "at",
                  "on", "of", "the", "am", "de", "du", "la", "el", "van", "day"}  # fmt: skip
_MAX_PAIRS = 8
# Text columns of digits that are codes, not quantities.
_CODE_NAME = re.compile(r"\bid\b|_id$|code|zip|postal|plz|phone|tel|sku|ean|iban|\bnr\b|\bno\b")


def quarter_key(label: Any) -> int | None:
    """``"Q4 2016"`` / ``"2016-Q4"`` -> ``20164`` (year * 10 + quarter); None otherwise."""
    m = _QUARTER_RE.match(str(label))
    if not m:
        return None
    q, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return int(year) * 10 + int(q)


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _words(name: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", name.casefold())) - _GENERIC_WORDS


@dataclass
class _Pass:
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
                _shown(v)
                for k, v in found.items()
                if k[: len(base)] == base and k[len(base) :].isdigit()
            ]
        return found


def _shown(value: Any) -> str:
    """A value as a prospect reads it: dates as ISO dates, times without microseconds."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    return "" if value is None else str(value)


def _share_points(base: float, share: float, cap: float) -> float:
    return round(min(cap, base + 40 * share), 1)


def find_misreadings(ctx, stats: dict, sniffed: dict, today: date, exact: bool) -> list[Finding]:
    """Run the extra pass and turn what it found into findings."""
    probes = _Pass()
    dates = [
        c for c in ctx.columns if c["type"] in ("date", "datetime") and stats[c["name"]]["filled"]
    ]
    later = _date_range_probes(probes, dates, stats, today)
    pairs = _pair_probes(probes, ctx.columns, stats)
    quarters = _quarter_probes(probes, ctx.columns, dates, stats)
    numeric = _number_probes(probes, sniffed, stats, exact)
    tokens = [n for n, s in sniffed.items() if s["tokens"] and "groups" not in stats[n]]
    for name in tokens:
        q = ident(name)
        listed = ", ".join(literal(t) for t in NULL_TOKENS)
        probes.add(f"tok:{name}", f"histogram({q}) FILTER (WHERE {q} IN ({listed}))")
    found = probes.run(ctx)
    for name in tokens:
        stats[name]["tokens"] = dict(found[f"tok:{name}"] or {})
    findings = _date_findings(found, later, stats, today)
    findings += _pair_findings(found, pairs)
    findings += _quarter_findings(found, quarters, ctx.columns)
    findings += _number_findings(found, numeric, sniffed, stats)
    return findings


def _date_range_probes(probes: _Pass, dates: list[dict], stats: dict, today: date) -> list[str]:
    """Dates before 1900, far ahead or after today, for the columns whose range says so.
    Returns the columns with a future maximum (their latest date up to today is asked)."""
    far = date(today.year + FAR_YEARS, today.month, min(today.day, 28))
    later = []
    for c in dates:
        name, q = c["name"], ident(c["name"])
        low, high = _day(stats[name].get("min")), _day(stats[name].get("max"))
        if low and low < OLDEST:
            probes.where(f"old:{name}", f"{q} < DATE '{OLDEST}'", [q])
        if high and high > far:
            probes.where(f"far:{name}", f"{q} > DATE '{far}'", [q])
        if high and high > today:
            later.append(name)
            probes.add(f"upto:{name}", f"max({q}) FILTER (WHERE {q} <= DATE '{today}')")
            ahead = horizon(name, today)
            if ahead and high > ahead:
                cond = f"{q} > DATE '{ahead}' AND {q} <= DATE '{far}'"
                probes.where(f"future:{name}", cond, [q])
                probes.add(f"future:{name}:max", f"max({q}) FILTER (WHERE {cond})")
    return later


def horizon(name: str, today: date) -> date | None:
    """The latest plausible date of a column: today for a column of past events ("created",
    "order date"), a year ahead for others (a deal's close date may be expected), none for
    planned dates ("due", "renewal"), which only the ten-year limit bounds."""
    word = name.casefold()
    if _PLANNED.search(word):
        return None
    if _START.search(word):
        return today
    return date(today.year + 1, today.month, min(today.day, 28))


def _date_findings(found: dict, later: list[str], stats: dict, today: date) -> list[Finding]:
    latest = [_day(found.get(f"upto:{n}")) for n in later]
    latest += [_day(s.get("max")) for n, s in stats.items() if n not in later]
    plausible = max((d for d in latest if d and d >= OLDEST), default=None)
    out = []
    for key, value in found.items():
        kind, _, name = key.partition(":")
        if kind not in ("old", "far", "future") or not name.endswith(":n"):
            continue
        name = name[: -len(":n")]
        n = int(value or 0)
        if not n:
            continue
        s = stats[name]
        share = n / s["filled"]
        rows = tuple(found[f"{kind}:{name}:rows"] or ())
        first = (found[f"{kind}:{name}:ex"] or ["?"])[0]
        many = f"{n:,} dates in '{name}' are" if n != 1 else f"1 date in '{name}' is"
        if kind == "old":
            text = f"{many} before 1900 (earliest {_day(s['min'])})"
            points = _share_points(5, share, 15)
        elif kind == "far":
            text = (
                f"{many} more than {FAR_YEARS} years after today ({today}), up to {_day(s['max'])}"
            )
            points = _share_points(5, share, 15)
        else:
            ahead = horizon(name, today)
            when = f"today ({today})" if ahead == today else f"a year from today ({ahead})"
            text = f"{many} after {when}, up to {_day(found[f'future:{name}:max'])}"
            if plausible:
                text += f"; the file's latest date up to today is {plausible}"
            points = _share_points(3, share, 12)
        text += f". First: row {rows[0]}, {first}." if rows else "."
        check = {"old": "Dates before 1900", "far": "Implausible dates"}.get(kind, "Future dates")
        out.append(Finding(check, name, n, text, points, rows=rows))
    return out


def paired_dates(columns: list[dict]) -> dict[tuple[str, str], str]:
    """Pairs of date columns where the first should not be later than the second ("created"
    and "closed"), each with the SQL counting its rows out of order. The profile's one scan
    counts them; only pairs with such rows are looked at again, for example rows."""
    dates = [c for c in columns if c["type"] in ("date", "datetime")]
    starts = [c for c in dates if _START.search(c["name"].casefold())]
    ends = [c for c in dates if _END.search(c["name"].casefold())]
    pairs = [(a, b) for a in starts for b in ends if a["name"] != b["name"]][:_MAX_PAIRS]
    out = {}
    for a, b in pairs:
        # a date and a time on the same day are in order: compare days
        da, db = (f"{ident(c['name'])}::DATE" if c["type"] == "datetime" else ident(c["name"])
                  for c in (a, b))  # fmt: skip
        out[(a["name"], b["name"])] = f"{da} > {db}"
    return out


def _pair_probes(probes: _Pass, columns: list[dict], stats: dict) -> list[tuple[str, str]]:
    """Example rows of the paired date columns the profile found out of order."""
    found = []
    for (a, b), cond in paired_dates(columns).items():
        if not stats[a].get(f"later:{b}"):
            continue
        qa, qb = ident(a), ident(b)
        probes.where(f"pair:{a}:{b}", cond, [qa, qb])
        probes.add(f"pair:{a}:{b}:both", f"count_if({qa} IS NOT NULL AND {qb} IS NOT NULL)")
        found.append((a, b))
    return found


def _pair_findings(found: dict, pairs: list[tuple[str, str]]) -> list[Finding]:
    out = []
    for a, b in pairs:
        key = f"pair:{a}:{b}"
        n = int(found[f"{key}:n"] or 0)
        if not n:
            continue
        rows = tuple(found[f"{key}:rows"] or ())
        va, vb = found[f"{key}:ex"]
        both = max(int(found[f"{key}:both"] or 0), 1)
        text = (
            f"{n:,} of {both:,} rows have '{a}' later than '{b}'. "
            f"First: row {rows[0]}, {va} after {vb}."
        )
        out.append(Finding("Dates out of order", f"{a} / {b}", n, text,
                           _share_points(4, n / both, 20), rows=rows))  # fmt: skip
    return out


def _quarter_sql(c: dict, stats: dict) -> str | None:
    """SQL for a column's year * 10 + quarter (or its year), if it is a quarter or year
    column: quarter labels ("Q4 2016"), a date read from quarters ("%Y-Q%q"), or years."""
    name, q, kind = c["name"], ident(c["name"]), c["type"]
    s = stats[name]
    info = interp(c)
    if kind in ("date", "datetime") and "%q" in str(info.get("format") or ""):
        return f"(year({q}) * 10 + quarter({q}))"
    if kind == "integer" and _YEAR_NAME.search(name.casefold()):
        low, high = s.get("min"), s.get("max")
        if low is not None and high is not None and 1900 <= low <= high <= 2100:
            return q
    groups = s.get("groups")
    if kind != "text" or not groups or len(groups) < s["distinct"] or not s["filled"]:
        return None
    keys = {v: quarter_key(v) for v, _ in groups}
    if sum(k for v, k in groups if keys[v]) < 0.9 * s["filled"]:
        return None
    cases = " ".join(f"WHEN {literal(v)} THEN {key}" for v, key in keys.items() if key)
    return f"(CASE {q} {cases} END)"


def _quarter_probes(probes: _Pass, columns, dates, stats) -> list[tuple[str, str]]:
    """Every (quarter or year column, date column) pair, compared row by row."""
    pairs = []
    for c in columns:
        key = _quarter_sql(c, stats)
        if key is None:
            continue
        year_only = not key.startswith("(")
        for d in dates:
            if d["name"] == c["name"] or len(pairs) >= _MAX_PAIRS:
                continue
            qd = ident(d["name"])
            mine = f"year({qd})" if year_only else f"(year({qd}) * 10 + quarter({qd}))"
            tag = f"qtr:{c['name']}:{d['name']}"
            probes.where(tag, f"{mine} <> {key}", [qd, ident(c["name"])])
            probes.add(f"{tag}:both", f"count_if({qd} IS NOT NULL AND {key} IS NOT NULL)")
            pairs.append((c["name"], d["name"]))
    return pairs


def _quarter_findings(found: dict, pairs: list[tuple[str, str]], columns) -> list[Finding]:
    """A quarter column is compared with the date column it belongs to: the one sharing a
    word of its name ("Close Quarter" / "Close Date"), else the only one, else the one
    agreeing with it most often."""
    out = []
    interps = {c["name"]: interp(c) for c in columns}
    for qcol in dict.fromkeys(q for q, _ in pairs):
        mine = [d for q, d in pairs if q == qcol]
        named = [d for d in mine if _words(d) & _words(qcol)]

        def agreement(d: str, qcol: str = qcol) -> float:
            tag = f"qtr:{qcol}:{d}"
            both = int(found[f"{tag}:both"] or 0)
            return (both - int(found[f"{tag}:n"] or 0)) / both if both else -1.0

        chosen = named or [max(mine, key=agreement)]
        for d in chosen:
            tag = f"qtr:{qcol}:{d}"
            n, both = int(found[f"{tag}:n"] or 0), int(found[f"{tag}:both"] or 0)
            if not n:
                continue
            rows = tuple(found[f"{tag}:rows"] or ())
            vd, vq = found[f"{tag}:ex"]
            text = (
                f"{n:,} of {both:,} rows have a '{d}' outside the period in '{qcol}'. "
                f"First: row {rows[0]}, {vd} next to '{vq}'."
            )
            if interps[d].get("ambiguous") or interps[d].get("alternatives"):
                text += f" The dates of '{d}' may be read the wrong way round; check its reading."
            if "fiscal" in qcol.casefold() or "fy" in _words(qcol):
                text += " (A fiscal year that starts in another month shifts every row alike.)"
            out.append(Finding("Dates vs period", f"{d} / {qcol}", n, text,
                               _share_points(5, n / both, 30), rows=rows))  # fmt: skip
    return out


def _number_probes(probes: _Pass, sniffed: dict, stats: dict, exact: bool) -> list[str]:
    """Text columns whose first rows are mostly numbers; counted over every row unless the
    table is large (then the first rows stand for the column)."""
    flagged = []
    for name, s in sniffed.items():
        usable = s["filled"] - sum(s["tokens"].values())
        if usable < 5 or s["numeric"] < 0.8 * usable:
            continue
        if re.search(
            r"\bid\b|_id$|code|zip|postal|plz|phone|tel|sku|ean|iban|nr\b|no\b", name.casefold()
        ):
            continue
        flagged.append(name)
        if exact and s["rows"] < stats[name]["nonnull"]:  # sampled: count every row
            q = ident(name)
            is_number = f"regexp_full_match(trim({q}), {literal(NUMBER_RE)})"
            listed = ", ".join(literal(t) for t in NULL_TOKENS)
            other = f"NOT {is_number} AND trim({q}) <> '' AND {q} NOT IN ({listed})"
            probes.add(f"num:{name}", f"count_if({is_number})")
            probes.where(f"notnum:{name}", other, [q])
    return flagged


def _number_findings(found: dict, flagged: list[str], sniffed: dict, stats: dict) -> list[Finding]:
    out = []
    for name in flagged:
        s = sniffed[name]
        if f"num:{name}" in found:
            numbers, others = int(found[f"num:{name}"] or 0), int(found[f"notnum:{name}:n"] or 0)
            example, rows = (found[f"notnum:{name}:ex"] or [None])[0], found[f"notnum:{name}:rows"]
            scope = ""
        else:
            numbers, others = s["numeric"], s["filled"] - s["numeric"] - sum(s["tokens"].values())
            example, rows = s["other"], s["other_rows"]
            scope = f" (in the first {s['rows']:,} rows)"
        text = (
            f"Column '{name}' holds numbers stored as text: {numbers:,} values look like "
            f"numbers{scope}, e.g. '{s['number']}'"
        )
        text += f"; {others:,} do not, e.g. '{example}'." if others and example else "."
        text += " Sums and averages need it read as a number; check its reading."
        out.append(Finding("Numbers as text", name, numbers, text, 5.0, rows=tuple(rows or ())))
    return out
