"""Recipe declarations, the run context handed to recipes, and column mapping."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import MappingError
from ..result import ResultBuilder
from ..store import DatasetInfo

if TYPE_CHECKING:
    import duckdb

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


@dataclass(frozen=True)
class Field:
    """A column the recipe needs. ``type`` is "number", "date" or "text"."""

    name: str
    type: str
    required: bool = True
    hint: str = ""
    label: str = ""
    synonyms: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Param:
    """A tunable setting. ``type`` is "int", "float" or "choice"."""

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
        """ISO code of the currency of the column mapped to ``field_name``, if known."""
        column = self.column_of(field_name) or {}
        return (column.get("interpretation") or {}).get("currency")

    def progress(self, step: str, percent: int) -> None:
        self.report(step, max(0, min(100, int(percent))))

    def rows_of(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
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


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _name_score(column: str, f: Field) -> float:
    col = _norm(column)
    if not col:
        return 0.0
    best = 0.0
    for word in (f.name, f.label, *f.synonyms):
        if not word:
            continue
        w = _norm(word)
        if col == w:
            return 1.0
        if re.search(rf"\b{re.escape(w)}\b", col) or re.search(rf"\b{re.escape(col)}\b", w):
            best = max(best, 0.85)
        best = max(best, difflib.SequenceMatcher(None, col, w).ratio() * 0.8)
    return best


def suggest_mapping(info: DatasetInfo, recipe: Recipe) -> dict[str, tuple[str, float]]:
    """Propose a column for each field by name similarity and type, with a 0..1 confidence.

    Fields without a plausible column are left out. A column is used at most once.
    """
    scored = []
    for f in recipe.fields:
        for col in info.columns:
            if col.type not in COMPATIBLE[f.type]:
                continue
            name = _name_score(col.name, f)
            type_fit = 1.0 if col.type in _PREFERRED[f.type] else 0.4
            confidence = round(0.7 * name + 0.3 * type_fit, 2)
            if name >= 0.5 and confidence >= 0.45:
                scored.append((confidence, f.required, f.name, col.name))
    scored.sort(key=lambda s: (-s[0], not s[1]))
    chosen: dict[str, tuple[str, float]] = {}
    used: set[str] = set()
    for confidence, _req, field_name, col in scored:
        if field_name in chosen or col in used:
            continue
        chosen[field_name] = (col, confidence)
        used.add(col)
    return {f.name: chosen[f.name] for f in recipe.fields if f.name in chosen}


def validate_mapping(
    info: DatasetInfo,
    recipe: Recipe,
    mapping: dict[str, str | None],
    params: dict[str, Any] | None = None,
) -> tuple[dict[str, str], dict[str, Any]]:
    """Check a field->column mapping and the parameters; return cleaned copies.

    Raises :class:`MappingError` naming the field, column or parameter at fault.
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
            raise MappingError(
                f"Choose a column for '{f.display}'" + (f" ({f.hint})." if f.hint else ".")
            )
    return clean_map, validate_params(recipe, params or {})


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
        else:
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
        clean[p.name] = value
    return clean
