"""Column interpretation: what the raw text of each column means (types, formats, nulls).

``infer_columns`` reads sampled raw values and returns one :class:`Interpretation` per
column; ``cast_sql`` / ``invalid_sql`` apply one in DuckDB over all rows; ``parse_override``
reads the spec a user types to change it (syntax in :mod:`sandbox.interpret.spec`).
No Flask, no Python UDFs.

How a column is read, in order: null tokens are set aside (``nulls.py``); yes/no words
(``infer.py``); numbers and dates by value shape, every reading the values allow kept
(``numbers.py``, ``dates.py``; a header that names a date admits Excel serial days and
``20240131``); among date readings that fit every value, whole-table evidence decides
(``plausibility.py``: a quarter/year/month column in the same rows, created <= closed,
not after today + 2 years, a compact range, neighbouring rows; then only hints, flagged
``ambiguous``: the other date columns, the file's locale). Numbers: the decimal mark is
what the separators allow, then a count header, the table's locale, three digits after a
lone separator. Currency from the values, the header or a currency column (``money.py``).
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
