"""Inference on a full 20k-value sample reads each column right.

How long it takes is measured by ``python bench/interpret_bench.py`` (the budget is 50 ms per
column), not asserted here: the suite holds no timed assertions.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from interpret_helpers import TODAY

from sandbox.interpret import infer_columns

N = 20_000


def _columns() -> dict[str, list[str]]:
    rng = random.Random(3)
    days = [date(2016, 1, 1) + timedelta(days=rng.randrange(900)) for _ in range(N)]
    return {
        "stamp": [d.strftime("%d-%m-%Y") + f" {rng.randrange(24):02d}:{rng.randrange(60):02d}"
                  for d in days],
        "Betrag": [f"{rng.uniform(0, 1e6):,.2f}".replace(",", " ").replace(".", ",")
                   for _ in range(N)],
        "name": [f"Customer {rng.randrange(10**9)}" for _ in range(N)],
        "day": [d.strftime("%d/%m/%y") for d in days],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("stamp", ("datetime", "%d-%m-%Y %H:%M", None, None)),
        ("Betrag", ("decimal", None, ",", " ")),
        ("name", ("text", None, None, None)),
        ("day", ("date", "%d/%m/%y", None, None)),
    ],
)
def test_a_20k_value_column_is_read_right(name, reading):
    got = infer_columns({name: _columns()[name]}, today=TODAY)[name]
    assert (got.type, got.format, got.decimal, got.thousands) == reading
