"""Value shapes: digits become 9, letters a, so one pattern check covers many values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

_LETTERS = "".join(c for c in map(chr, range(0x41, 0x250)) if c.isalpha())
_TABLE = str.maketrans(
    {
        **dict.fromkeys("0123456789", "9"),
        **dict.fromkeys(_LETTERS, "a"),
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\u2009": " ",  # thin space
    }
)


def shape(value: str) -> str:
    """The value with digits as ``9``, letters as ``a`` and odd spaces as a plain space."""
    return value.translate(_TABLE)


def by_shape(values: Iterable[str]) -> dict[str, list[str]]:
    """Distinct values grouped by shape, the most common shape first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for value in values:
        groups[value.translate(_TABLE)].append(value)
    return dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))
