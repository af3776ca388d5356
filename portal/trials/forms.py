"""Forms of the trial pages. The mapping form is built per recipe and dataset."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

FIELD_PREFIX = "map_"
PARAM_PREFIX = "param_"
TYPE_WORDS = {"number": "numbers", "date": "dates", "text": "text"}


class UploadForm(FlaskForm):
    file = FileField(
        "Your file",
        validators=[FileRequired(message="Choose a file to upload.")],
        description="CSV, TSV, Excel (.xlsx), JSON or Parquet.",
    )


class SampleForm(FlaskForm):
    """ "No data at hand? Try ours" — only the CSRF token."""


class DeleteDatasetForm(FlaskForm):
    """Delete a dataset now — only the CSRF token."""


class SheetForm(FlaskForm):
    """Which sheet of a workbook to read; the choices are the workbook's sheets."""

    sheet = SelectField("Sheet to read", validators=[InputRequired()])


def sheet_form(sheets: list[dict[str, Any]], current: str | None, formdata: Any = None):
    form = SheetForm(formdata=formdata) if formdata is not None else SheetForm(formdata=None)
    form.sheet.choices = [
        SelectChoice(s["name"], f"{s['name']} ({s['rows']:,} rows, {s['columns']} columns)")
        for s in sheets
    ]
    if formdata is None:
        form.sheet.data = current
    return form


READ_PREFIX = "read_"
CUSTOM_PREFIX = "custom_"


class ReadingsForm(FlaskForm):
    """Base class; ``readings_form`` adds, per column, a choice of reading and a custom one."""

    def overrides(self, readings: list[Any]) -> dict[str, str]:
        """Column name -> spec for every column whose reading the person changed."""
        changed = {}
        for reading in readings:
            custom = (self[f"{CUSTOM_PREFIX}{reading.index}"].data or "").strip()
            chosen = custom or self[f"{READ_PREFIX}{reading.index}"].data
            if chosen and chosen != reading.spec:
                changed[reading.name] = chosen
        return changed


def readings_form(readings: list[Any], formdata: Any = None) -> ReadingsForm:
    """A ``ReadingsForm`` over the dataset's column readings (see ``portal.trials.readings``)."""

    class _Form(ReadingsForm):
        pass

    data: dict[str, Any] = {}
    for r in readings:
        setattr(
            _Form,
            f"{READ_PREFIX}{r.index}",
            SelectField(
                f"Read '{r.name}' as",
                choices=[SelectChoice(spec, label) for spec, label in r.choices],
                validators=[Optional()],  # not sent = read as before
            ),
        )
        setattr(
            _Form,
            f"{CUSTOM_PREFIX}{r.index}",
            StringField(
                f"Or type a layout for '{r.name}'",
                validators=[Optional(), Length(max=80)],
                description="For example date:%d.%m.%Y or decimal:decimal=,;thousands=.",
            ),
        )
        data[f"{READ_PREFIX}{r.index}"] = r.spec
    if formdata is not None:
        return _Form(formdata=formdata)
    return _Form(formdata=None, data=data)


class MappingForm(FlaskForm):
    """Base class; ``mapping_form`` adds one select per recipe field and one input per setting."""

    def mapping(self) -> dict[str, str | None]:
        return {
            name[len(FIELD_PREFIX) :]: (field.data or None)
            for name, field in self._fields.items()
            if name.startswith(FIELD_PREFIX)
        }

    def params(self) -> dict[str, Any]:
        values = {}
        for name, field in self._fields.items():
            if name.startswith(PARAM_PREFIX) and field.data not in (None, ""):
                data = field.data
                if hasattr(data, "as_tuple"):
                    data = float(data)
                elif hasattr(data, "isoformat"):
                    data = data.isoformat()
                values[name[len(PARAM_PREFIX) :]] = data
        return values


def mapping_form(
    recipe: Any,
    columns: list[Any],
    suggestions: dict[str, Any],
    initial: dict[str, Any] | None = None,
    formdata: Any = None,
) -> MappingForm:
    """A ``MappingForm`` for ``recipe`` over the dataset's ``columns``.

    Required fields start on "Choose a column…" unless the engine is confident of a column
    (``suggestions``: field -> ``sandbox.Suggestion``; a less sure one is only named in the
    hint). A field another pair can stand in for (amount = quantity x unit price) is left to
    the engine's check. ``initial`` (field -> column, plus ``param_<name>`` values) pre-fills
    "run again with another mapping".
    """
    from_previous = initial is not None
    initial = initial or {}
    column_choices = [SelectChoice(c.name, f"{c.name} ({c.type})") for c in columns]
    known = {c.name for c in columns}

    class _Form(MappingForm):
        pass

    data: dict[str, Any] = {}
    for f in recipe.fields:
        placeholder = SelectChoice("", "Choose a column…" if f.required else "— not used —")
        suggested = suggestions.get(f.name)
        hint = f"{f.hint[:1].upper()}{f.hint[1:]}. " if f.hint else ""
        hint += f"Needs {TYPE_WORDS.get(f.type, f.type)}."
        if suggested:
            hint += f" We suggest '{suggested.column}': {suggested.reason}."
        required = f.required and not f.instead
        validators = (
            [InputRequired(message=f"Choose a column for '{f.display}'.")]
            if required
            else [Optional()]
        )
        label = f.display + ("" if f.required else " (optional)")
        setattr(
            _Form,
            FIELD_PREFIX + f.name,
            SelectField(
                label,
                choices=[placeholder, *column_choices],
                validators=validators,
                description=hint,
            ),  # fmt: skip
        )
        # Running again starts from the previous mapping, fields left unmapped included.
        preselected = suggested.column if suggested and suggested.preselect else None
        chosen = initial.get(f.name) if from_previous else preselected
        data[FIELD_PREFIX + f.name] = chosen if chosen in known else ""
    for p in recipe.params:
        hint = f"{p.hint[:1].upper()}{p.hint[1:]}." if p.hint else ""
        if p.type == "choice":
            field = SelectField(
                p.display, choices=[SelectChoice(c) for c in p.choices], description=hint,
                validators=[InputRequired()],
            )  # fmt: skip
        elif p.type == "date":
            field = DateField(p.display, description=hint, validators=[Optional()])
        else:
            kind = IntegerField if p.type == "int" else DecimalField
            render = {k: v for k, v in (("min", p.min), ("max", p.max)) if v is not None}
            if p.type != "int":
                render["step"] = "any"
            field = kind(
                p.display,
                description=hint,
                validators=[
                    InputRequired(message=f"Enter a number for '{p.display}'."),
                    NumberRange(min=p.min, max=p.max),
                ],
                render_kw=render,
            )
        setattr(_Form, PARAM_PREFIX + p.name, field)
        data[PARAM_PREFIX + p.name] = initial.get(PARAM_PREFIX + p.name, p.default)
    if formdata is not None:
        return _Form(formdata=formdata)
    return _Form(formdata=None, data=data)
