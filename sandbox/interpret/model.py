"""The interpretation of one column: what its raw text means."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

TYPES = ("text", "integer", "decimal", "date", "datetime", "boolean")


@dataclass(frozen=True)
class Interpretation:
    """How the raw text of a column is read; see ``sandbox.interpret`` for the spec syntax.

    ``ambiguous`` means another reading fits every value and the file does not settle which one
    is meant; ``alternatives`` lists the override specs of every other reading that fits every
    sampled value (most plausible first), also when the evidence did settle the choice.
    """

    type: str
    format: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    currency: str | None = None
    percent: bool = False
    nulls: tuple[str, ...] = ()
    null_count: int = 0
    reason: str = ""
    ambiguous: bool = False
    alternatives: tuple[str, ...] = ()
    source: str = "inferred"

    def to_dict(self) -> dict:
        """A JSON-safe dict (tuples become lists)."""
        data = asdict(self)
        data["nulls"] = list(self.nulls)
        data["alternatives"] = list(self.alternatives)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Interpretation:
        """The inverse of :meth:`to_dict`; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        for key in ("nulls", "alternatives"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key] or ())
        return cls(**kwargs)

    def spec(self) -> str:
        """The override spec that reproduces this reading (see :func:`parse_override`)."""
        from sandbox.interpret.spec import format_spec

        return format_spec(self)

    def reading(self) -> tuple:
        """The fields that decide the typed values (what an override can set)."""
        return (
            self.type,
            self.format,
            self.decimal,
            self.thousands,
            self.currency,
            self.percent,
        )
