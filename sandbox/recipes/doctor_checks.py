"""Data Doctor checks that misreading would hide, in one extra pass over the data: dates
before 1900 or in the future, a "created" date after its "closed" date, dates outside the
quarter or year written next to them, numbers stored as text, and null tokens in large
columns. Each check is added only when the profile says it can find something (a date
column's maximum is in the future, the profile's scan counted paired dates out of order, a
text column's first rows look like numbers, ...), so a clean file skips the pass."""

from __future__ import annotations

import re
from datetime import date

from ..sql import ident, literal
from .doctor_findings import MAX_PAIRS, NULL_TOKENS, Finding, Pass, day, interp, share_points
from .doctor_periods import quarter_findings, quarter_probes

OLDEST = date(1900, 1, 1)
FAR_YEARS = 10  # dates more than this many years after today are not plausible
# Numbers as written in exports: signs, parentheses, currency marks, thousands groups,
# decimal comma or point, percent. A leading zero ("0042") is a code, not a number.
NUMBER_RE = (
    r"[-+(]?\s*([$€£¥]|[A-Z]{3})?\s*[-+]?(0|[1-9][0-9 .,'’]*)([.,][0-9]+)?\s*"
    r"(%|[$€£¥]|[A-Z]{3})?\s*\)?-?"
)
_START = re.compile(
    r"creat|start|open|begin|engag|order|sign|placed|issued|receiv|erstellt|angelegt|anlage|"
    r"beginn|debut|début|crea|inicio|aangemaakt|criad|aperto"
)
_END = re.compile(
    r"clos|end|finish|complet|resolv|ship|deliver|paid|abschluss|geschlossen|ende|"
    r"cl[oô]tur|cierre|cerrad|gesloten|fechad|chius|won|lost"
)
# Columns whose dates are meant to lie ahead: a future date there is no finding.
_PLANNED = re.compile(
    r"expect|due|target|plan|forecast|renew|expir|valid|until|deadline|next|schedul|"
    r"project|estimat|\best\b|f[aä]llig|prevu|prévu|previst|verwacht"
)
# Text columns of digits that are codes, not quantities.
_CODE_NAME = re.compile(r"\bid\b|_id$|code|zip|postal|plz|phone|tel|sku|ean|iban|\bnr\b|\bno\b")


def find_misreadings(ctx, stats: dict, sniffed: dict, today: date, exact: bool) -> list[Finding]:
    """Run the extra pass and turn what it found into findings."""
    probes = Pass()
    dates = [
        c for c in ctx.columns if c["type"] in ("date", "datetime") and stats[c["name"]]["filled"]
    ]
    later = _date_range_probes(probes, dates, stats, today)
    pairs = _pair_probes(probes, ctx.columns, stats)
    quarters = quarter_probes(probes, ctx.columns, dates, stats)
    numeric = _number_probes(probes, sniffed, stats, exact)
    tokens = [n for n, s in sniffed.items() if s["tokens"] and "groups" not in stats[n]]
    for name in tokens:
        # the tokens the sample showed (one or two, compared far faster than all of them)
        q, seen = ident(name), sniffed[name]["tokens"]
        for i, token in enumerate(seen):
            probes.add(f"tok:{name}:{i}", f"count_if({q} = {literal(token)})")
    found = probes.run(ctx)
    for name in tokens:
        seen = sniffed[name]["tokens"]
        stats[name]["tokens"] = {t: int(found[f"tok:{name}:{i}"]) for i, t in enumerate(seen)}
    findings = _date_findings(found, later, stats, today)
    findings += _pair_findings(found, pairs)
    findings += quarter_findings(found, quarters, ctx.columns)
    findings += _number_findings(found, numeric, sniffed, stats)
    return findings


