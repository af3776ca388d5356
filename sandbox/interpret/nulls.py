"""Null tokens: the words and marks exports write where a value is missing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

# Compared after strip() and lower(). Every one of these means "no value" in a typed column.
NULL_TOKENS = frozenset(
    {
        "",
        "n/a", "na", "n.a.", "n.a", "#n/a", "#na", "n/v", "#nv", "#n/v",
        "-", "--", "---", "—", "–", "−", "?", "??", ".", "/",
        "null", "(null)", "<null>", "nil", "none", "(none)", "nan", "#value!", "#ref!",
        "#div/0!", "#null!", "#num!", "#name?",
        "missing", "unknown", "not available", "not applicable", "tbd", "empty", "(blank)",
        "k.a.", "k. a.", "ka", "keine angabe", "keine angaben", "unbekannt", "n.v.", "nv",
        "n.b.", "nb", "o.a.", "ohne angabe", "entfällt", "leer",
        "s/o", "s.o.", "sans objet", "nd", "n.d.", "non disponible", "non renseigné", "inconnu",
        "s/d", "s.d.", "sin datos", "sin dato", "no disponible", "desconocido", "no aplica",
        "n.p.", "non disponibile", "sconosciuto", "nessuno",
        "onbekend", "geen", "n.v.t.", "nvt", "geen gegevens",
        "s/i", "sem dados", "sem informação", "desconhecido", "não disponível", "não aplicável",
        # Empty dates as databases and spreadsheets write them.
        "0000-00-00", "0000-00-00 00:00:00", "00.00.0000", "00/00/0000", "00-00-0000",
    }
)  # fmt: skip

# In a text column only these are taken as missing: "NA" may be North America, "-" a rating.
TEXT_NULL_TOKENS = frozenset(
    {
        "", "n/a", "#n/a", "#nv", "null", "(null)", "<null>", "none", "(none)", "nan",
        "k.a.", "keine angabe", "n.v.", "s/o", "n.d.", "#value!", "#ref!", "#div/0!", "(blank)",
        "—", "–",
    }
)  # fmt: skip


# Mixed-case spellings seen in exports, besides lower, UPPER, Title and Capitalized forms.
_SPELLINGS = ("k.A.", "k. A.", "n.V.", "n.A.", "#N/V", "#NV", "N/a", "n/A", "NaN", "s/O", "N.d.")


def _variants(tokens: frozenset[str]) -> frozenset[str]:
    out = set(_SPELLINGS) & {s for s in _SPELLINGS if s.lower() in tokens}
    for t in tokens:
        out |= {t, t.upper(), t.title(), t.capitalize()}
    return frozenset(out)


_VARIANTS = {NULL_TOKENS: _variants(NULL_TOKENS), TEXT_NULL_TOKENS: _variants(TEXT_NULL_TOKENS)}


def split_nulls(
    values: Iterable[str | None], tokens: frozenset[str] = NULL_TOKENS
) -> tuple[Counter, int, tuple[str, ...], dict]:
    """Count the distinct present values (stripped of spaces, as DuckDB's trim() does).

    Returns (counts of stripped present values, null count, null tokens found, fixes) where
    ``fixes`` maps each raw value that is missing or needed stripping to its stripped form
    (None for missing). Found tokens keep their first spelling, most frequent first.
    """
    variants = _VARIANTS.get(tokens) or _variants(tokens)
    counts = Counter(values)
    nulls = counts.pop(None, 0)
    fixes: dict = {None: None}
    keys = list(counts)
    stripped = [k.strip(" ") for k in keys]
    for raw, value in [(r, s) for r, s in zip(keys, stripped, strict=True) if r != s]:
        counts[value] = counts.get(value, 0) + counts.pop(raw)
        fixes[raw] = value
    found: Counter = Counter()
    spelled: dict[str, str] = {}
    for value in [v for v in counts if v in variants]:
        n = counts.pop(value)
        nulls += n
        fixes[value] = None
        key = value.lower()
        if key:
            found[key] += n
            spelled.setdefault(key, value)
    for raw, value in list(fixes.items()):
        if value is not None and fixes.get(value, value) is None:
            fixes[raw] = None
    return counts, nulls, tuple(spelled[k] for k, _ in found.most_common()), fixes
