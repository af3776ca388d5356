"""Month names in English, German, French, Spanish, Italian, Dutch and Portuguese."""

from __future__ import annotations

import re
import unicodedata

_NAMES = {
    1: "january jan januar jänner jaenner janvier janv enero ene gennaio gen januari janeiro",
    2: "february feb febr februar février fevrier févr fevr febrero febbraio februari "
    "fevereiro fev",
    3: "march mar märz maerz marz mrz mär mars marzo maart mrt março marco",
    4: "april apr avril avr abril abr aprile",
    5: "may mai mayo maggio mag mei maio",
    6: "june jun juni juin junio giugno giu junho",
    7: "july jul juli juillet juil julio luglio lug julho",
    8: "august aug août aout ago agosto augustus",
    9: "september sep sept septembre septiembre setiembre settembre set setembro",
    10: "october oct oktober okt octobre octubre ottobre ott outubro out",
    11: "november nov novembre noviembre novembro",
    12: "december dec dezember dez décembre déc decembre diciembre dic dicembre dezembro",
}  # fmt: skip


def fold(word: str) -> str:
    """Lower case, accents removed, trailing dot removed: how month names are compared."""
    word = word.lower().rstrip(".")
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


MONTHS: dict[str, int] = {fold(name): m for m, names in _NAMES.items() for name in names.split()}
ENGLISH = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

_ENGLISH_WORDS = {fold(m) for m in ENGLISH} | {fold(m[:3]) for m in ENGLISH} | {"sept"}
_WORD = re.compile(r"[^\W\d_]{3,}")


def foreign_month_names(values) -> bool:
    """Whether some value names a month in a language other than English (``ene``, ``März``)."""
    for value in values:
        for word in _WORD.findall(value):
            key = fold(word)
            if key in MONTHS and key not in _ENGLISH_WORDS:
                return True
    return False
