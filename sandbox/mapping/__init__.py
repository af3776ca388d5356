"""Which column feeds which recipe field: suggestions from headers and values, and checks.

``suggest_mapping(info, recipe) -> {field: Suggestion}`` reads each header in seven
languages (see :mod:`sandbox.mapping.words`) and looks at the values (see
:mod:`sandbox.mapping.values`): an "Owner" column of people's names is a sales rep, a column
of "… GmbH" and "… Inc" is the customer company. Each suggestion says why, and only a
confident one is preselected; the portal shows the others as hints.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..errors import MappingError
from .values import Facts, facts_of, fit
from .words import CONCEPTS, Concept, currency_codes, header_currency, is_converted, normalise

if TYPE_CHECKING:
    from ..recipes.base import Field, Recipe
    from ..store import Column, DatasetInfo

# Which dataset column types may feed which field type. Text may hold numbers or dates
# ("1,200", "03/04/2024"); the run checks the actual values and names bad rows.
COMPATIBLE = {
    "number": {"integer", "decimal", "text"},
    "date": {"date", "datetime", "text"},
    "text": {"integer", "decimal", "date", "datetime", "boolean", "text"},
}
_PREFERRED = {
    "number": {"integer", "decimal"},
    "date": {"date", "datetime"},
    "text": {"text"},
}
_TYPE_WORDS = {"number": "numbers", "date": "dates", "text": "text"}
PRESELECT = 0.6  # a suggestion at least this confident is chosen for the person
SHOW = 0.35  # below this, no suggestion at all
VALUE_ONLY = ("person", "company", "outcome", "stage", "order_id")
_GENERIC = ("value", "period_date")


@dataclass(frozen=True)
class Suggestion:
    """A proposed column for one field.

    ``confidence`` is 0..1; ``reason`` is one short phrase for the UI ("header 'Betrag (EUR)'
    means amount; amounts in EUR", "looks like people's names; 30 distinct"); ``preselect``
    says whether the form should choose it (False: show it as a hint only).
    """

    column: str
    confidence: float
    reason: str
    preselect: bool


def concept_of(f: Field) -> Concept:
    base = CONCEPTS.get(f.concept or f.name, Concept(()))
    extra = tuple(normalise(w) for w in (f.name, f.label, *f.synonyms) if normalise(w))
    return Concept(tuple(dict.fromkeys(base.words + extra)), base.also, base.weak, base.expects)


def _phrase_in(short: str, long: str) -> bool:
    """Whole words of ``short`` inside ``long`` (both normalised: words split by one space)."""
    return f" {short} " in f" {long} "


def _near(a: str, b: str, at_least: float = 0.86) -> bool:
    """A typo away ("Ammount", "Stgae"): cheap bounds first, the full ratio only if needed."""
    if a[0] != b[0] or 2 * min(len(a), len(b)) / (len(a) + len(b)) < at_least:
        return False  # a typo rarely hits the first letter
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= at_least and matcher.ratio() >= at_least


@functools.lru_cache(maxsize=4096)
def name_score(header: str, concept: Concept) -> float:
    """0..1: how surely a header names the concept (exact 1.0, a second-best word 0.85,
    the word inside a longer header about 0.8, a compound ending in it 0.6, a near-typo up
    to 0.7, a generic word 0.45)."""
    h = normalise(header)
    if not h:
        return 0.0
    best = 0.0
    for words, exact, inside in ((concept.words, 1.0, 0.8), (concept.also, 0.85, 0.65)):
        for w in words:
            if h == w:
                return exact
            if _phrase_in(w, h):
                best = max(best, inside + 0.12 * len(w) / len(h))
            elif len(h) >= 4 and _phrase_in(h, w):
                best = max(best, inside - 0.25)
            elif " " not in h + w and len(w) >= 4 and len(h) >= len(w) + 3 and h.endswith(w):
                best = max(best, inside - 0.2)  # German and Dutch compounds: "Fakturadatum"
            elif len(h) >= 5 and len(w) >= 5 and _near(h, w):
                best = max(best, difflib.SequenceMatcher(None, h, w).ratio() * 0.75)
    if best < 0.45 and any(h == w or _phrase_in(w, h) for w in concept.weak):
        best = 0.45
    return round(min(best, 0.95), 3)


def _score(f: Field, concept: Concept, col: Column, facts: Facts) -> tuple[float, str] | None:
    if col.type not in COMPATIBLE[f.type]:
        return None
    name = name_score(col.name, concept)
    delta, said = fit(concept.expects, facts, col.type)
    if name < 0.45 and not (concept.expects in VALUE_ONLY and delta >= 0.25):
        return None
    type_fit = 1.0 if col.type in _PREFERRED[f.type] else 0.5
    confidence = round(max(0.0, min(1.0, 0.75 * name + 0.25 * type_fit + delta)), 2)
    if name < 0.45:
        confidence = round(min(confidence, PRESELECT - 0.05), 2)  # values never preselect alone
    if confidence < SHOW:
        return None
    return confidence, _reason(f, col, name, said)


def _reason(f: Field, col: Column, name: float, said: str) -> str:
    parts = []
    if name >= 0.95:
        parts.append(f"header '{col.name}' means {f.display.lower()}")
    elif name >= 0.6:
        parts.append(f"header '{col.name}' is like {f.display.lower()}")
    elif name >= 0.45:
        parts.append(f"header '{col.name}' could be {f.display.lower()}")
    if said:
        parts.append(said)
    currency = _currency(col) if f.type == "number" else None
    if currency:
        parts.append(f"amounts in {currency}")
    if not parts:
        parts.append(f"holds {_TYPE_WORDS[f.type]}")
    return "; ".join(parts)


def _currency(col: Column) -> str | None:
    return (col.interpretation or {}).get("currency") or header_currency(col.name)


def suggest_mapping(info: DatasetInfo, recipe: Recipe) -> dict[str, Suggestion]:
    """Propose a column for each field, from its header (seven languages) and its values.

    Fields without a plausible column are left out; a column is used at most once (the most
    confident pairs first, required fields first on ties, then the file's column order).
    """
    facts = {
        col.name: facts_of(col, [row[i] for row in info.sample_rows if i < len(row)], info.rows)
        for i, col in enumerate(info.columns)
    }
    concepts = {f.name: concept_of(f) for f in recipe.fields}
    mixed = _mixed_currencies(info, facts)
    scored = []
    for order, col in enumerate(info.columns):
        for f in recipe.fields:
            hit = _score(f, concepts[f.name], col, facts[col.name])
            if hit is not None and mixed and concepts[f.name].expects == "money":
                hit = _converted(col, hit, mixed)
            if hit is not None:
                scored.append((-hit[0], not f.required, order, f.name, col.name, hit[1]))
    scored.sort(key=lambda s: s[:3])
    chosen: dict[str, Suggestion] = {}
    used: set[str] = set()
    for neg, _optional, _order, field_name, column, reason in scored:
        if field_name in chosen or column in used:
            continue
        confidence = -neg
        chosen[field_name] = Suggestion(column, confidence, reason, confidence >= PRESELECT)
        used.add(column)
    _order_dates(info, chosen)
    _only_candidates(info, recipe, chosen, used, facts)
    return {f.name: chosen[f.name] for f in recipe.fields if f.name in chosen}


def _mixed_currencies(info: DatasetInfo, facts: dict[str, Facts]) -> str:
    """ "EUR, GBP" when a currency column holds several codes and a converted amount
    exists (Stripe's "Converted Amount"); "" otherwise."""
    if not any(is_converted(c.name) and c.type in _PREFERRED["number"] for c in info.columns):
        return ""
    for f in facts.values():
        codes = currency_codes(list(f.examples))
        if codes and len(codes) > 1:
            return ", ".join(sorted(codes))
    return ""


def _converted(col: Column, hit: tuple[float, str], mixed: str) -> tuple[float, str]:
    """Amounts in several currencies cannot be added up; their converted column can."""
    confidence, reason = hit
    if is_converted(col.name):
        why = f"the file mixes currencies ({mixed}); this column converts them to one"
        return min(1.0, confidence + 0.15), f"{reason}; {why}"
    return round(max(0.0, confidence - 0.1), 2), f"{reason}; in several currencies ({mixed})"


def _only_candidates(
    info: DatasetInfo,
    recipe: Recipe,
    chosen: dict[str, Suggestion],
    used: set[str],
    facts: dict[str, Facts],
) -> None:
    """A required generic field ("what to forecast", "when") that nothing matched by name
    takes the one column of its type left over ("Tickets", the only number column): the
    file leaves no other choice. Specific fields (a deal's amount) never guess this way."""
    for f in recipe.fields:
        if not f.required or f.name in chosen or (f.concept or f.name) not in _GENERIC:
            continue
        left = [
            c for c in info.columns
            if c.name not in used and c.type in _PREFERRED[f.type]
            and not (f.type == "number" and _looks_like_ids(c, facts[c.name]))
        ]  # fmt: skip
        if len(left) == 1:
            word = _TYPE_WORDS[f.type].rstrip("s")
            chosen[f.name] = Suggestion(
                left[0].name, PRESELECT, f"the only {word} column not used otherwise", True
            )
            used.add(left[0].name)


def _looks_like_ids(col: Column, facts: Facts) -> bool:
    """Document or customer numbers: codes ("SO-4711"), a header naming an order or
    customer id ("Fakturabeleg", "Auftraggeber"), or whole numbers all distinct."""
    if facts.ident >= 0.8 and not facts.integer_range:
        return True
    if any(name_score(col.name, CONCEPTS[c]) >= 0.45 for c in ("order_id", "customer")):
        return True
    return col.type == "integer" and facts.distinct is not None and facts.distinct == facts.rows


# Date fields whose values come in this order on every row: a deal is created, then closed.
_DATE_ORDER = (("created", "closed"),)


def _order_dates(info: DatasetInfo, chosen: dict[str, Suggestion]) -> None:
    """Swap two suggested date columns when the "earlier" one starts after the other ends
    (the headers mislead; the values cannot)."""
    for first, then in _DATE_ORDER:
        a, b = chosen.get(first), chosen.get(then)
        if not (a and b):
            continue
        pa, pb = (info.column(s.column).profile or {} for s in (a, b))
        if pa.get("min") and pb.get("max") and str(pa["min"]) > str(pb["max"]):
            # Shown, not chosen: the person confirms which header is wrong.
            chosen[first] = Suggestion(
                b.column, 0.5, f"its dates all come before those of '{a.column}'", False
            )
            chosen[then] = Suggestion(
                a.column, 0.5, f"its dates all come after those of '{b.column}'", False
            )


def preselected_mapping(info: DatasetInfo, recipe: Recipe) -> dict[str, str]:
    """field -> column of the suggestions the form chooses by itself (what a run with no
    manual step uses: the command line, the corpus test)."""
    return {f: s.column for f, s in suggest_mapping(info, recipe).items() if s.preselect}


def validate_mapping(
    info: DatasetInfo,
    recipe: Recipe,
    mapping: dict[str, str | None],
    params: dict[str, Any] | None = None,
) -> tuple[dict[str, str], dict[str, Any]]:
    """Check a field->column mapping and the parameters; return cleaned copies.

    Raises :class:`MappingError` naming the field, column or parameter at fault. A field
    with ``instead`` (amount = quantity x unit price) is required only while those
    other fields are not all mapped.
    """
    known = {f.name: f for f in recipe.fields}
    clean_map: dict[str, str] = {}
    for field_name, column in (mapping or {}).items():
        if field_name not in known:
            raise MappingError(f"'{recipe.title}' has no field called '{field_name}'.")
        if column in (None, ""):
            continue
        f = known[field_name]
        col = info.column(column)
        if col is None:
            raise MappingError(
                f"The file has no column named '{column}'. Choose one of its columns for "
                f"'{f.display}'."
            )
        if col.type not in COMPATIBLE[f.type]:
            raise MappingError(
                f"'{f.display}' needs {_TYPE_WORDS[f.type]}, but column '{column}' holds "
                f"{col.type} values. Map another column."
            )
        clean_map[field_name] = column
    for f in recipe.fields:
        if f.required and f.name not in clean_map:
            _missing(f, known, clean_map)
    return clean_map, validate_params(recipe, params or {})


def _missing(f: Field, known: dict[str, Field], clean_map: dict[str, str]) -> None:
    if not f.instead:
        raise MappingError(
            f"Choose a column for '{f.display}'" + (f" ({f.hint})." if f.hint else ".")
        )
    others = [known[name] for name in f.instead]
    absent = [o for o in others if o.name not in clean_map]
    if not absent:
        return
    names = " and ".join(f"'{o.display}'" for o in others)
    if len(absent) == len(others):
        raise MappingError(
            f"Choose a column for '{f.display}'" + (f" ({f.hint})" if f.hint else "")
            + f", or map {names} and we multiply them."
        )  # fmt: skip
    missing = " and ".join(f"'{o.display}'" for o in absent)
    raise MappingError(
        f"Choose a column for {missing} too: without '{f.display}', the amount is worked out "
        f"as {names} multiplied."
    )


def parse_date(value: Any) -> date:
    """An ISO date (or date/datetime) from a setting; raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def validate_params(recipe: Recipe, params: dict[str, Any]) -> dict[str, Any]:
    known = {p.name: p for p in recipe.params}
    for name in params:
        if name not in known:
            raise MappingError(f"'{recipe.title}' has no setting called '{name}'.")
    clean: dict[str, Any] = {}
    for p in recipe.params:
        value = params.get(p.name, p.default)
        if value in (None, ""):
            value = p.default
        if p.type == "choice":
            if value not in p.choices:
                raise MappingError(f"'{p.display}' must be one of: {', '.join(p.choices)}.")
        elif p.type == "date":
            try:
                value = None if value is None else parse_date(value).isoformat()
            except ValueError:
                raise MappingError(
                    f"'{p.display}' must be a date such as 2024-03-31, or empty for the "
                    "latest date in your data."
                ) from None
        else:
            value = _number_param(p, value)
        clean[p.name] = value
    return clean


def _number_param(p: Any, value: Any) -> float | int:
    caster = int if p.type == "int" else float
    try:
        value = caster(value)
    except (TypeError, ValueError):
        raise MappingError(f"'{p.display}' must be a number.") from None
    if (p.min is not None and value < p.min) or (p.max is not None and value > p.max):
        raise MappingError(
            f"'{p.display}' must be between {p.min:g} and {p.max:g}."
            if p.min is not None and p.max is not None
            else f"'{p.display}' is out of range."
        )
    return value
