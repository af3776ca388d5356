"""What columns are called in real exports, in seven languages, and how to compare headers.

Each concept lists headers as CRM, shop, payment and ERP exports spell them (Salesforce,
HubSpot, Pipedrive, Zoho, Dynamics, Shopify, WooCommerce, Stripe, PayPal, SAP and their
German, French, Spanish, Dutch, Portuguese and Italian versions). ``words`` are sure
matches, ``also`` are good but second-best (an expected close date is a close date, but the
actual one is better) and ``weak`` are generic headers ("Name", "Id") that count only when
the values agree. ``expects`` names the value signal in :mod:`sandbox.mapping.values`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_BRACKETS = re.compile(r"[(\[]([^)\]]*)[)\]]")
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "fr.": "CHF", "kr": "SEK"}
_ISO = {
    "EUR",
    "USD",
    "GBP",
    "CHF",
    "JPY",
    "CAD",
    "AUD",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "CZK",
    "BRL",
    "MXN",
    "INR",
    "CNY",
    "NZD",
    "ZAR",
    "HUF",
    "RON",
    "TRY",
    "ARS",
    "CLP",
    "COP",
}


def fold(text: str) -> str:
    """Lower case without accents: "Étape" -> "etape", "Straße" -> "strasse"."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def normalise(header: str) -> str:
    """A header reduced to plain words for matching: camelCase split, accents, case,
    punctuation and bracketed units dropped ("Betrag (EUR)" -> "betrag",
    "CloseDate" -> "close date", "Date de clôture" -> "date de cloture")."""
    text = _BRACKETS.sub(" ", _CAMEL.sub(" ", header))
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()


def header_currency(header: str) -> str | None:
    """The currency a header names in brackets or as a word: "Betrag (EUR)" -> "EUR",
    "Amount [$]" -> "USD", "Montant en €" -> "EUR"."""
    for inner in [*_BRACKETS.findall(header), header]:
        for token in re.findall(r"[A-Za-z]{3}|[€$£¥₹]", inner):
            if token.upper() in _ISO and (inner is not header or token.isupper()):
                return token.upper()
            if token in _SYMBOLS:
                return _SYMBOLS[token]
    return None


@dataclass(frozen=True)
class Concept:
    words: tuple[str, ...]
    also: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    expects: str = ""


def _w(text: str) -> tuple[str, ...]:
    """A '|'-separated list of headers, normalised."""
    return tuple(dict.fromkeys(normalise(w) for w in text.split("|") if normalise(w)))


# Header words of an amount converted to one currency (Stripe "Converted Amount").
_CONVERTED = frozenset(
    _w("converted|umgerechnet|converti|convertie|convertido|convertida|omgerekend|convertito")
    + _w("convertita|Hauswährung|base|reporting")
)


def is_converted(header: str) -> bool:
    """The header names an amount converted to one currency."""
    return bool(set(normalise(header).split()) & _CONVERTED)


def currency_codes(values: list[str]) -> set[str] | None:
    """The ISO codes when every value is one ("eur", "GBP"), else None."""
    codes = {v.strip().upper() for v in values}
    return codes if codes and codes <= _ISO else None


