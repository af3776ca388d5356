"""Number readings: decimal mark, thousands separator, currency, percent and negatives.

Values are grouped by shape; each shape is matched once. For the digits the shape gives the
set of (decimal mark, thousands separator) pairs it allows: ``1.200,50`` only (",", "."),
``12,5`` only a decimal comma, ``1.200`` either 1.2 or 1200. The column keeps the pairs
every value allows; :func:`choose` picks among what is left from the column's evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from sandbox.interpret.currency import currency_of
from sandbox.interpret.shapes import by_shape

SEPARATORS = (",", ".", " ", "'", "’")
_CUR = r"[€$£¥₹₽₺₩]|a{1,3}[.$]?|a?\$"
_NUMBER = re.compile(
    rf"^(?P<lead>[-+−]|\()?(?: ?(?P<pre>{_CUR}) ?)?(?P<sign>[-+−])?"
    r"(?P<num>9(?:[9.,'’ ]*9)?)(?P<dash>,[-–]{1,2})?(?P<exp>a[-+]?9{1,3})?"
    rf"(?: ?(?P<pct>%))?(?: ?(?P<post>{_CUR}))?(?P<close>\))?(?P<trail>[-−])?$"
)
_ALL = frozenset((d, t) for d in ".," for t in (None, *SEPARATORS) if t != d)


@dataclass
class NumberEvidence:
    """What the values of a column say about how to read them as numbers."""

    readings: frozenset  # (decimal, thousands) pairs every value allows
    currencies: set = field(default_factory=set)
    percent: bool = False
    used_seps: set = field(default_factory=set)  # separator characters that occur
    fractions: dict = field(default_factory=dict)  # (decimal, thousands) -> any fraction
    leading_zero: dict = field(default_factory=dict)  # (decimal, thousands) -> code-like
    three_after: bool = True  # every value with one separator has exactly 3 digits after it
    exponent: bool = False
    examples: list = field(default_factory=list)


@lru_cache(maxsize=4096)
def _digit_readings(num: str) -> tuple[frozenset, dict, bool]:
    """Pairs a digit shape allows, whether each has a fraction, one separator + 3 digits."""
    seps = [c for c in num if c != "9"]
    if not seps:
        return _ALL, dict.fromkeys(_ALL, False), True
    groups = re.split(r"[.,'’ ]", num)
    fits: set = set()
    frac: dict = {}
    for dec, th in _ALL:
        has_frac = seps[-1] == dec
        int_seps = seps[:-1] if has_frac else seps
        int_groups = groups[:-1] if has_frac else groups
        if dec in int_seps:
            continue
        if int_seps and (
            any(s != th for s in int_seps)
            or len(int_groups[0]) > 3
            or any(len(g) != 3 for g in int_groups[1:])
        ):
            continue
        fits.add((dec, th))
        frac[(dec, th)] = has_frac
    three = len(seps) == 1 and len(groups[-1]) == 3
    return frozenset(fits), frac, three


def _affix_currency(group: list[str], m: re.Match, name: str) -> set | None:
    """Currencies named at a prefix/suffix position of a shape group; None if not currency."""
    if not m[name]:
        return set()
    a, b = m.span(name)
    found = {currency_of(t) for t in {v[a:b] for v in group}}
    if False in found:
        return None
    return found


def number_evidence(values: list[str], groups: dict | None = None) -> NumberEvidence | None:
    """Evidence from distinct stripped values, or None if some value is not a number.

    ``groups`` is ``by_shape(values)`` when the caller has it already.
    """
    ev = NumberEvidence(readings=_ALL)
    for shp, group in (groups or by_shape(values)).items():
        m = _NUMBER.match(shp)
        if not m or (m["close"] and m["lead"] != "(") or (m["lead"] == "(" and not m["close"]):
            return None
        if sum(bool(m[g]) for g in ("lead", "sign", "trail")) > 1 and m["lead"] != "(":
            return None
        cur = _affix_currency(group, m, "pre")
        post = _affix_currency(group, m, "post")
        if cur is None or post is None or (m["pre"] and m["post"]):
            return None
        ev.currencies |= cur | post
        ev.percent = ev.percent or bool(m["pct"])
        if m["exp"]:
            a = m.start("exp")
            if {v[a] for v in group} - {"e", "E"}:
                return None
            ev.exponent = True
        num = m["num"]
        fits, frac, three = _digit_readings(num)
        if m["dash"]:
            # "1.200,-": whole units in a decimal-comma locale (the dash stands for ",00").
            fits = frozenset(p for p in fits if p[0] == "," and not frac[p])
            frac = dict.fromkeys(fits, True)
            three = False
            ev.used_seps.add(",")
        ev.readings &= fits
        if not ev.readings:
            return None
        ev.used_seps |= {c for c in num if c != "9"}
        ev.three_after = ev.three_after and (three or num.count("9") == len(num))
        for pair in fits:
            ev.fractions[pair] = ev.fractions.get(pair, False) or frac[pair]
        _leading_zeros(ev, group, m.start("num"), num, fits)
        if len(ev.examples) < 3:
            ev.examples.append(group[0])
    if ev.exponent:
        ev.readings &= {(".", None)}
    if len(ev.currencies) > 1 or not ev.readings:
        return None
    return ev


def _leading_zeros(ev: NumberEvidence, group: list[str], start: int, num: str, fits) -> None:
    """Mark readings under which some value has an integer part like 00123 (a code)."""
    if not any(v[start] == "0" for v in group):
        return
    first = re.match(r"9+", num).group()
    rest = num[len(first) :]
    for pair in fits:
        dec, th = pair
        if len(first) > 1 or (rest and rest[0] == th):
            ev.leading_zero[pair] = True


def settled_pairs(ev: NumberEvidence) -> list[tuple]:
    """The pairs that explain every separator used, leading-zero readings left out."""
    used = ev.used_seps
    pairs = [p for p in ev.readings if not (used - {p[0], p[1]})]
    pairs = [p for p in pairs if p[1] is None or p[1] in used] or pairs
    return [p for p in pairs if not ev.leading_zero.get(p)] or pairs


def choose(
    ev: NumberEvidence, comma_locale: bool | None, counts: bool = False
) -> tuple[tuple, str, list[tuple]]:
    """The (decimal, thousands) pair to use, why it was a guess ("" if it was not), the others.

    Among the pairs every value allows, a pair must explain every separator that occurs;
    a leading-zero reading is last. When both a decimal point and a decimal comma remain
    (only values like ``1.200``), a header naming a count (units, Anzahl, cantidad) reads
    the separator as thousands, then the table's locale decides, then a lone separator
    before exactly three digits is read as thousands; each of these is flagged as a guess.
    """
    if not ev.used_seps:
        return min(ev.readings, key=lambda p: (p[0] != ".", p[1] is not None)), "", []
    pairs = settled_pairs(ev)
    # Readings differ only where a separator that occurs is the decimal mark in one of them.
    marks = {p[0] if p[0] in ev.used_seps else None for p in pairs}
    if len(marks) == 1:
        best = min(pairs, key=lambda p: (p[1] is None, p[0] != "."))
        return best, "", []

    def locale_rank(pair) -> int:
        return 0 if comma_locale is None or (pair[0] == ",") == comma_locale else 1

    def thousands_rank(pair) -> int:
        return 0 if ev.three_after and pair[1] is not None else 1

    if counts and ev.three_after:
        pairs.sort(key=lambda p: (thousands_rank(p), locale_rank(p)))
        why = "the header names a count, so the separator before three digits marks thousands"
    elif comma_locale is not None:
        pairs.sort(key=lambda p: (locale_rank(p), thousands_rank(p)))
        mark = "decimal commas" if comma_locale else "decimal points"
        why = f"the rest of the file uses {mark}"
    else:
        pairs.sort(key=lambda p: (thousands_rank(p), p[0] != "."))
        why = "every value has three digits after the separator, as thousands do"
    best = pairs[0]
    mark = best[0] if best[0] in ev.used_seps else None
    others = [p for p in pairs[1:] if (p[0] if p[0] in ev.used_seps else None) != mark]
    return best, why, list(dict.fromkeys(others))
