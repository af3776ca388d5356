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


_WEEKDAY_NAMES = {  # Monday = 0, as date.weekday()
    0: "mon monday montag mo lun lundi lunes lunedì ma maandag seg segunda",
    1: "tue tues tuesday dienstag di mar mardi martes martedì dinsdag ter terça",
    2: "wed weds wednesday mittwoch mi mer mercredi mie miércoles mercoledì wo woensdag qua quarta",
    3: "thu thur thurs thursday donnerstag do jeu jeudi jue jueves gio giovedì donderdag qui "
    "quinta",
    4: "fri friday freitag fr ven vendredi vie viernes venerdì vr vrijdag sex sexta",
    5: "sat saturday samstag sonnabend sa sam samedi sáb sábado sab sabato za zaterdag",
    6: "sun sunday sonntag so dim dimanche dom domingo domenica zo zondag",
}
_ZONE_NAMES = (
    "utc gmt cet cest mez mesz wet west eet eest bst ist pst pdt mst mdt cst cdt est edt "
    "akst akdt hst jst kst aest aedt acst awst nzst nzdt"
)
ZONES = tuple(_ZONE_NAMES.split())

MONTHS: dict[str, int] = {fold(name): m for m, names in _NAMES.items() for name in names.split()}
# Month abbreviations: a column using only these is written with %b, else %B.
_ABBREVIATED = (
    "jan feb febr mar mrz mär apr jun jul aug sep sept oct okt nov dec dez janv févr "
    "avr juil déc ene abr ago dic gen mag giu lug set ott mrt fev out"
)
ABBREVIATIONS = frozenset(fold(a) for a in _ABBREVIATED.split())
WEEKDAY_INDEX = {fold(w): i for i, names in _WEEKDAY_NAMES.items() for w in names.split()}
WEEKDAYS = tuple(sorted(WEEKDAY_INDEX))
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
