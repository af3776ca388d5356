"""A look at the values of every text column, judged like a type: how many look like
numbers, spell a null token, and which date layouts they use. A column whose every distinct
value is among its most common values (``groups``) is judged from those, weighted by their
counts; any other from its first SAMPLE_ROWS rows. One query, whatever the size of the
table."""

from __future__ import annotations

import re
from typing import Any

from ..sql import ident, literal
from .doctor_checks import NUMBER_RE
from .doctor_findings import NULL_TOKENS, Finding

SAMPLE_ROWS = 2_000
# A value's layout: four-digit groups become Y, shorter digit groups D ("03/04/2024" ->
# "D/D/Y"). Only values starting with a digit and of date-like length are laid out.
_LAYOUT_SQL = (
    "regexp_replace(regexp_replace(trim({q}), '[0-9]{{3,4}}', 'Y', 'g'), '[0-9]{{1,2}}', 'D', 'g')"
)
_DATE_LAYOUT = re.compile(r"^[YD]([-/.])[YD]\1[YD]([ T]D:D(:D)?)?$")
_DAY_FIRST = r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.]\d"
_KEYS = ("filled", "numeric", "codes", "number", "other", "other_rows", "tokens", "layouts",
         "day_first", "month_first")  # fmt: skip


def _facts_sql(source: str) -> str:
    """Per column ``c`` of ``source`` (c, v, k = how often v occurs, row_number = its first
    row or NULL): the facts of _KEYS, each value's flags computed once."""
    tokens = ", ".join(literal(t) for t in NULL_TOKENS)
    parts = f"regexp_extract(v, '{_DAY_FIRST}', ['a', 'b'])"
    flags = (
        f"SELECT c, v, k, row_number, rows, v IS NOT NULL AND trim(v) <> '' AS f, "
        f"regexp_full_match(trim(v), {literal(NUMBER_RE)}) AS n, v IN ({tokens}) AS t, "
        f"regexp_full_match(trim(v), '0[0-9]+') AS z, "
        f"length(v) BETWEEN 6 AND 30 AND regexp_matches(v, '^\\s*[0-9]') AS d FROM ({source})"
    )
    # a sampled value's first row; among whole-column values the most common, then A-Z
    first = "(coalesce(row_number, -k), v)"
    other = "f AND NOT n AND NOT t"
    return (
        f"SELECT c, coalesce(sum(k) FILTER (WHERE f), 0), coalesce(sum(k) FILTER (WHERE n), 0), "
        f"coalesce(sum(k) FILTER (WHERE z), 0), "
        f"arg_min(v, {first}) FILTER (WHERE n), arg_min(v, {first}) FILTER (WHERE {other}), "
        f"list_sort(flatten(list(rows) FILTER (WHERE {other})))[1:3], "
        f"list((v, k)) FILTER (WHERE t), "
        f"list(({_LAYOUT_SQL.format(q='v')}, k, v) ORDER BY {first}) FILTER (WHERE d), "
        f"arg_min(v, {first}) FILTER (WHERE d AND TRY_CAST({parts}.a AS INTEGER) > 12), "
        f"arg_min(v, {first}) FILTER (WHERE d AND TRY_CAST({parts}.b AS INTEGER) > 12) "
        f"FROM ({flags}) GROUP BY c"
    )


def sniff(ctx, names: list[str], stats: dict) -> dict[str, dict[str, Any]]:
    """Facts about the values of each text column in ``names`` (see the module)."""
    if not names:
        return {}
    whole = [
        n
        for n in names
        if stats[n].get("groups") and len(stats[n]["groups"]) >= stats[n]["distinct"]
    ]
    sampled = [n for n in names if n not in whole]
    sources, params = [], []
    if whole:
        cs, vs, ks = [], [], []
        for n in whole:
            for v, k in stats[n]["groups"]:
                cs.append(names.index(n))
                vs.append(None if v is None else str(v))
                ks.append(k)
        sources.append(
            "SELECT unnest(?) AS c, unnest(?) AS v, unnest(?) AS k, "
            "NULL::BIGINT AS row_number, NULL::BIGINT[] AS rows"
        )
        params += [cs, vs, ks]
    if sampled:
        cols = [ident(n) for n in sampled]
        pairs = ", ".join(
            f"{{'c': {names.index(n)}, 'v': {q}}}" for n, q in zip(sampled, cols, strict=True)
        )
        sources.append(
            f"SELECT c, v, count(*) AS k, min(row_number) AS row_number, "
            f"min(row_number, 3) AS rows FROM (SELECT "
            f"unnest([{pairs}], recursive := true), row_number() OVER () AS row_number "
            f"FROM (SELECT {', '.join(cols)} FROM raw LIMIT {SAMPLE_ROWS})) GROUP BY c, v"
        )
    found = ctx.rows_of(_facts_sql(" UNION ALL ".join(sources)), params)
    out = {}
    for c, *values in found:
        name = names[c]
        facts = dict(zip(_KEYS, values, strict=True))
        facts["tokens"] = {v: k for v, k in facts["tokens"] or []}
        layouts: dict[str, int] = {}
        facts["examples"] = {}
        for layout, k, v in facts["layouts"] or []:
            layouts[layout] = layouts.get(layout, 0) + k
            facts["examples"].setdefault(layout, v)
        facts["layouts"] = layouts
        # judged from a sample of the rows, not from all of them
        facts["sampled"] = name not in whole and ctx.rows > SAMPLE_ROWS
        facts["rows"] = SAMPLE_ROWS if facts["sampled"] else ctx.rows
        out[name] = facts
    return out


def layout_findings(sniffed: dict, stats: dict) -> list[Finding]:
    """Text columns of dates written in more than one layout ("2024-01-05" and
    "05/01/2024"), or with day-first and month-first dates side by side ("25/03/2024" and
    "03/25/2024")."""
    found = []
    for name, s in sniffed.items():
        layouts = {k: v for k, v in s["layouts"].items() if _DATE_LAYOUT.match(k)}
        dated = sum(layouts.values())
        usable = s["filled"] - sum(s["tokens"].values())
        if not usable or dated < 0.8 * usable:
            continue
        scope = f" in the first {s['rows']:,} rows" if s["sampled"] else ""
        if len(layouts) > 1:
            parts = [
                f"{k:,} like '{s['examples'][layout]}'"
                for layout, k in sorted(layouts.items(), key=lambda lk: (-lk[1], lk[0]))
            ]
            text = f"Column '{name}' mixes date layouts{scope}: {', '.join(parts[:4])}."
            found.append(Finding("Mixed formats", name, dated, text, 4.0))
        if s["day_first"] and s["month_first"]:
            text = (
                f"Column '{name}' has day-first and month-first dates side by side{scope}: "
                f"'{s['day_first']}' can only be day/month, '{s['month_first']}' only "
                "month/day. Some of its dates are read the wrong way round."
            )
            found.append(Finding("Mixed formats", name, dated, text, 6.0))
    return found
