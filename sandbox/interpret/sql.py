"""DuckDB SQL that applies an interpretation to a VARCHAR expression, over millions of rows.

Pure SQL (regexp_replace, replace, try_strptime with a list of formats, CASE): no Python
UDFs. ``cast_sql`` has TRY semantics; ``invalid_sql`` flags present values that do not fit.
"""

from __future__ import annotations

import re

from sandbox.interpret.currency import SYMBOLS
from sandbox.interpret.model import Interpretation
from sandbox.interpret.months import MONTHS
from sandbox.interpret.nulls import NULL_TOKENS
from sandbox.sql import literal

TRUE_WORDS = ("true", "yes", "y", "ja", "j", "oui", "sí", "si", "sim", "wahr", "vrai", "verdadero",
              "vero", "waar", "verdadeiro", "1")  # fmt: skip
FALSE_WORDS = ("false", "no", "n", "nein", "non", "falsch", "faux", "falso", "nee", "não", "nao",
               "0")  # fmt: skip
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TYPES = {"integer": "BIGINT", "decimal": "DOUBLE", "date": "DATE", "datetime": "TIMESTAMP",
          "boolean": "BOOLEAN"}  # fmt: skip


def stored_type(interp: Interpretation) -> str:
    """The DuckDB type a column of this interpretation is stored as."""
    return _TYPES.get(interp.type, "VARCHAR")


def _trim(expr: str) -> str:
    # Plain spaces only, like the Python side (str.strip(" ")): DuckDB's trim() of a set of
    # characters costs six times as much over a million rows.
    return f"trim({expr})"


def _in_list(words) -> str:
    return "(" + ", ".join(literal(w) for w in sorted(set(words))) + ")"


def null_sql(expr: str, interp: Interpretation) -> str:
    """TRUE where the raw value is missing: NULL, blank or one of the null tokens."""
    own = {t.strip().lower() for t in interp.nulls}
    tokens = own if interp.type == "text" else (NULL_TOKENS | own)
    tokens = tokens - {""}
    t = _trim(expr)
    if not tokens:
        return f"coalesce({t} = '', TRUE)"
    # Cheap first: null tokens are short and (but for "0000-00-00") do not start with a digit,
    # and most present values are long or do.
    longest = max(len(w) for w in tokens) + 2
    digit_first = {w[0] for w in tokens if w[0].isdigit()}
    first = "FALSE"
    if not digit_first:
        first = f"ascii({expr}) BETWEEN 48 AND 57"
    elif digit_first == {"0"}:
        first = f"ascii({expr}) BETWEEN 49 AND 57"
    return (
        f"CASE WHEN {expr} IS NULL THEN TRUE "
        f"WHEN length({expr}) > {longest} OR {first} THEN FALSE "
        f"ELSE {t} = '' OR lower({t}) IN {_in_list(tokens)} END"
    )


def cast_sql(expr: str, interp: Interpretation) -> str:
    """The typed value of ``expr`` (VARCHAR): NULL for missing and for values that do not fit."""
    kind = interp.type
    if kind in ("integer", "decimal"):
        return _number_sql(expr, interp)
    if kind in ("date", "datetime"):
        return _date_sql(expr, interp)
    if kind == "boolean":
        low = f"lower({_trim(expr)})"
        return (
            f"CASE WHEN {low} IN {_in_list(TRUE_WORDS)} THEN TRUE "
            f"WHEN {low} IN {_in_list(FALSE_WORDS)} THEN FALSE END"
        )
    return f"CASE WHEN {null_sql(expr, interp)} THEN NULL ELSE {expr} END"


def invalid_sql(expr: str, interp: Interpretation) -> str:
    """TRUE where the raw value is present but does not fit the interpretation."""
    if interp.type == "text":
        return "FALSE"
    # CASE, not AND: DuckDB then runs the null-token test only on the rows that did not cast.
    return (
        f"(CASE WHEN ({cast_sql(expr, interp)}) IS NULL "
        f"THEN NOT {null_sql(expr, interp)} ELSE FALSE END)"
    )


# ------------------------------------------------------------------------------ numbers


def _currency_tokens(code: str | None) -> list[str]:
    if not code:
        return []
    tokens = [code] + [s for s, c in SYMBOLS.items() if c == code]
    return sorted(tokens, key=len, reverse=True)


def _space_class(sep: str | None) -> str:
    return "[ \\x{00a0}\\x{202f}\\x{2009}]" if sep == " " else re.escape(sep or "")


