"""What a column's header says: a date, a flag, a code, a locale, a start or an end."""

from __future__ import annotations

import re

from sandbox.interpret.months import fold

# Substrings where they cannot be part of another word, whole words where they can
# ("time" in "Lifetime Value", "mes" in "James", "dia" in "Media" are no dates).
_DATE = re.compile(
    r"date|datum|fecha|\bdata\b|\bdia\b|\bjour\b|giorno|\bdag\b|\bday\b|\btime\b|zeit\b|"
    r"\bhora\b|heure|\bora\b|created|updated|modified|closed|opened|_at$|_on$|\bdt\b|timestamp|"
    r"erstellt|angelegt|geandert|abschluss|faellig|fallig|termin|"
    r"\bcree|creation|cloture|ferme\b|echeance|creado|cerrado|vencimiento|"
    r"creato|chiuso|scadenza|aangemaakt|gesloten|vervaldatum|criado|fechado|vencimento|"
    r"period|month|monat|\bmois\b|\bmes\b|\bmese\b|\bmaand\b|quarter|quartal|trimestre|"
    r"kwartaal|\byear\b|\bjahr\b|annee|\bano\b|\banno\b|\bjaar\b|\bfy\b|fiscal|geburt|"
    r"birth|naissance|nacimiento|zeitraum|stichtag|buchungstag|valuta"
)
_FLAG = re.compile(
    r"^(is|has|was|can|should)[_ a-z]|flag|active|aktiv|actif|activo|enabled|deleted|"
    r"geloscht|paid|bezahlt|won\b|gewonnen|churn|opt.?in|subscribed|bool|verified|\?$"
)
_CODE = re.compile(
    r"zip|postal|postcode|post code|plz|postleitzahl|code postal|\bcp\b|\bcap\b|codigo postal|"
    r"postcode|cep\b|phone|telefon|tel\b|mobile|handy|fax|iban|bic|ean|gtin|isbn|"
    r"account.?number|kontonummer|ustid|vat|siret|siren|nif\b|cif\b"
)
_START = re.compile(
    r"creat|open|start|begin|from\b|^von\b|desde|debut|inizio|aangemaakt|angelegt|erstellt|"
    r"criad|cree|ordered|order date|bestelldatum|signup|registered|eingang|received"
)
_END = re.compile(
    r"close|closing|clos|end\b|ende\b|^bis\b|until|^to\b|hasta|\bfin\b|fine\b|fermet|cloture|"
    r"abschluss|geschlossen|erledigt|cerrad|chius|gesloten|fechad|ship|deliver|versand|"
    r"geliefert|resolved|completed|won date|lost date|paid|updated|modified|\blast\b|letzte|"
    r"geandert|aktualisiert|modifie|mis a jour|actualiz|modificad|aggiornat|modificat|gewijzigd|"
    r"bijgewerkt|atualizad|\bdue\b|fallig|faellig|echeance|vencimiento|scadenza|vervaldatum|"
    r"vencimento"
)
_COMMA_LOCALE = re.compile(
    r"betrag|preis|umsatz|menge|summe|wert|kosten|netto|brutto|steuer|rabatt|anzahl|datum|"
    r"montant|prix|quantite|valeur|chiffre|importe|precio|cantidad|valor|importo|prezzo|"
    r"quantita|bedrag|prijs|aantal|waarde|preco|quantidade|"
    r"[äöüßéèêàçñãõ]"
)
_COUNT = re.compile(
    r"\bunits?\b|\bqty\b|quantity|count|number of|\bpcs\b|pieces|items|stuck|anzahl|menge|"
    r"quantite|nombre|unites|cantidad|unidades|numero de|quantita|pezzi|unita|aantal|stuks|"
    r"quantidade|tickets|orders|visits|besucher|passengers|headcount|mitarbeiter"
)
_POINT_LOCALE = re.compile(r"amount|price|revenue|quantity|value|cost|sales|\$")


def norm(header: str) -> str:
    return fold(header.strip()).replace("-", " ")


def is_date_header(header: str) -> bool:
    return bool(_DATE.search(norm(header)))


def is_flag_header(header: str) -> bool:
    return bool(_FLAG.search(norm(header)))


def is_code_header(header: str) -> bool:
    return bool(_CODE.search(norm(header)))


def role(header: str) -> str | None:
    """'start' or 'end' for the paired date columns (created/closed, start/end, ...)."""
    h = norm(header)
    if _END.search(h):
        return "end"
    if _START.search(h):
        return "start"
    return None


def comma_locale(header: str) -> bool | None:
    """True for a header in a decimal-comma language, False for English, None if unsure."""
    raw = header.strip().lower()
    if _COMMA_LOCALE.search(raw) or _COMMA_LOCALE.search(norm(header)):
        return True
    if _POINT_LOCALE.search(raw):
        return False
    return None


def is_count_header(header: str) -> bool:
    """A header naming a count of things (units, Anzahl, cantidad): whole numbers expected."""
    return bool(_COUNT.search(norm(header)))