CONCEPTS: dict[str, Concept] = {
    "stage": Concept(
        _w(
            "stage|deal stage|sales stage|pipeline stage|opportunity stage|phase|pipeline phase"
            "|sales phase|stage name|Phase|Verkaufsphase|Vertriebsphase|Deal-Phase|Stufe"
            "|Verkaufsstufe|Stadium|Étape|Étape de vente|Phase de vente|Stade|Étape du pipeline"
            "|Etapa|Fase|Etapa del negocio|Etapa de venta|Fase de venta|Fase|Dealfase"
            "|Verkoopfase|Stadium|Etapa|Estágio|Etapa do negócio|Fase do funil|Fase"
            "|Fase di vendita|Stadio|Fase della trattativa"
        ),
        weak=_w("step|pipeline|Schritt|Trichter"),
        expects="stage",
    ),
    "amount": Concept(
        _w(
            "amount|value|deal value|deal amount|opportunity amount|revenue|est revenue"
            "|estimated revenue|expected revenue|deal size|amount converted|total|total amount"
            "|arr|acv|tcv|mrr|contract value|Betrag|Wert|Umsatz|Volumen|Auftragswert|Dealwert"
            "|Gesamtbetrag|Summe|Erwarteter Umsatz|Montant|Valeur|Chiffre d'affaires|Montant total"
            "|Montant de l'opportunité|Revenu|Importe|Monto|Valor|Ingresos|Importe total"
            "|Valor del negocio|Bedrag|Waarde|Omzet|Dealwaarde|Totaalbedrag|Valor|Montante"
            "|Receita|Valor do negócio|Valor total|Importo|Valore|Ammontare|Fatturato"
            "|Valore dell'opportunità|Importo totale"
        ),
        also=_w("size|sales|gross|net|price|Preis|Prix|Precio|Prijs|Preço|Prezzo"),
        expects="money",
    ),
    "order_amount": Concept(
        _w(
            "total|order total|line total|lineitem total|item total|total price|amount|revenue"
            "|sales|sales amount|net sales|gross sales|order total amount|amount paid"
            "|payment amount|gross|net|order value|line amount|converted amount|charge amount"
            "|Umsatz|Betrag|Gesamt|Gesamtbetrag|Rechnungsbetrag|Bestellwert|Summe|Zeilensumme"
            "|Brutto|Netto|Total|Montant|Montant TTC|Montant HT|Prix total|Chiffre d'affaires"
            "|Importe|Monto|Ventas|Precio total|Importe total|Bedrag|Totaal|Omzet|Totaalprijs"
            "|Regeltotaal|Valor|Valor total|Vendas|Importo|Totale|Vendite|Prezzo totale|net value"
            "|net amount|Nettowert|Nettobetrag|Bruttobetrag|Bruttowert"
        ),
        also=_w("value|subtotal|Wert|Valeur|Waarde|Valore|Zwischensumme|Sous-total"),
        expects="money",
    ),
    "unit_price": Concept(
        _w(
            "unit price|price|price each|item price|lineitem price|unitprice|price per unit"
            "|sales price|selling price|list price|item cost|rate|unit cost|Einzelpreis"
            "|Stückpreis|Preis|Preis pro Stück|Verkaufspreis|Listenpreis|Prix unitaire|Prix"
            "|Prix de vente|PU|Precio unitario|Precio|Precio por unidad|Stukprijs|Prijs"
            "|Eenheidsprijs|Prijs per stuk|Preço unitário|Preço|Valor unitário|Prezzo unitario"
            "|Prezzo"
        ),
        expects="money",
    ),
    "quantity": Concept(
        _w(
            "quantity|qty|units|lineitem quantity|item quantity|quantity ordered|pieces"
            "|number of items|units sold|Menge|Anzahl|Stückzahl|Stück|Stk|Quantité|Qté|Nombre"
            "|Cantidad|Unidades|Cant|Aantal|Hoeveelheid|Stuks|Quantidade|Qtd|Qtde|Quantità|Qtà"
            "|Pezzi"
        ),
        weak=_w("count|Numero"),
        expects="count",
    ),
    "created": Concept(
        _w(
            "created|created date|create date|created at|created on|created time|deal created"
            "|date created|creation date|opened|open date|opened date|add time|Erstellt am"
            "|Erstellungsdatum|Angelegt am|Erstellt|Anlagedatum|Eröffnet am|Date de création"
            "|Créé le|Créée le|Date d'ouverture|Fecha de creación|Creado el|Creado"
            "|Fecha de alta|Aanmaakdatum|Aangemaakt op|Gemaakt op|Datum aangemaakt"
            "|Data de criação|Criado em|Data de abertura|Data di creazione|Creato il"
            "|Data creazione|Data apertura"
        ),
        also=_w(
            "start date|engage date|lead date|first contact|Startdatum|Date de début"
            "|Fecha de inicio|Data de início|Data inizio"
        ),
        weak=_w("date|Datum|Fecha|Data"),
        expects="date",
    ),
    "closed": Concept(
        _w(
            "close date|closed date|closing date|closed at|closed on|close time|won time"
            "|won date|actual close date|date closed|Abschlussdatum|Geschlossen am"
            "|Schlussdatum|Gewonnen am|Date de clôture|Clôturé le|Fermé le|Date de signature"
            "|Fecha de cierre|Cerrado el|Sluitingsdatum|Afsluitdatum|Gesloten op"
            "|Datum gewonnen|Data de fechamento|Data de encerramento|Data de fecho|Fechado em"
            "|Data di chiusura|Data chiusura|Chiuso il"
        ),
        also=_w(
            "expected close date|est close date|estimated close date|lost time"
            "|end date|decision date|Erwartetes Abschlussdatum|Voraussichtlicher Abschluss"
            "|Date de clôture prévue|Fecha de cierre prevista|Fecha prevista de cierre"
            "|Verwachte sluitingsdatum|Data prevista de fechamento|Data chiusura prevista"
            "|Enddatum|Date de fin|Fecha de fin|Einddatum|Data de término|Data fine"
        ),
        expects="date",
    ),
    "owner": Concept(
        _w(
            "owner|deal owner|opportunity owner|owner name|sales rep|rep|salesperson"
            "|sales person|sales agent|agent|account executive|account manager|assigned to"
            "|responsible|seller|sales owner|user|Verantwortlich|Verantwortlicher"
            "|Vertriebsmitarbeiter|Besitzer|Inhaber|Zuständig|Betreuer|Verkäufer"
            "|Kundenbetreuer|Deal-Inhaber|Bearbeiter|Propriétaire|Commercial|Responsable"
            "|Vendeur|Propriétaire de l'opportunité|Attribué à|Propietario|Vendedor"
            "|Asignado a|Propietario del negocio|Eigenaar|Verkoper|Accountmanager"
            "|Verantwoordelijke|Toegewezen aan|Proprietário|Responsável|Dono|Consultor"
            "|Proprietario|Responsabile|Venditore|Commerciale|Assegnato a|Agente"
        ),
        also=_w("account owner|team member|employee|Mitarbeiter|Employé|Empleado"),
        expects="person",
    ),
    "account": Concept(
        _w(
            "account|account name|company|company name|organization|organisation"
            "|organization name|potential customer|associated company|customer|client"
            "|customer name|Firma|Unternehmen|Kunde|Firmenname|Organisation|Kundenname"
            "|Konto|Société|Entreprise|Compte|Client|Nom du compte|Nom de l'entreprise"
            "|Empresa|Cuenta|Cliente|Organización|Compañía|Nombre de la cuenta|Bedrijf"
            "|Organisatie|Klant|Bedrijfsnaam|Conta|Organização|Companhia|Nome da empresa"
            "|Azienda|Società|Ragione sociale|Organizzazione|Nome azienda"
        ),
        expects="company",
    ),
    "outcome": Concept(
        _w(
            "status|result|outcome|won lost|is won|deal status|status reason|won|state"
            "|Status|Ergebnis|Zustand|Statut|Résultat|État|Estado|Resultado|Resultaat"
            "|Uitkomst|Situação|Stato|Esito|Risultato"
        ),
        expects="outcome",
    ),
    "deal": Concept(
        _w(
            "deal|deal name|opportunity|opportunity name|title|topic|subject"
            "|deal title|Deal-Name|Verkaufschance|Titel|Betreff"
            "|Bezeichnung|Nom de l'opportunité|Opportunité|Affaire|Nom de l'affaire|Titre"
            "|Nombre de la oportunidad|Oportunidad|Negocio|Nombre del negocio|Título|Dealnaam"
            "|Kans|Verkoopkans|Nome da oportunidade|Oportunidade|Negócio|Nome do negócio"
            "|Nome opportunità|Opportunità|Trattativa|Titolo|Nome trattativa"
        ),
        also=_w("deal id|opportunity id|record id|deal number|Deal-ID|Chancen-ID"),
        weak=_w("name|id|Naam|Nom|Nombre|Nome"),
        expects="deal",
    ),
    "customer": Concept(
        _w(
            "customer|customer id|customerid|client|client id|buyer|email|customer email"
            "|billing email|e mail|user id|member id|account id|shopper|customer name"
            "|customer number|payer email|from email address|Kunde|Kundennummer|Kunden Nr"
            "|Kunden ID|Käufer|E-Mail|Kundenname|Debitor|Debitorennummer|Client|ID client"
            "|Numéro client|Acheteur|Courriel|Nom du client|Cliente|ID de cliente"
            "|Número de cliente|Comprador|Correo electrónico|Klant|Klantnummer|Klant-ID|Koper"
            "|ID do cliente|Código do cliente|Codice cliente|ID cliente|Acquirente|Auftraggeber"
            "|sold to party|sold to|Warenempfänger|Regulierer|Kundennr"
        ),
        also=_w("account|contact|billing name|shipping name|Konto|Compte|Cuenta|Conta"),
        expects="customer",
    ),
    "order_id": Concept(
        _w(
            "order id|order|order number|order no|order nr|invoice|invoice no|invoice number"
            "|invoiceno|invoice id|transaction id|receipt|receipt number|sales order"
            "|so number|order reference|purchase id|basket id|cart id|charge id|payment id"
            "|Bestellnummer|Bestellung|Auftragsnummer|Auftrag|Rechnungsnummer|Belegnummer"
            "|Bestell Nr|Auftrags Nr|Rechnungs Nr|Numéro de commande|Commande|N° de commande"
            "|Numéro de facture|Facture|Référence commande|Número de pedido|Pedido"
            "|Nº de pedido|Factura|Número de factura|Ordernummer|Bestelnummer|Bestelling"
            "|Factuurnummer|Número do pedido|Encomenda|Nº do pedido|Fatura|Numero ordine"
            "|Ordine|N. ordine|Fattura|Numero fattura|Fakturabeleg|Faktura|Verkaufsbeleg"
            "|Kundenauftrag|billing document|sales document"
        ),
        weak=_w("name|id|number|reference|Nummer|Numéro|Número|Nummer|Numero"),
        expects="order_id",
    ),
    "order_date": Concept(
        _w(
            "order date|date|created at|created|purchase date|invoice date|invoicedate"
            "|transaction date|order created|date created|created date"
            "|order datetime|Bestelldatum|Datum|Rechnungsdatum|Erstellt am|Kaufdatum"
            "|Auftragsdatum|Belegdatum|Date de commande|Date|Date de facture|Date d'achat"
            "|Créé le|Fecha de pedido|Fecha|Fecha de factura|Fecha de compra|Creado"
            "|Besteldatum|Factuurdatum|Aangemaakt op|Aankoopdatum|Data do pedido|Data"
            "|Data da compra|Data da fatura|Criado em|Data ordine|Data fattura"
            "|Data acquisto|Creato il"
        ),
        also=_w(
            "paid at|payment date|day|timestamp|time|Bezahlt am|Zahlungsdatum|Payé le"
            "|Fecha de pago|Betaald op|Data de pagamento|Pagato il|Tag|Jour|Día|Dag|Dia|Giorno"
        ),
        expects="date",
    ),
    "period_date": Concept(
        _w(
            "date|order date|day|month|period|timestamp|week|invoice date|transaction date"
            "|created|created at|ds|time|year month|Datum|Monat|Zeitraum|Periode|Woche|Tag"
            "|Date|Mois|Période|Semaine|Jour|Fecha|Mes|Período|Semana|Día|Maand|Week|Dag"
            "|Data|Mês|Dia|Mese|Periodo|Settimana|Giorno|quarter|Quartal|Trimestre|Kwartaal"
            "|billing date|posting date|Fakturadatum|Buchungsdatum|Belegdatum|Rechnungsdatum"
        ),
        also=_w("year|Jahr|Année|Año|Jaar|Ano|Anno|fiscal period|Geschäftsjahr"),
        expects="date",
    ),
    "value": Concept(
        _w(
            "value|amount|sales|revenue|quantity|qty|units|total|demand|volume|passengers"
            "|orders|Wert|Menge|Umsatz|Absatz|Anzahl|Verkäufe|Betrag|Valeur|Ventes|Quantité"
            "|Volume|Montant|Chiffre d'affaires|Valor|Ventas|Cantidad|Unidades|Importe"
            "|Waarde|Verkoop|Aantal|Omzet|Bedrag|Vendas|Quantidade|Valore|Vendite|Quantità"
            "|Importo|net value|net amount|Nettowert|Nettobetrag|Bruttowert"
        ),
        also=_w(
            "count|y|tickets|calls|visits|sessions|bookings|signups|cases|requests|price"
            "|Preis|Prix|Precio|Prijs|Preço|Prezzo"
        ),
        expects="number",
    ),
    "category": Concept(
        _w(
            "category|product|product name|sku|item|item name|region|segment|channel"
            "|product category|lineitem name|product type|store|country|description"
            "|Kategorie|Produkt|Artikel|Artikelname|Region|Kanal|Warengruppe|Land|Filiale"
            "|Catégorie|Produit|Article|Région|Canal|Pays|Magasin|Categoría|Producto"
            "|Artículo|Región|País|Tienda|Categorie|Regio|Kanaal|Winkel|Categoria|Produto"
            "|Artigo|Região|Loja|Prodotto|Articolo|Regione|Canale|Paese|Negozio"
        ),
        also=_w("type|group|Typ|Gruppe|Groupe|Tipo|Grupo|Gruppo"),
        expects="label",
    ),
}
