"""Date and datetime readings: every layout the values allow, with the dates each one gives.

A *reading* is one strptime-like format for the whole column. Values are grouped by shape
(``20-10-16`` and ``05-11-16`` share ``99-99-99``); each shape is matched once against the
layouts below and every order its digits allow (day-month-year, month-day-year,
year-month-day) is kept. Only readings that fit *every* value survive; which of them is
meant is decided by :mod:`sandbox.interpret.plausibility`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from sandbox.interpret.months import (
    ABBREVIATIONS,
    MONTHS,
    WEEKDAY_INDEX,
    WEEKDAYS,
    ZONES,
    fold,
)
from sandbox.interpret.shapes import by_shape

_TIME = (
    r"(?:(?P<ts> |a|, )(?P<H>9{1,2}):(?P<M>99)(?::(?P<S>99)(?P<f>[.,]9{1,9})?)?"
    r"(?:(?P<ps> ?)(?P<p>aa)(?!a))?(?P<tz>a|(?P<tzs> ?)[+-]99:?99|(?P<tzn> a{3,4}))?)?$"
)
_WD = r"(?:(?P<wd>a{2,10})(?P<wds>\.?,? |\. ))?"
_LAYOUTS = [
    (
        "num3",
        r"^" + _WD + r"(?P<f1>9{1,4})(?P<s1>[-/.])(?P<f2>9{1,2})(?P=s1)(?P<f3>9{1,4})" + _TIME,
    ),
    (
        "dby",
        r"^" + _WD + r"(?P<d>9{1,2})(?P<s1>\. |\.|-| |/)(?P<de1>aa )?(?P<b>a{3,10})(?P<bd>\.?)"
        r"(?P<s2>-| |/|, )(?P<de2>aa )?(?P<y>9999|99)" + _TIME,
    ),
    (
        "bdy",
        r"^"
        + _WD
        + r"(?P<b>a{3,10})(?P<bd>\.?)(?P<s1> |-)(?P<d>9{1,2})(?P<s2>, | |-|,)(?P<Y>9999)"
        + _TIME,
    ),
    ("by", r"^(?P<b>a{3,10})(?P<bd>\.?)(?P<s1> |-|/|, )(?P<y>9999|99)$"),
    ("by", r"^(?P<b>a{3,10})(?P<Y>9999)$"),
    ("ym", r"^(?P<Y>9999)(?P<s1>[-/])(?P<m>9{1,2})$"),
    ("my", r"^(?P<m>9{1,2})(?P<s1>[-/])(?P<Y>9999)$"),
    ("yq", r"^(?P<Y>9999)(?P<s1>-|/| |)(?P<Q>a)(?P<q>9)$"),
    ("qy", r"^(?P<Q>a)(?P<q>9)(?P<s1>-|/| |)(?P<Y>9999)$"),
]
_HINTED = [
    ("ym", r"^(?P<Y>9999)(?P<s1>\.)(?P<m>9{1,2})$"),
    ("my", r"^(?P<m>9{1,2})(?P<s1>\.)(?P<Y>9999)$"),
    ("compact", r"^(?P<Y>9999)(?P<m>99)(?P<d>99)$"),
]
_COMPILED = [(kind, re.compile(p)) for kind, p in _LAYOUTS]
_COMPILED_HINTED = _COMPILED + [(kind, re.compile(p)) for kind, p in _HINTED]


@dataclass(frozen=True)
class Candidate:
    """One way to read one shape: the date-part format and where each part sits."""

    key: str  # date part, e.g. "%d-%m-%y" (month names always as %b here)
    order: str  # "dmy", "mdy", "ymd", "my", "ym", "q"
    roles: tuple  # (role, start, end): Y y m d b q, relative to the value
    literals: tuple  # (start, end, allowed folded texts)
    date_end: int  # where the date part ends in the value
    time: tuple | None  # (style, has_seconds, has_fraction, format, spans) or None


@dataclass
class Reading:
    """A reading that fits every value of a column."""

    key: str
    order: str
    fmt: str
    pieces: list[tuple[list[str], int, dict[str, int]]]  # (values, date-part end, part -> day)
    kind: str = "date"  # "date" or "datetime"

    @cached_property
    def ordinals(self) -> dict[str, int]:
        """Distinct value -> its date as a proleptic ordinal."""
        out: dict[str, int] = {}
        for values, end, by_part in self.pieces:
            if end is None:
                out.update(by_part)
            else:
                out.update({v: by_part[v[:end]] for v in values})
        return out

    @cached_property
    def days(self) -> list[int]:
        """The distinct dates (ordinals) the reading gives."""
        return list({d for _, _, by_part in self.pieces for d in by_part.values()})

    def first(self) -> str:
        return self.pieces[0][0][0]

    def day_of(self, value: str) -> int | None:
        """The date (ordinal) of one value, without building the whole map."""
        for values, end, by_part in self.pieces:
            part = value if end is None else value[:end]
            if part in by_part and (end is None or value in values):
                return by_part[part]
        return None


def _orders(m: re.Match) -> list[tuple[str, dict]]:
    """The field orders a three-number date allows from the widths of its parts."""
    w1, w3 = len(m["f1"]), len(m["f3"])
    out = []
    if w1 == 4 and w3 <= 2:
        out.append(("ymd", {"Y": "f1", "m": "f2", "d": "f3"}))
    if w1 <= 2 and w3 in (2, 4):
        y = "Y" if w3 == 4 else "y"
        out.append(("dmy", {"d": "f1", "m": "f2", y: "f3"}))
        out.append(("mdy", {"m": "f1", "d": "f2", y: "f3"}))
    if w1 == 2 and w3 <= 2:
        out.append(("ymd", {"y": "f1", "m": "f2", "d": "f3"}))
    return out


def _time_part(m: re.Match) -> tuple[tuple | None, tuple]:
    """(style, seconds, fraction, format) of the time after a date, and its literal checks."""
    if not m["H"]:
        return None, ()
    lits = []
    ts = m["ts"]
    if ts == "a":
        lits.append((m.start("ts"), m.end("ts"), ("t",)))
        ts = "T"
    hour = "%I" if m["p"] else "%H"
    fmt = f"{ts}{hour}:%M"
    if m["S"]:
        fmt += ":%S"
    if m["f"]:
        fmt += m["f"][0] + "%f"
    if m["p"]:
        fmt += m["ps"] + "%p"
        lits.append((m.start("p"), m.end("p"), ("am", "pm")))
    tz = ""
    if m["tz"] == "a":
        tz = "Z"
        lits.append((m.start("tz"), m.end("tz"), ("z",)))
    elif m["tzn"]:
        tz = " %Z"
        lits.append((m.start("tzn") + 1, m.end("tzn"), ZONES))
    elif m["tz"]:
        tz = (m["tzs"] or "") + "%z"
    fmt += tz
    style = (ts, hour, m["ps"] if m["p"] else None, tz)
    spans = tuple((g, m.start(g), m.end(g)) for g in ("H", "M", "S") if m[g])
    return (style, bool(m["S"]), bool(m["f"]), fmt, spans), tuple(lits)


def _spans(m: re.Match, mapping: dict) -> tuple:
    return tuple((role, m.start(g), m.end(g)) for role, g in mapping.items())


def _named(kind: str, m: re.Match) -> tuple[str, str, dict, list]:
    """Format, order, role map and literal checks of a layout with a month name or quarter."""
    g = m.groupdict()
    lits = []
    if kind == "dby":
        key = "%d" + g["s1"]
        for name in ("de1",):
            if g[name]:
                lits.append((m.start(name), m.start(name) + 2, ("de",)))
                key += "de "
        key += "%b" + g["s2"]
        if g["de2"]:
            lits.append((m.start("de2"), m.start("de2") + 2, ("de",)))
            key += "de "
        y = "Y" if len(g["y"]) == 4 else "y"
        return key + "%" + y, "dmy", {"d": "d", "b": "b", y: "y"}, lits
    if kind == "bdy":
        return "%b" + g["s1"] + "%d" + g["s2"] + "%Y", "mdy", {"b": "b", "d": "d", "Y": "Y"}, lits
    if kind == "by":
        group = "Y" if g.get("Y") else "y"
        y = "Y" if len(g[group]) == 4 else "y"
        return "%b" + (g.get("s1") or "") + "%" + y, "my", {"b": "b", y: group}, lits
    if kind == "ym":
        return "%Y" + g["s1"] + "%m", "ym", {"Y": "Y", "m": "m"}, lits
    if kind == "my":
        return "%m" + g["s1"] + "%Y", "my", {"m": "m", "Y": "Y"}, lits
    if kind == "compact":
        return "%Y%m%d", "ymd", {"Y": "Y", "m": "m", "d": "d"}, lits
    lits.append((m.start("Q"), m.end("Q"), ("q",)))
    if kind == "yq":
        return "%Y" + g["s1"] + "Q%q", "q", {"Y": "Y", "q": "q"}, lits
    return "Q%q" + g["s1"] + "%Y", "q", {"q": "q", "Y": "Y"}, lits


@lru_cache(maxsize=4096)
def candidates(shape: str, hinted: bool) -> tuple[Candidate, ...]:
    """Every way a value of this shape can be a date (before looking at the digits)."""
    out = []
    for kind, pattern in _COMPILED_HINTED if hinted else _COMPILED:
        m = pattern.match(shape)
        if not m:
            continue
        time, tlits = _time_part(m) if "H" in pattern.groupindex else (None, ())
        date_end = m.start("ts") if time else m.end()
        prefix = ""
        weekday: tuple = ()
        if "wd" in pattern.groupindex and m["wd"]:
            prefix = "%a" + m["wds"]
            tlits = ((m.start("wd"), m.end("wd"), WEEKDAYS), *tlits)
            weekday = (("a", m.start("wd"), m.end("wd")),)
        if kind == "num3":
            s = m["s1"]
            for order, mapping in _orders(m):
                parts = [f"%{r}" for r, _ in sorted(mapping.items(), key=lambda rg: rg[1])]
                key = prefix + s.join(parts)
                roles = _spans(m, mapping) + weekday
                out.append(Candidate(key, order, roles, tlits, date_end, time))
        else:
            key, order, mapping, lits = _named(kind, m)
            key = prefix + key
            roles = _spans(m, mapping) + weekday
            out.append(Candidate(key, order, roles, tuple(lits) + tlits, date_end, time))
    return tuple(out)


def _year(y: int, two_digit: bool) -> int:
    # Same pivot as DuckDB's and Python's %y: 00-68 -> 20xx, 69-99 -> 19xx.
    if not two_digit:
        return y
    return 2000 + y if y < 69 else 1900 + y


def date_ordinals(parts: list[str], cand: Candidate) -> list[int] | None:
    """The dates of these date-part strings under a candidate, or None if one does not fit."""
    roles = {role: (a, b) for role, a, b in cand.roles}
    if "Y" in roles or "y" in roles:
        a, b = roles.get("Y") or roles["y"]
        years = [_year(int(p[a:b]), "y" in roles) for p in parts]
    if "q" in roles:
        a, b = roles["q"]
        quarters = [int(p[a:b]) for p in parts]
        if min(quarters) < 1 or max(quarters) > 4:
            return None
        months = [3 * q - 2 for q in quarters]
    elif "b" in roles:
        a, b = roles["b"]
        months = [MONTHS.get(fold(p[a:b]), 0) for p in parts]
    else:
        a, b = roles["m"]
        months = [int(p[a:b]) for p in parts]
    if "d" in roles:
        a, b = roles["d"]
        days = [int(p[a:b]) for p in parts]
    else:
        days = [1] * len(parts)
    try:
        ords = [date(y, m, d).toordinal() for y, m, d in zip(years, months, days, strict=True)]
    except ValueError:
        return None
    if "a" in roles:
        # A weekday name must be the weekday of the date: it rules day/month orders out.
        a, b = roles["a"]
        names = [WEEKDAY_INDEX.get(fold(p[a:b])) for p in parts]
        if any(n != (o - 1) % 7 for n, o in zip(names, ords, strict=True)):
            return None
    return ords


def _times_fit(times: list[str], cand: Candidate) -> bool | None:
    """None if a time part is not a real time of day, else whether any is not midnight."""
    offset = cand.date_end
    twelve = cand.time[0][1] == "%I"
    fields = {}
    for role, a, b in cand.time[4]:
        a, b = a - offset, b - offset
        fields[role] = {int(x) for x in {t[a:b] for t in times}}
    hours = fields["H"]
    if (min(hours) < 1 or max(hours) > 12) if twelve else max(hours) > 23:
        return None
    if max(fields["M"]) > 59 or max(fields.get("S", {0})) > 59:
        return None
    return twelve or any(v for f in fields.values() for v in f)


def _evaluate(values: list[str], cand: Candidate) -> tuple[tuple, bool, bool] | None:
    """((values, end, part -> ordinal), any time not midnight, full month names) or None."""
    for a, b, allowed in cand.literals:
        if not {fold(v[a:b]) for v in values} <= set(allowed):
            return None
    end = cand.date_end
    parts = list({v[:end] for v in values}) if cand.time else values
    ords = date_ordinals(parts, cand)
    if ords is None:
        return None
    by_part = dict(zip(parts, ords, strict=True))
    clock = False
    if cand.time:
        clock = _times_fit(list({v[end:] for v in values}), cand)
        if clock is None:
            return None
    # Written with %B unless some value abbreviates ("janv.", "Mrz", "Sept").
    full = not any(
        r == "b" and fold(v[a:b]) in ABBREVIATIONS for r, a, b in cand.roles for v in values
    )
    return (values, end if cand.time else None, by_part), clock, full


def date_readings(values: list[str], hinted: bool, groups: dict | None = None) -> list[Reading]:
    """Every reading that fits all values (distinct, stripped, non-null), in layout order.

    ``groups`` is ``by_shape(values)`` when the caller has it already.
    """
    if not values:
        return []
    per_key: dict[str, list] | None = None
    for shp, group in (groups or by_shape(values)).items():
        found: dict[str, tuple] = {}
        for cand in candidates(shp, hinted):
            result = _evaluate(group, cand)
            if result is not None and cand.key not in found:
                found[cand.key] = (cand, result)
        if per_key is None:
            per_key = {k: [v] for k, v in found.items()}
        else:
            per_key = {k: per_key[k] + [found[k]] for k in per_key if k in found}
        if not per_key:
            return []
    return [r for r in (_reading(k, parts) for k, parts in per_key.items()) if r]


def _reading(key: str, parts: list[tuple]) -> Reading | None:
    """Merge the shapes of one key: one time style, the richest time format."""
    times = [c.time for c, _ in parts if c.time]
    if len({t[0] for t in times}) > 1:
        return None
    pieces = []
    clock, full = False, "%b" in key
    for _, (piece, has_clock, has_full) in parts:
        pieces.append(piece)
        clock = clock or has_clock
        full = full and has_full
    fmt = key.replace("%b", "%B") if full else key
    if times:
        fmt += max(times, key=lambda t: (t[1], t[2]))[3]
    order = parts[0][0].order
    kind = "datetime" if clock else "date"
    return Reading(key, order, fmt, pieces, kind)


EXCEL_EPOCH = date(1899, 12, 30).toordinal()
EXCEL_FIRST = date(1950, 1, 1).toordinal() - EXCEL_EPOCH
_SERIAL = re.compile(r"^9{5}(?:\.9+)?$")


def excel_reading(values: list[str], today: date, groups: dict | None = None) -> Reading | None:
    """Excel serial day numbers (45292 = 2024-01-01) from 1950 to 30 years after today."""
    last = today.toordinal() + 30 * 366 - EXCEL_EPOCH
    ords: dict[str, int] = {}
    clock = False
    for shp, group in (groups or by_shape(values)).items():
        if not _SERIAL.match(shp):
            return None
        for v in group:
            day = int(v[:5])
            if not EXCEL_FIRST <= day <= last:
                return None
            ords[v] = day + EXCEL_EPOCH
            clock = clock or (len(v) > 5 and v[6:].strip("0") != "")
    kind = "datetime" if clock else "date"
    return Reading("excel", "excel", "excel", [(list(ords), None, ords)], kind)
