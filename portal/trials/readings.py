"""How the engine read each column of a dataset, in words, and changing that reading.

The engine decides every column's reading (type, date layout, decimal mark, currency, empty
markers) on evidence and explains it; a person who knows better changes it here and the
dataset is re-typed from the text kept at upload, without uploading again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sandbox
from portal.models import TrialDataset
from portal.trials.datasets import FILES_GONE
from portal.trials.errors import TrialError
from portal.trials.sandbox_gateway import get_store, sandbox_limits

# One moment (31 Dec 2016, 13:45) rendered in a layout shows a person what the layout means.
_PARTS = {
    "%Y": "2016",
    "%y": "16",
    "%m": "12",
    "%d": "31",
    "%b": "Dec",
    "%B": "December",
    "%H": "13",
    "%I": "01",
    "%M": "45",
    "%S": "00",
    "%f": "000",
    "%p": "PM",
    "%z": "",
    "%q": "4",
    "%%": "%",
}
_ORDER_WORDS = {"d": "day", "m": "month", "b": "month", "y": "year", "q": "quarter"}
_SEPARATOR_NAMES = {",": "comma", ".": "point", " ": "space", "'": "apostrophe", "’": "apostrophe"}


def _example(fmt: str) -> str:
    return re.sub(r"%.", lambda m: _PARTS.get(m.group(0), m.group(0)), fmt).strip()


def _order(fmt: str) -> str:
    seen: list[str] = []
    for directive in re.findall(r"%(.)", fmt):
        word = _ORDER_WORDS.get(directive.lower())
        if word and word not in seen:
            seen.append(word)
    return "-".join(seen)


def _number_example(decimal: str | None, thousands: str | None, whole: bool) -> str:
    group = thousands or ""
    text = f"1{group}234"
    return text if whole else f"{text}{decimal or '.'}56"


def reading_label(spec: str) -> str:
    """A spec such as ``date:%d-%m-%y`` in words: "Date, day-month-year (31-12-16)"."""
    kind, _, rest = spec.partition(":")
    if kind == "text":
        return "Text"
    if kind == "boolean":
        return "Yes / no"
    if kind in ("date", "datetime"):
        noun = "Date" if kind == "date" else "Date and time"
        if rest == "excel":
            return f"{noun} from Excel day numbers (42735 = 31 Dec 2016)"
        if not rest:
            return noun
        order = _order(rest)
        return f"{noun}, {order} ({_example(rest)})" if order else f"{noun} ({_example(rest)})"
    if kind in ("integer", "decimal"):
        options = dict((part.split("=", 1) + [""])[:2] for part in rest.split(";") if part)
        thousands = options.get("thousands")
        thousands = {"space": " ", "none": None}.get(thousands, thousands)
        decimal = options.get("decimal") or "."
        noun = "Whole number" if kind == "integer" else "Number"
        words = [_number_example(decimal, thousands, kind == "integer")]
        if kind == "decimal":
            words.append(f"decimal {_SEPARATOR_NAMES.get(decimal, decimal)}")
        if options.get("currency"):
            words.append(options["currency"])
        if "percent" in options:
            words.append("percent")
        return f"{noun} ({', '.join(words)})"
    return spec


@dataclass
class ColumnReading:
    """One column as the preview shows it: the reading, why, and what else it could be."""

    index: int
    name: str
    type: str
    spec: str
    label: str
    reason: str
    ambiguous: bool
    changed_by_user: bool
    empty_cells: int
    empty_markers: list[str]
    choices: list[tuple[str, str]] = field(default_factory=list)


def _spec_of(column: sandbox.Column) -> str:
    interpretation = column.interpretation
    if not interpretation:
        return column.type
    return sandbox.Interpretation.from_dict(interpretation).spec()


def _choices(column: sandbox.Column, spec: str) -> list[tuple[str, str]]:
    """The current reading first, then the other readings the values allow, then plain ones."""
    interpretation = column.interpretation or {}
    specs = [spec, *interpretation.get("alternatives", [])]
    if column.type in ("integer", "decimal") or "decimal" in specs[0]:
        currency = interpretation.get("currency")
        suffix = f";currency={currency}" if currency else ""
        specs += [
            f"decimal:decimal=.;thousands=,{suffix}",
            f"decimal:decimal=,;thousands=.{suffix}",
        ]
    specs.append("text")
    unique = list(dict.fromkeys(specs))
    return [(s, reading_label(s)) for s in unique]


def column_readings(info: sandbox.DatasetInfo) -> list[ColumnReading]:
    """Every column's reading for the preview, in file order."""
    readings = []
    for index, column in enumerate(info.columns):
        interpretation = column.interpretation or {}
        spec = _spec_of(column)
        readings.append(
            ColumnReading(
                index=index,
                name=column.name,
                type=column.type,
                spec=spec,
                label=reading_label(spec),
                reason=(
                    "You chose this reading; the values were read again with it."
                    if interpretation.get("source") == "user"
                    else interpretation.get("reason", "")
                ),
                ambiguous=bool(interpretation.get("ambiguous")),
                changed_by_user=interpretation.get("source") == "user",
                empty_cells=int(interpretation.get("null_count") or 0),
                empty_markers=list(interpretation.get("nulls") or []),
                choices=_choices(column, spec),
            )
        )
    return readings


def with_same_layout(readings: list[ColumnReading], overrides: dict[str, str]) -> dict[str, str]:
    """Extend ``overrides`` to the untouched date columns that were read in the same layout.

    A file's date columns come from one export: when the person says "Created" is month-first,
    "Closed", read day-first like it, is month-first too.
    """
    current = {r.name: r.spec for r in readings}
    extended = dict(overrides)
    for name, spec in overrides.items():
        before = current.get(name, "")
        if not before.startswith(("date:", "datetime:")):
            continue
        for r in readings:
            if r.name not in extended and r.spec == before:
                extended[r.name] = spec
    return extended


def retype_dataset(dataset: TrialDataset, overrides: dict[str, str]) -> list[str]:
    """Read the named columns with the given specs; return the columns that changed.

    Raises ``TrialError`` (422) when a spec is not a reading the engine knows or the column's
    values do not fit it; nothing changes then.
    """
    if not overrides:
        return []
    try:
        info = sandbox.retype(
            get_store(), dataset.owner_key, dataset.sandbox_id, overrides, sandbox_limits()
        )
    except sandbox.NotFound:
        raise TrialError(FILES_GONE, status=404) from None
    except sandbox.IngestError as error:
        raise TrialError(error.message, code=error.code) from None
    dataset.size_bytes = info.size_bytes  # the quota counts what the dataset stores now
    return list(overrides)


def read_other_sheet(dataset: TrialDataset, sheet: str) -> sandbox.DatasetInfo:
    """Read another sheet of the uploaded workbook into the dataset, without a new upload."""
    try:
        info = sandbox.choose_sheet(
            get_store(), dataset.owner_key, dataset.sandbox_id, sheet, sandbox_limits()
        )
    except sandbox.NotFound:
        raise TrialError(FILES_GONE, status=404) from None
    except sandbox.IngestError as error:
        raise TrialError(error.message, field="sheet", code=error.code) from None
    dataset.rows = info.rows
    dataset.columns = len(info.columns)
    dataset.size_bytes = info.size_bytes
    return info