def number_pattern(interp: Interpretation) -> str:
    """RE2 pattern a present value must match in full (case-insensitive currency)."""
    dec = re.escape(interp.decimal or ".")
    th = interp.thousands
    digits = rf"(?:\d{{1,3}}(?:{_space_class(th)}\d{{3}})+|\d+)" if th else r"\d+"
    if interp.type == "decimal":
        digits += rf"(?:{dec}\d+)?"
        if dec == ",":
            digits += "(?:,[-–]{1,2})?"
        if (interp.decimal or ".") == "." and not th:
            digits = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3})?"
    sp = "[ \\x{00a0}\\x{202f}]?"
    cur = "|".join(re.escape(t) for t in _currency_tokens(interp.currency))
    pre = f"(?:(?:{cur}){sp})?" if cur else ""
    post = f"(?:{sp}(?:{cur}))?" if cur else ""
    pct = f"(?:{sp}%)?" if interp.percent else ""
    body = f"{digits}{pct}{post}"
    forms = [
        f"\\({pre}{body}\\)",
        f"[-+−]{sp}{pre}{body}",
        f"{pre}[-+−]?{body}",
        f"{pre}{body}[-−]",
    ]
    return "(?i) *(?:" + "|".join(forms) + ") *"


def _number_sql(expr: str, interp: Interpretation) -> str:
    x = expr
    dec = interp.decimal or "."
    target = "BIGINT" if interp.type == "integer" else "DOUBLE"
    # Fast path, enough for most values: drop the thousands separator, point the decimals.
    fast = x
    if interp.thousands:
        fast = f"replace({fast}, {literal(interp.thousands)}, '')"
    if dec == ",":
        fast = f"replace({fast}, ',', '.')"
    fast = f"TRY_CAST({fast} AS {target})"
    base = x
    if dec == "," and interp.type == "decimal":
        # "1.200,-" and "1.200,--" mean 1200: the dashes are no minus sign.
        base = f"regexp_replace({x}, ',[-–]{{1,2}}', '')"
    if interp.currency:
        # Drop the currency first: a code can hold an E ("EUR") that reads as an exponent.
        cur = "|".join(re.escape(c) for c in _currency_tokens(interp.currency))
        base = f"regexp_replace({base}, {literal('(?i)' + cur)}, '', 'g')"
    if dec == "." and not interp.thousands and interp.type == "decimal":
        # Plain numbers may carry an exponent, whose sign is not the number's sign.
        kept = f"regexp_replace({base}, '[^0-9.eE+-]', '', 'g')"
        digits = f"regexp_replace({kept}, '(^|[^eE])[-+]', '\\1', 'g')"
        negative = f"(contains({x}, '(') OR regexp_matches({x}, '(^|[^eE])[-−]'))"
    else:
        digits = f"regexp_replace({base}, '[^0-9{re.escape(dec)}]', '', 'g')"
        if dec == ",":
            digits = f"replace({digits}, ',', '.')"
        negative = f"(contains({base}, '(') OR contains({base}, '-') OR contains({base}, '−'))"
    value = f"TRY_CAST({digits} AS {target})"
    slow = f"CASE WHEN {negative} THEN -{value} ELSE {value} END"
    pattern = literal(number_pattern(interp))
    full = f"CASE WHEN regexp_full_match({x}, {pattern}) THEN coalesce({fast}, {slow}) END"
    plain = dec == "." and not (interp.thousands or interp.currency or interp.percent)
    if not plain:
        return full
    # Plain numbers: DuckDB's own cast first, where it agrees with the pattern (it also reads
    # "nan", "inf", "1_000" and, into integers, "0x10", "1e3", "12.0"); the pattern for the rest.
    double = f"TRY_CAST({x} AS DOUBLE)"
    if interp.type == "integer":
        odd = " OR ".join(f"contains({x}, '{c}')" for c in "_.eE")
        first = f"CASE WHEN {double} = TRY_CAST({x} AS BIGINT) AND NOT ({odd}) "
        first += f"THEN TRY_CAST({x} AS BIGINT) END"
    else:
        first = f"CASE WHEN isfinite({double}) AND NOT contains({x}, '_') THEN {double} END"
    return f"coalesce({first}, {full})"


# -------------------------------------------------------------------------------- dates