def _date_range_probes(probes: Pass, dates: list[dict], stats: dict, today: date) -> list[str]:
    """Dates before 1900, far ahead or after today, for the columns whose range says so.
    Returns the columns with a future maximum (their latest date up to today is asked)."""
    far = date(today.year + FAR_YEARS, today.month, min(today.day, 28))
    later = []
    for c in dates:
        name, q = c["name"], ident(c["name"])
        low, high = day(stats[name].get("min")), day(stats[name].get("max"))
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
    latest = [day(found.get(f"upto:{n}")) for n in later]
    latest += [day(s.get("max")) for n, s in stats.items() if n not in later]
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
            text = f"{many} before 1900 (earliest {day(s['min'])})"
            points = share_points(5, share, 15)
        elif kind == "far":
            text = (
                f"{many} more than {FAR_YEARS} years after today ({today}), up to {day(s['max'])}"
            )
            points = share_points(5, share, 15)
        else:
            ahead = horizon(name, today)
            when = f"today ({today})" if ahead == today else f"a year from today ({ahead})"
            text = f"{many} after {when}, up to {day(found[f'future:{name}:max'])}"
            if plausible:
                text += f"; the file's latest date up to today is {plausible}"
            points = share_points(3, share, 12)
        text += f". First: row {rows[0]}, {first}." if rows else "."
        check = {"old": "Dates before 1900", "far": "Implausible dates"}.get(kind, "Future dates")
        out.append(Finding(check, name, n, text, points, rows=rows))
    return out


def _period(column: dict) -> bool:
    """A date column read from months or quarters ("2016-Q4", "Jan 2020"): it names a
    period, not the day something happened."""
    fmt = str(interp(column).get("format") or "")
    return bool(fmt) and fmt != "excel" and "%d" not in fmt and "%j" not in fmt


def paired_dates(columns: list[dict]) -> dict[tuple[str, str], str]:
    """Pairs of date columns where the first should not be later than the second ("created"
    and "closed"), each with the SQL counting its rows out of order. The profile's one scan
    counts them; only pairs with such rows are looked at again, for example rows."""
    dates = [c for c in columns if c["type"] in ("date", "datetime") and not _period(c)]
    starts = [c for c in dates if _START.search(c["name"].casefold())]
    # an expected date is no fact a recorded one could contradict
    ends = [
        c
        for c in dates
        if _END.search(c["name"].casefold()) and not _PLANNED.search(c["name"].casefold())
    ]
    pairs = [(a, b) for a in starts for b in ends if a["name"] != b["name"]][:MAX_PAIRS]
    out = {}
    for a, b in pairs:
        # a date and a time on the same day are in order: compare days
        da, db = (f"{ident(c['name'])}::DATE" if c["type"] == "datetime" else ident(c["name"])
                  for c in (a, b))  # fmt: skip
        out[(a["name"], b["name"])] = f"{da} > {db}"
    return out


def _pair_probes(probes: Pass, columns: list[dict], stats: dict) -> list[tuple[str, str]]:
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
                           share_points(4, n / both, 20), rows=rows))  # fmt: skip
    return out


def _number_probes(probes: Pass, sniffed: dict, stats: dict, exact: bool) -> list[str]:
    """Text columns whose first rows are mostly numbers; counted over every row unless the
    table is large (then the first rows stand for the column)."""
    flagged = []
    for name, s in sniffed.items():
        usable = s["filled"] - sum(s["tokens"].values())
        if usable < 5 or s["numeric"] < 0.8 * usable or s["codes"]:
            continue  # not mostly numbers, or digits with leading zeros: codes ("0162")
        if re.search(
            r"\bid\b|_id$|code|zip|postal|plz|phone|tel|sku|ean|iban|nr\b|no\b", name.casefold()
        ):
            continue
        flagged.append(name)
        if exact and s["sampled"]:  # count every row
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
            scope = f" (in the first {s['rows']:,} rows)" if s["sampled"] else ""
        text = (
            f"Column '{name}' holds numbers stored as text: {numbers:,} values look like "
            f"numbers{scope}, e.g. '{s['number']}'"
        )
        text += f"; {others:,} do not, e.g. '{example}'." if others and example else "."
        text += " Sums and averages need it read as a number; check its reading."
        out.append(Finding("Numbers as text", name, numbers, text, 5.0, rows=tuple(rows or ())))
    return out
