"""What a column's values look like: people, companies, e-mails, ids, stages, won/lost labels.

The facts come from the column's ``profile`` (distinct count, examples, top values, repeats)
when ingest filled it, else from the preview rows. ``fit(expects, facts)`` turns them into a
confidence change and the words shown beside the suggestion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .labels import CLOSED, LOST, STAGE_STEPS, WON
from .words import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LEGAL_FORMS = _words(
    "gmbh ag kg ohg ug se kgaa gbr ev inc incorporated ltd limited llc llp lp plc corp "
    "corporation co company sa sas sasu sarl eurl sa cv srl sl slu sau spa sapa snc bv "
    "nv bvba vof cv lda ltda sgps oy ab as asa aps pty pte sagl sprl"
)
COMPANY_WORDS = _words(
    "group holding holdings solutions systems technologies technology tech software consulting "
    "partners services industries international bank labs media logistics energy motors global "
    "enterprises associates gruppe werke verlag stadtwerke versicherung groupe societe grupo "
    "industrie industria sistemas soluciones servicos servizi studio agency agentur"
)
PARTICLES = _words("van von der den de da di del dos das du le la ten ter zu y e")
_OUTCOME_WORDS = frozenset(WON + LOST + CLOSED)
_DOMAIN = re.compile(r"[a-z0-9-]+\.(com|de|fr|es|nl|it|pt|io|co|net|org|eu|ch|at|be)")
_EMAIL = re.compile(r"^[^@\s]+@([^@\s]+\.[a-z]{2,})$", re.I)
# One token of letters and digits with at least two digits: "#1001", "SO-4711", "C536379",
# "1C1I7A6R", "cus_9s6XKzkNRiz8i3", a UUID; not an amount such as "12.50" or "1,200".
_ID = re.compile(r"^#?[A-Za-z0-9][A-Za-z0-9_/:#.-]{0,63}$")
_AMOUNT = re.compile(r"^-?\d{1,3}([.,' ]\d{3})*([.,]\d{1,2})?$")
_NUMBER = re.compile(r"^[-+(]?\s*[$€£¥₹]?\s*[-+]?\d[\d.,' \u00a0\u202f’]*\s*[$€£¥₹%]?\s*\)?-?$")
_DATE = re.compile(r"\d{1,4}\s*[-/.]\s*\d{1,2}|\d{4}-?q\d|q\d\s*\d{4}|[a-zé]{3,}\.?\s+\d{4}", re.I)
_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(['’-][^\W\d_]+)*\.?$")
_BOOL = {"true", "false", "yes", "no", "1", "0", "ja", "nein", "oui", "non", "si", "sim",
         "nao", "wahr", "falsch", "y", "n"}  # fmt: skip


@dataclass(frozen=True)
class Facts:
    """Shares are over the distinct example values (0..1)."""

    examples: tuple[str, ...]
    distinct: int | None
    rows: int
    repeats: bool | None
    person: float
    company: float
    email: float
    domains: int
    ident: float
    number: float
    date: float
    won_lost: float
    stage: float
    boolean: bool
    integer_range: tuple[float, float] | None
    years: tuple[int, int] | None = None


def _is_id(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    return (
        bool(_ID.match(value))
        and digits >= 2
        and not _AMOUNT.match(value)
        and not _DATE.fullmatch(value)
        and not re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T][\d:.]+)?", value)
    )


def _tokens(value: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", fold(value).replace(".", "")) if t]


def is_company(value: str) -> bool:
    """A legal form (GmbH, Inc, S.L., SpA, Lda, "& Co") or a company word, or a web domain."""
    tokens = _tokens(value.replace("&", " & "))
    if not tokens:
        return False
    if "&" in tokens[1:] or _DOMAIN.fullmatch(fold(value)):
        return True
    return any(t in LEGAL_FORMS for t in tokens[-3:] if len(tokens) > 1) or any(
        t in COMPANY_WORDS for t in tokens
    )


def is_person(value: str) -> bool:
    """Two to four capitalised words ("Maya Chen", "Jan van der Berg", "Chen, Maya")."""
    words = value.replace(",", " ").split()
    if not 2 <= len(words) <= 4 or is_company(value):
        return False
    if any(fold(w) in _OUTCOME_WORDS for w in words):
        return False  # "Closed Won" is a stage, not a person
    core = [w for w in words if fold(w) not in PARTICLES]
    long = [w for w in core if len(w.rstrip(".")) >= 2]
    return len(long) >= 2 and all(_WORD.match(w) and w[0].isupper() for w in core)


def _label_share(labels: list[str], words: tuple[str, ...], prefix: bool) -> float:
    if not labels:
        return 0.0
    hits = 0
    for label in labels:
        tokens = re.findall(r"[a-z]+", fold(label))
        joined = "".join(tokens)
        if prefix:
            hit = any(t.startswith(w) for t in tokens for step in STAGE_STEPS for w in step)
            hit = hit or any(t in WON + LOST + CLOSED for t in tokens)
        else:
            hit = any(t in words for t in tokens) or joined in words
        hits += hit
    return hits / len(labels)


def facts_of(column: Any, sample: list[Any], rows: int) -> Facts:
    """Facts about one ``Column``; ``sample`` holds its values from the preview rows."""
    profile = column.profile or {}
    examples = [str(v) for v in profile.get("examples") or []]
    if not examples:
        examples = [str(v) for v in dict.fromkeys(v for v in sample if v not in (None, ""))]
    examples = [e.strip() for e in examples if e.strip()][:50]
    distinct = profile.get("distinct")
    repeats = profile.get("repeats")
    if repeats is None and not profile and sample:
        present = [v for v in sample if v not in (None, "")]
        repeats = len(set(present)) < len(present) if present else None
    n = len(examples) or 1
    emails = [m.group(1).lower() for e in examples if (m := _EMAIL.match(e))]
    labels = examples if (distinct or len(examples)) <= 40 else []
    outcome_words = WON + LOST + CLOSED
    return Facts(
        examples=tuple(examples),
        distinct=distinct,
        rows=rows,
        repeats=repeats,
        person=sum(map(is_person, examples)) / n,
        company=sum(map(is_company, examples)) / n,
        email=len(emails) / n,
        domains=len(set(emails)),
        ident=sum(map(_is_id, examples)) / n,
        number=sum(bool(_NUMBER.match(e)) for e in examples) / n,
        date=sum(bool(_DATE.search(e)) for e in examples) / n,
        won_lost=_label_share(labels, outcome_words, prefix=False),
        stage=_label_share(labels, (), prefix=True),
        boolean=bool(examples) and {fold(e) for e in examples} <= _BOOL,
        integer_range=_integer_range(column, profile, examples),
        years=_years(profile) if column.type in ("date", "datetime") else None,
    )


def _years(profile: dict) -> tuple[int, int] | None:
    found = [re.match(r"\s*(\d{4})-", str(profile.get(k) or "")) for k in ("min", "max")]
    return (int(found[0][1]), int(found[1][1])) if all(found) else None


def _integer_range(column: Any, profile: dict, examples: list[str]) -> tuple[float, float] | None:
    try:
        if profile.get("min") is not None and profile.get("max") is not None:
            low, high = float(profile["min"]), float(profile["max"])
        else:
            values = [float(e) for e in examples]
            low, high = min(values), max(values)
    except (TypeError, ValueError):
        return None
    if column.type != "integer" and not all(re.fullmatch(r"-?\d+", e) for e in examples):
        return None
    return low, high


def _count(f: Facts) -> str:
    n = f.distinct if f.distinct is not None else len(f.examples)
    return f"{n:,} distinct"


def _show(examples: tuple[str, ...], k: int = 3) -> str:
    return ", ".join(e[:24] for e in examples[:k])


def fit(expects: str, f: Facts, kind: str) -> tuple[float, str]:
    """How well the values fit what the field expects: a change to the confidence (-1..+0.4)
    and a reason in plain words ("" when the values say nothing either way)."""
    if not f.examples and not f.years:
        return 0.0, ""
    check = _CHECKS.get(expects)
    return check(f, kind) if check else (0.0, "")


def _person(f: Facts, kind: str) -> tuple[float, str]:
    if f.company >= 0.3:
        return -0.6, f"looks like company names ({_show(f.examples, 2)}), not people"
    if f.email >= 0.6:
        many = f.domains > 3
        return (-0.2 if many else 0.2), f"e-mail addresses at {f.domains} domain(s)"
    if f.person >= 0.6:
        return 0.3, f"looks like people's names; {_count(f)}"
    if f.ident >= 0.6 or f.number >= 0.8:
        return -0.4, "holds ids or numbers, not people"
    return 0.0, ""


def _company(f: Facts, kind: str) -> tuple[float, str]:
    if f.company >= 0.3:
        return 0.3, f"looks like company names ({_show(f.examples, 2)}); {_count(f)}"
    if f.person >= 0.6:
        return -0.25, "looks like people's names rather than companies"
    if f.number >= 0.8:
        return -0.4, "holds numbers, not names"
    return 0.0, ""


def _customer(f: Facts, kind: str) -> tuple[float, str]:
    if f.email >= 0.6:
        return 0.25, f"e-mail addresses; {_count(f)}"
    if f.ident >= 0.6 and f.repeats:
        return 0.2, f"ids that repeat across rows (customers with several orders); {_count(f)}"
    if f.person >= 0.5 or f.company >= 0.3:
        return 0.1, f"names of people or companies; {_count(f)}"
    if f.number >= 0.8 and not f.integer_range:
        return -0.4, "holds amounts, not customers"
    return 0.0, ""


def _order_id(f: Facts, kind: str) -> tuple[float, str]:
    if f.email >= 0.5 or f.person >= 0.5 or f.company >= 0.3:
        return -0.6, "looks like names or e-mails, not order numbers"
    if (f.ident >= 0.8 or f.integer_range) and f.repeats:
        return 0.3, "ids that repeat across rows: several lines belong to one order"
    if f.ident >= 0.8 or f.integer_range:
        return 0.05, "ids, each on its own row"
    return -0.3, "does not look like order numbers"


def _stage(f: Facts, kind: str) -> tuple[float, str]:
    n = f.distinct if f.distinct is not None else len(f.examples)
    if f.number >= 0.8 or f.date >= 0.8:
        return -0.5, "holds numbers or dates, not stages"
    if n > 40:
        return -0.4, f"{n:,} distinct values are too many for pipeline stages"
    if f.stage >= 0.3:
        return 0.25, f"{n} stage-like labels ({_show(f.examples)})"
    return 0.05, f"{n} labels ({_show(f.examples)})"


def _outcome(f: Facts, kind: str) -> tuple[float, str]:
    n = f.distinct if f.distinct is not None else len(f.examples)
    if f.boolean or kind == "boolean":
        return -0.45, "only yes/no values, so open deals could not be told from lost ones"
    if f.won_lost >= 0.4 and n <= 8:
        return 0.3, f"won/lost labels ({_show(f.examples, 4)})"
    if n > 12:
        return -0.4, f"{n:,} distinct values are too many for won/lost"
    return -0.15, f"labels without won or lost ({_show(f.examples)})"


def _money(f: Facts, kind: str) -> tuple[float, str]:
    if kind == "text" and f.number < 0.8:
        return -1.0, "holds text, not amounts"
    if f.integer_range and f.integer_range[1] <= 50 and f.integer_range[0] >= 0:
        return -0.15, f"small whole numbers ({f.integer_range[0]:g} to {f.integer_range[1]:g})"
    return 0.0, ""


def _number(f: Facts, kind: str) -> tuple[float, str]:
    if kind == "text" and f.number < 0.8:
        return -1.0, "holds text, not numbers"
    return 0.0, ""


def _count_check(f: Facts, kind: str) -> tuple[float, str]:
    if kind == "text" and f.number < 0.8:
        return -1.0, "holds text, not numbers"
    if f.integer_range and f.integer_range[0] >= 0 and f.integer_range[1] <= 100_000:
        low, high = f.integer_range
        return 0.1, f"whole numbers from {low:,.0f} to {high:,.0f}"
    if kind == "decimal":
        return -0.15, "holds fractions, not counts"
    return 0.0, ""


def _date(f: Facts, kind: str) -> tuple[float, str]:
    if kind == "text" and f.date < 0.8:
        return -1.0, "holds text, not dates"
    if f.years:
        low, high = f.years
        if high > date.today().year + 15 or low < 1900:
            return -0.45, f"dates from {low} to {high} look implausible"
        return 0.0, f"dates from {low} to {high}" if low != high else f"dates in {low}"
    return 0.0, ""


def _label(f: Facts, kind: str) -> tuple[float, str]:
    n = f.distinct if f.distinct is not None else len(f.examples)
    if f.number >= 0.8 and kind != "text":
        return -0.3, "holds numbers, not categories"
    if f.email >= 0.5 or (f.ident >= 0.8 and f.rows and n > f.rows / 2):
        return -0.3, "holds ids or e-mails, not categories"
    return 0.0, ""


def _deal(f: Facts, kind: str) -> tuple[float, str]:
    if f.person >= 0.8 or f.email >= 0.6:
        return -0.15, "looks like people, not deals"
    if f.company >= 0.5:
        return -0.15, "looks like company names"
    return 0.0, ""


_CHECKS = {
    "person": _person,
    "company": _company,
    "customer": _customer,
    "order_id": _order_id,
    "stage": _stage,
    "outcome": _outcome,
    "money": _money,
    "number": _number,
    "count": _count_check,
    "date": _date,
    "label": _label,
    "deal": _deal,
}
