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


_WEEKDAY_NAMES = (
    "mon monday tue tues tuesday wed weds wednesday thu thur thurs thursday fri friday sat "
    "saturday sun sunday "
    "mo montag di dienstag mi mittwoch do donnerstag fr freitag sa samstag sonnabend so sonntag "
    "lun lundi mar mardi mer mercredi jeu jeudi ven vendredi sam samedi dim dimanche "
    "lunes martes mie miércoles jue jueves vie viernes sáb sábado dom domingo "
    "lunedì martedì mercoledì gio giovedì venerdì sab sabato domenica "
    "ma maandag dinsdag wo woensdag donderdag vr vrijdag za zaterdag zo zondag "
    "seg segunda segunda-feira ter terça terça-feira qua quarta quarta-feira qui quinta "
    "quinta-feira sex sexta sexta-feira"
)
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
WEEKDAYS = tuple(sorted({fold(w) for w in _WEEKDAY_NAMES.split()}))
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