# A CASE over the month names runs faster in DuckDB than a MAP literal lookup.
_MONTH_CASES = " ".join(f"WHEN {literal(k)} THEN '{v:02d}'" for k, v in MONTHS.items())


def format_variants(fmt: str) -> list[str]:
    """The format plus its shorter forms: no fraction, no seconds, date only."""
    out = [fmt]
    cut = re.sub(r"[.,]%f", "", fmt)
    out.append(cut)
    out.append(cut.replace(":%S", ""))
    m = re.search(r"(?:T| |, )%[HI]", fmt)
    if m:
        out.append(fmt[: m.start()])
    return list(dict.fromkeys(out))


def _date_sql(expr: str, interp: Interpretation) -> str:
    fmt = interp.format or ""
    cast = "DATE" if interp.type == "date" else "TIMESTAMP"
    t = _trim(expr)
    if fmt == "excel":
        return _excel_sql(t, interp.type)
    if "%q" in fmt:
        return _quarter_sql(t, fmt, cast)
    s = t
    if fmt.startswith("%a"):
        # A weekday name first ("Mon, ", "Montag, "): dropped, the date says it all.
        s = f"substr({s}, strpos({s}, ' ') + 1)"
        fmt = fmt[fmt.index(" ") + 1 :]
    if "%Z" in fmt:
        # A time zone name last ("UTC", "CET"): dropped, times are kept as written.
        s = f"rtrim(rtrim({s}, {literal(_LETTERS)}))"
        fmt = fmt.replace(" %Z", "")
    if "%z" in fmt:
        s = f"regexp_replace({s}, '[ ]?[-+][0-9]{{2}}:?[0-9]{{2}}$', '')"
        fmt = re.sub(r" ?%z", "", fmt)
    formats = "[" + ", ".join(literal(f) for f in format_variants(fmt)) + "]"
    parsed = f"try_strptime({s}, {formats})"
    if "%b" in fmt or "%B" in fmt:
        # DuckDB knows only English month names, and a failing %B parse is slow: every name
        # (English too) becomes its month number first.
        parsed = _translated(s, fmt)
    return f"CAST({parsed} AS {cast})"


def _month_word(s: str, fmt: str) -> str:
    """SQL for the month name in ``s`` (lower case, with a trailing dot if it has one)."""
    at = re.search(r"%[bB]", fmt).start()
    after = fmt[at + 2 : at + 3]
    sep = after if after and after in " -/" else None
    if sep is None and at > 0 and fmt[at - 1] in " -/":
        sep = fmt[at - 1]
    if sep is None:
        return f"regexp_extract({s}, '\\pL{{3,}}\\.?', 0)"
    index = fmt[:at].count(sep) + 1
    return f"rtrim(split_part({s}, {literal(sep)}, {index}), ',')"


def _translated(s: str, fmt: str) -> str:
    word = _month_word(s, fmt)
    month = f"CASE lower(strip_accents(rtrim({word}, '.'))) {_MONTH_CASES} END"
    numeric = fmt.replace("%B", "%m").replace("%b", "%m")
    formats = "[" + ", ".join(literal(f) for f in format_variants(numeric)) + "]"
    return f"try_strptime(replace({s}, {word}, {month}), {formats})"


def _quarter_sql(t: str, fmt: str, cast: str) -> str:
    pattern = re.escape(fmt).replace("%Y", r"\d{4}").replace("%q", "[1-4]")
    year = f"CAST(regexp_extract({t}, '([0-9]{{4}})', 1) AS INTEGER)"
    quarter = f"CAST(regexp_extract({t}, '[Qq]([1-4])', 1) AS INTEGER)"
    value = f"make_date({year}, 3 * {quarter} - 2, 1)"
    return (
        f"CASE WHEN regexp_full_match({t}, {literal('(?i)' + pattern)}) "
        f"THEN CAST({value} AS {cast}) END"
    )


def _excel_sql(t: str, kind: str) -> str:
    serial = f"regexp_full_match({t}, '[0-9]{{1,6}}([.][0-9]+)?')"
    number = f"TRY_CAST(CASE WHEN {serial} THEN {t} END AS DOUBLE)"
    if kind == "date":
        return f"CAST(DATE '1899-12-30' + CAST(floor({number}) AS INTEGER) AS DATE)"
    micros = f"CAST(round({number} * 86400000000) AS BIGINT)"
    return f"(TIMESTAMP '1899-12-30 00:00:00' + to_microseconds({micros}))"
