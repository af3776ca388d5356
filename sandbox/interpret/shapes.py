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


# ASCII values (nearly all) take the bytes path, three times faster than str.translate.
_BYTES = bytes.maketrans(
    b"0123456789" + bytes(range(65, 91)) + bytes(range(97, 123)), b"9" * 10 + b"a" * 52
)


def shape(value: str) -> str:
    """The value with digits as ``9``, letters as ``a`` and odd spaces as a plain space."""
    if value.isascii():
        return value.encode().translate(_BYTES).decode()
    return value.translate(_TABLE)


def by_shape(values: Iterable[str]) -> dict[str, list[str]]:
    """Distinct values grouped by shape, the most common shape first."""
    values = list(values)
    groups: dict[str, list[str]] = defaultdict(list)
    for key, value in zip(_shapes(values), values, strict=True):
        groups[key].append(value)
    return dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))


def _shapes(values: list[str]) -> list[str]:
    """``shape`` of every value, translated all at once (joined by NUL, which no value
    holds, else one by one)."""
    joined = "\0".join(values)
    if joined.isascii():
        shapes = joined.encode().translate(_BYTES).decode().split("\0")
    else:
        shapes = joined.translate(_TABLE).split("\0")
    if len(shapes) == len(values):
        return shapes
    return [shape(v) for v in values]
