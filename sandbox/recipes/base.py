"""Recipe declarations, the run context handed to recipes, and column mapping."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

# Mapping lives in sandbox.mapping; these names stay importable from here.
from ..mapping import (  # noqa: F401
    COMPATIBLE,
    Suggestion,
    parse_date,
    preselected_mapping,
    suggest_mapping,
    validate_mapping,
    validate_params,
)
from ..mapping.words import currency_codes, header_currency, is_converted, normalise
from ..result import ResultBuilder

if TYPE_CHECKING:
    import duckdb


_CURRENCY_HEADER = re.compile(r"\b(currency|wahrung|devise|monnaie|moneda|divisa|valuta|moeda)\b")


def long_date(day: date) -> str:
    """ "30 Nov 2016": a date no reader takes for another day, in any locale."""
    return f"{day.day} {day.strftime('%b')} {day.year}"


@dataclass(frozen=True)
class Field:
    """A column the recipe needs. ``type`` is "number", "date" or "text".

    ``concept`` names the entry of :data:`sandbox.mapping.words.CONCEPTS` whose headers and
    value signals suggest a column (default: the field's name). ``instead`` lists fields
    that, all mapped, stand in for a required one (amount = quantity x unit price).
    """

    name: str
    type: str
    required: bool = True
    hint: str = ""
    label: str = ""
    synonyms: tuple[str, ...] = ()
    concept: str = ""
    instead: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Param:
    """A tunable setting. ``type`` is "int", "float", "choice" or "date" (an ISO date
    string; a ``None`` default means "the latest date in your data")."""

    name: str
    type: str
    default: Any
    min: float | None = None
    max: float | None = None
    hint: str = ""
    label: str = ""
    choices: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass
class RunContext:
    """What a recipe sees inside the sandbox child.

    ``con`` is a locked DuckDB connection with two relations: ``raw`` (every column of the
    dataset, as ingested) and ``data`` (one column per recipe field, named after the field,
    typed DOUBLE / DATE / VARCHAR; an unmapped optional field is all NULL).
    """

    con: duckdb.DuckDBPyConnection
    rows: int
    mapping: dict[str, str]
    params: dict[str, Any]
    columns: list[dict[str, Any]]
    report: Callable[[str, int], None] = lambda step, percent: None
    extra: dict[str, Any] = field(default_factory=dict)
    # The dataset's ingest notes (see ``DatasetInfo.notes``).
    notes: list[dict[str, Any]] = field(default_factory=list)

    def has(self, field_name: str) -> bool:
        return field_name in self.mapping

    def column_of(self, field_name: str) -> dict[str, Any] | None:
        """The dataset column (name, type, interpretation, profile) mapped to a field."""
        name = self.mapping.get(field_name)
        return next((c for c in self.columns if c["name"] == name), None)

    def currency(self, field_name: str) -> str | None:
        """ISO code of the currency of the column mapped to ``field_name``, if known: read
        from its values by ingest, else named by its header ("Betrag (EUR)")."""
        column = self.column_of(field_name) or {}
        if not column:
            return None
        found = (column.get("interpretation") or {}).get("currency")
        return found or header_currency(column["name"]) or self._currency_column(column["name"])

    def _currency_column(self, amount_column: str) -> str | None:
        """The one code of a currency column beside the amount ("Currency: EUR" on every
        row; for a converted amount, the converted currency column)."""
        converted = is_converted(amount_column)
        codes = {
            next(iter(found))
            for c in self.columns
            if _CURRENCY_HEADER.search(normalise(c["name"]))
            and is_converted(c["name"]) == converted
            and (found := currency_codes((c.get("profile") or {}).get("examples") or []))
            and len(found) == 1
        }
        return codes.pop() if len(codes) == 1 else None

    def mixed_currency_note(self, field_name: str) -> str | None:
        """A warning when the money of ``field_name`` comes in several currencies (a currency
        column beside it holds several codes and the amount is not a converted one)."""
        column = self.column_of(field_name)
        if not column or is_converted(column["name"]) or self.currency(field_name):
            return None
        for c in self.columns:
            found = currency_codes((c.get("profile") or {}).get("examples") or [])
            if _CURRENCY_HEADER.search(normalise(c["name"])) and found and len(found) > 1:
                return (
                    f"'{column['name']}' holds amounts in several currencies "
                    f"({', '.join(sorted(found))}, see '{c['name']}'); they are added up as "
                    "they are. Map a converted amount if the file has one."
                )
        return None

    def money_unit(self, *field_names: str) -> str:
        """The KPI unit of money from these fields: the first known ISO code, else
        "currency" (a plain number)."""
        return next(filter(None, map(self.currency, field_names)), None) or "currency"

    def amount_sql(self, amount: str = "amount") -> str:
        """SQL for the money of a row: the mapped amount, else quantity x unit price when
        both are mapped (``Field.instead``), else the (all NULL) amount."""
        if not self.has(amount) and self.has("quantity") and self.has("unit_price"):
            return "(quantity * unit_price)"
        return amount

    def as_of(self, latest: date | None) -> tuple[date | None, str]:
        """The date the analysis is "as of": the ``as_of`` setting when given, else
        ``latest`` (the latest date in the data), with the sentence the result shows."""
        chosen = self.params.get("as_of")
        if chosen:
            day = parse_date(chosen)
            return day, f"As of {long_date(day)}, the date you chose."
        if latest is None:
            return None, "The file has no dates to measure from."
        return latest, f"As of {long_date(latest)}, the latest date in your file."

    def progress(self, step: str, percent: int) -> None:
        self.report(step, max(0, min(100, int(percent))))

    def rows_of(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list[Any] | None = None) -> tuple:
        return self.con.execute(sql, params or []).fetchone()


class Recipe:
    """Base class for demo recipes. Subclasses set the class attributes and ``run``."""

    name: str = ""
    title: str = ""
    description: str = ""
    fields: tuple[Field, ...] = ()
    params: tuple[Param, ...] = ()

    def run(self, ctx: RunContext) -> dict[str, Any]:
        raise NotImplementedError

    def builder(self, ctx: RunContext) -> ResultBuilder:
        return ResultBuilder(self.name, self.title, ctx.rows)

    @property
    def ref(self) -> str:
        """Import path the sandbox child uses to load this recipe."""
        cls = type(self)
        return f"{cls.__module__}:{cls.__qualname__}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "fields": [asdict(f) | {"label": f.display} for f in self.fields],
            "params": [asdict(p) | {"label": p.display} for p in self.params],
        }
