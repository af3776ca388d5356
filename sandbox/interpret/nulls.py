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


def split_nulls(
    values: Iterable[str | None], tokens: frozenset[str] = NULL_TOKENS
) -> tuple[Counter, int, tuple[str, ...]]:
    """Count the distinct present values; return (counts, null count, null tokens found).

    Values are stripped; ``None`` and blanks count as nulls without being listed as tokens.
    The found tokens keep the spelling of their first occurrence, most frequent first.
    """
    counts = Counter(values)
    present: Counter = Counter()
    found: Counter = Counter()
    spelled: dict[str, str] = {}
    nulls = 0
    for raw, n in counts.items():
        if raw is None:
            nulls += n
            continue
        value = raw.strip()
        key = value.lower()
        if key in tokens:
            nulls += n
            if key:
                found[key] += n
                spelled.setdefault(key, value)
        else:
            present[value] += n
    return present, nulls, tuple(spelled[k] for k, _ in found.most_common())
