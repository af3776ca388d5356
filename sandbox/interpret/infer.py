"""infer_columns: read every column of a table the way a careful analyst would."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sandbox.interpret import headers
from sandbox.interpret.currency import header_currency
from sandbox.interpret.datecols import settle_dates
from sandbox.interpret.dates import Reading, date_readings, excel_reading
from sandbox.interpret.describe import null_note, number_reason
from sandbox.interpret.model import Interpretation
from sandbox.interpret.money import table_currencies
from sandbox.interpret.months import fold, foreign_month_names
from sandbox.interpret.nulls import TEXT_NULL_TOKENS, split_nulls
from sandbox.interpret.numbers import NumberEvidence, choose, number_evidence, settled_pairs
from sandbox.interpret.shapes import by_shape
from sandbox.interpret.sql import FALSE_WORDS, TRUE_WORDS

_POINT_CURRENCIES = {"USD", "GBP", "JPY", "CNY", "INR", "AUD", "CAD", "NZD", "MXN", "KRW"}
_COMMA_CURRENCIES = {"EUR", "BRL", "ARS", "CLP", "COP", "DKK", "NOK", "SEK", "PLN", "CZK", "HUF"}


@dataclass
class Facts:
    """One column before the table-level choice."""

    name: str
    values: Sequence[str | None]
    nulls: int
    tokens: tuple[str, ...]
    kind: str = "text"  # text, boolean, number, date
    readings: list[Reading] = field(default_factory=list)
    number: NumberEvidence | None = None
    present: int = 0
    rows: list | None = None
    fixes: dict = field(default_factory=dict)

    def row_values(self) -> list:
        """Per row: the stripped value, or None where missing."""
        if self.rows is None:
            fixes = self.fixes
            self.rows = [fixes.get(v, v) for v in self.values]
        return self.rows


def _is_boolean(distinct: list[str], header: str) -> bool:
    if len(distinct) > 24:
        return False
    words = {fold(v) for v in distinct}
    if not words <= set(TRUE_WORDS) | set(FALSE_WORDS) | {"si"}:
        return False
    if words <= {"0", "1"}:
        return headers.is_flag_header(header)
    return not (words <= {"j", "n", "y"} and len(words) < 2)


_PREFIX = 48


def _surely_text(head: list[str], hinted: bool, today: date) -> bool:
    """A cheap first look: when a few values fit no number or date, the column is text."""
    groups = by_shape(head)
    if number_evidence(head, groups) is not None or date_readings(head, hinted, groups):
        return False
    return not (hinted and excel_reading(head, today, groups))


def _facts(name: str, values: Sequence[str | None], today: date) -> Facts:
    present, nulls, tokens, fixes = split_nulls(values)
    facts = Facts(name, values, nulls, tokens, present=sum(present.values()), fixes=fixes)
    distinct = list(present)
    if not distinct:
        return facts
    hinted = headers.is_date_header(name)
    if _is_boolean(distinct, name):
        facts.kind = "boolean"
        return facts
    if len(distinct) > _PREFIX and _surely_text(distinct[:_PREFIX], hinted, today):
        return facts
    groups = by_shape(distinct)
    if hinted:
        excel = excel_reading(distinct, today, groups)
        readings = [excel] if excel else date_readings(distinct, True, groups)
        if readings:
            facts.kind, facts.readings = "date", readings
            return facts
    ev = number_evidence(distinct, groups)
    if ev is not None:
        facts.kind, facts.number = "number", ev
        return facts
    readings = date_readings(distinct, False, groups)
    if readings:
        facts.kind, facts.readings = "date", readings
    return facts


def infer_columns(
    columns: dict[str, Sequence[str | None]], *, today: date
) -> dict[str, Interpretation]:
    """Interpret each column from its sampled raw values (None = missing).

    Dates are chosen with evidence from the whole table (see
    :mod:`sandbox.interpret.plausibility`); numbers by their separators, the header and the
    table's locale. Every interpretation carries a plain ``reason``.
    """
    facts = {name: _facts(name, values, today) for name, values in columns.items()}
    locale = _table_locale(facts)
    out: dict[str, Interpretation] = {}
    for name, f in facts.items():
        if f.kind == "number":
            out[name] = _number(f, locale)
        elif f.kind == "boolean":
            out[name] = Interpretation(
                type="boolean",
                nulls=f.tokens,
                null_count=f.nulls,
                reason="Read as yes/no values." + null_note(f.tokens, f.nulls),
            )
        elif f.kind == "text":
            out[name] = _text(f)
    out.update(settle_dates(facts, locale, today))
    out.update(table_currencies(columns, out))
    return {name: out[name] for name in columns}


def _text(f: Facts) -> Interpretation:
    _, nulls, tokens, _ = split_nulls(f.values, TEXT_NULL_TOKENS)
    if not f.present:
        nulls, tokens = f.nulls, f.tokens
        reason = "Every value is empty, so it is kept as text."
    else:
        reason = "Read as text." + null_note(tokens, nulls)
    return Interpretation(type="text", nulls=tokens, null_count=nulls, reason=reason)


def _table_locale(facts: dict[str, Facts]) -> bool | None:
    """True if the file writes decimal commas, False for points, None if it does not say.

    Votes: number columns whose values settle the decimal mark, month names in a language
    other than English, headers in a decimal-comma language (or English words).
    """
    votes = []
    for f in facts.values():
        if f.kind == "number" and f.number:
            decs = {p[0] for p in settled_pairs(f.number)}
            if len(decs) == 1 and any(f.number.fractions.get(p) for p in f.number.readings):
                votes.append(decs == {","})
        named = f.kind == "date" and any("%b" in r.key for r in f.readings)
        if named and foreign_month_names(f.readings[0].ordinals.keys()):
            votes.append(True)
        hint = headers.comma_locale(f.name)
        if hint is not None:
            votes.append(hint)
    if not votes:
        return None
    share = sum(votes) / len(votes)
    return True if share > 0.5 else False if share < 0.5 else None


def _currency_locale(currency: str | None) -> bool | None:
    if currency in _POINT_CURRENCIES:
        return False
    if currency in _COMMA_CURRENCIES:
        return True
    return None


def _number(f: Facts, table_locale: bool | None) -> Interpretation:
    ev = f.number
    currency = next(iter(ev.currencies), None) or header_currency(f.name)
    percent = ev.percent or "%" in f.name
    locale = None
    if ev.currencies:
        locale = _currency_locale(currency)
    if locale is None:
        locale = headers.comma_locale(f.name)
    if locale is None:
        locale = _currency_locale(currency)
    if locale is None:
        locale = table_locale
    (dec, th), guess, others = choose(ev, locale, headers.is_count_header(f.name))
    integer_like = not (ev.fractions.get((dec, th)) or ev.exponent or currency or percent)
    if ev.leading_zero.get((dec, th)) or (headers.is_code_header(f.name) and integer_like):
        why = "leading zeros and all" if ev.leading_zero.get((dec, th)) else "as the header says"
        return Interpretation(
            type="text",
            nulls=f.tokens,
            null_count=f.nulls,
            reason=f"Codes like {ev.examples[0]} are kept as text, {why}.",
        )
    kind = "integer" if integer_like else "decimal"
    extra = []
    if currency:
        where = "the values" if ev.currencies else "the header"
        extra.append(f"amounts in {currency} (from {where})")
    if percent:
        extra.append("percentages, stored as 12 for 12 %")
    if guess:
        extra.append(f"no value settles the decimal mark; {guess}")
    reason = number_reason(kind, ev.examples[0], dec, th, extra) + null_note(f.tokens, f.nulls)
    alts = []
    for odec, oth in others:
        okind = "integer" if not ev.fractions.get((odec, oth)) and kind == "integer" else "decimal"
        alt = Interpretation(okind, decimal=odec, thousands=oth, currency=currency, percent=percent)
        alts.append(alt.spec())
    return Interpretation(
        type=kind,
        decimal=dec,
        thousands=th,
        currency=currency,
        percent=percent,
        nulls=f.tokens,
        null_count=f.nulls,
        reason=reason,
        ambiguous=bool(guess),
        alternatives=tuple(dict.fromkeys(a for a in alts)),
    )
