"""Column interpretation: what the raw text of each column means (types, formats, nulls).

``infer_columns`` reads sampled raw values and returns one :class:`Interpretation` per
column; ``cast_sql`` / ``invalid_sql`` apply one in DuckDB over all rows; ``parse_override``
reads the spec a user types to change it (syntax in :mod:`sandbox.interpret.spec`).
No Flask, no Python UDFs.
"""

from sandbox.interpret.infer import infer_columns
from sandbox.interpret.model import Interpretation
from sandbox.interpret.spec import parse_override
from sandbox.interpret.sql import cast_sql, invalid_sql, null_sql, stored_type

__all__ = [
    "Interpretation",
    "cast_sql",
    "infer_columns",
    "invalid_sql",
    "null_sql",
    "parse_override",
    "stored_type",
]
