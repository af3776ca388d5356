"""Mapping suggestions from headers in seven languages and from the columns' values.

Datasets are built by hand (as ingest describes them: type, profile), so each test states
exactly what the engine sees.
"""

from __future__ import annotations

import pytest

from sandbox import Suggestion, get_recipe, preselected_mapping, suggest_mapping
from sandbox.mapping.words import header_currency, normalise
from sandbox.store import Column, DatasetInfo

REPS = ["Maya Chen", "Tom Weber", "Sara Lind", "Omar Haddad", "Ivy Brooks", "Jan van der Berg"]
COMPANIES = ["Acme GmbH", "Globex Inc.", "Initech Ltd", "Umbrella S.A.", "Hooli LLC",
             "Stark & Co", "Vandelay BV", "Roma SpA", "Tapas S.L.", "Lusa Lda"]  # fmt: skip


def col(name: str, type_: str, examples: list[str] | None = None, **profile) -> Column:
    if examples is not None:
        profile = {"examples": examples, "distinct": len(set(examples)), "repeats": True} | profile
    return Column(name, type_, None, profile or None)


def info(*columns: Column, rows: int = 500) -> DatasetInfo:
    return DatasetInfo(
        id="ds_" + "0" * 24, owner_key="o", filename="export.csv", format="csv", rows=rows,
        columns=list(columns), sample_rows=[],
    )  # fmt: skip


def chosen(dataset: DatasetInfo, recipe: str) -> dict[str, str]:
    return preselected_mapping(dataset, get_recipe(recipe))


def test_owner_of_people_is_the_sales_rep_and_companies_are_the_account():
    """The motivating bug: "account" (companies) was suggested as the owner."""
    dataset = info(
        col("opportunity_id", "text", ["1C1I7A6R", "Z063OYW0", "EC4QE1BX"], repeats=False),
        col("sales_agent", "text", REPS),
        col("account", "text", COMPANIES),
        col("deal_stage", "text", ["Prospecting", "Engaging", "Won", "Lost"]),
        col("engage_date", "date"),
        col("close_date", "date"),
        col("close_value", "decimal"),
    )
    got = suggest_mapping(dataset, get_recipe("pipeline_lens"))
    assert got["owner"].column == "sales_agent"
    assert got["owner"].reason.endswith("looks like people's names; 6 distinct")
    assert got["account"].column == "account"
    assert "looks like company names" in got["account"].reason
    assert got["stage"].column == "deal_stage" and got["closed"].column == "close_date"
    assert got["created"].column == "engage_date" and got["amount"].column == "close_value"


def test_salesforce_account_owner_is_a_person_and_account_name_the_company():
    dataset = info(col("Account Name", "text", COMPANIES), col("Account Owner", "text", REPS))
    assert chosen(dataset, "pipeline_lens") == {
        "account": "Account Name", "owner": "Account Owner"
    }  # fmt: skip


def test_a_column_of_companies_is_no_owner_even_when_its_header_says_so():
    dataset = info(col("Owner", "text", COMPANIES), col("Assigned", "text", REPS))
    got = suggest_mapping(dataset, get_recipe("pipeline_lens"))
    assert got["owner"].column == "Assigned"
    assert got["account"].column == "Owner" and not got["account"].preselect


PIPELINE_EXPORTS = {
    "salesforce": (
        ["Opportunity Name", "Account Name", "Amount", "Close Date", "Stage",
         "Opportunity Owner", "Created Date"],
        ["Deal-1", "Acme deal"], ["Prospecting", "Qualification", "Closed Won", "Closed Lost"],
    ),
    "hubspot": (
        ["Deal Name", "Associated Company", "Amount", "Close Date", "Deal Stage", "Deal owner",
         "Create Date"],
        ["Deal-1"], ["Appointment scheduled", "Contract sent", "Closed won", "Closed lost"],
    ),
    "pipedrive": (
        ["Title", "Organization", "Value", "Won time", "Stage", "Owner", "Deal created"],
        ["Deal-1"], ["Lead In", "Contact Made", "Proposal Made"],
    ),
    "dynamics": (
        ["Topic", "Potential Customer", "Est. Revenue", "Est. Close Date", "Pipeline Phase",
         "Owner", "Created On"],
        ["100 laptops"], ["1-Qualify", "2-Develop", "3-Propose", "4-Close"],
    ),
    "zoho": (
        ["Deal Name", "Account Name", "Amount", "Closing Date", "Stage", "Deal Owner",
         "Created Time"],
        ["Deal-1"], ["Qualification", "Needs Analysis", "Closed Won"],
    ),
    "german": (
        ["Titel", "Firma", "Betrag (EUR)", "Abschlussdatum", "Phase", "Verantwortlich",
         "Erstellt am"],
        ["Projekt-1"], ["Qualifiziert", "Angebot", "Verhandlung", "Gewonnen", "Verloren"],
    ),
    "french": (
        ["Nom de l'opportunité", "Société", "Montant (€)", "Date de clôture", "Étape",
         "Propriétaire", "Date de création"],
        ["Projet-1"], ["Qualification", "Proposition", "Négociation", "Gagné", "Perdu"],
    ),
    "spanish": (
        ["Nombre de la oportunidad", "Empresa", "Importe", "Fecha de cierre", "Etapa",
         "Propietario", "Fecha de creación"],
        ["Proyecto-1"], ["Calificación", "Propuesta", "Negociación", "Ganada", "Perdida"],
    ),
    "dutch": (
        ["Dealnaam", "Bedrijf", "Bedrag", "Sluitingsdatum", "Fase", "Eigenaar",
         "Aanmaakdatum"],
        ["Deal-1"], ["Gekwalificeerd", "Offerte", "Onderhandeling", "Gewonnen", "Verloren"],
    ),
    "portuguese": (
        ["Nome do negócio", "Empresa", "Valor", "Data de fechamento", "Etapa", "Responsável",
         "Data de criação"],
        ["Negócio-1"], ["Qualificação", "Proposta", "Negociação", "Ganho", "Perdido"],
    ),
    "italian": (
        ["Nome opportunità", "Azienda", "Importo", "Data di chiusura", "Fase", "Proprietario",
         "Data di creazione"],
        ["Trattativa-1"], ["Qualificazione", "Proposta", "Negoziazione", "Vinta", "Persa"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("export", sorted(PIPELINE_EXPORTS))
def test_crm_exports_in_seven_languages_map_every_field(export):
    headers, deals, stages = PIPELINE_EXPORTS[export]
    deal, account, amount, closed, stage, owner, created = headers
    dataset = info(
        col(deal, "text", deals, repeats=False),
        col(account, "text", COMPANIES),
        col(amount, "decimal"),
        col(closed, "date", min="2024-02-01", max="2024-12-20"),
        col(stage, "text", stages),
        col(owner, "text", REPS),
        col(created, "date", min="2024-01-02", max="2024-11-30"),
    )
    assert chosen(dataset, "pipeline_lens") == {
        "stage": stage, "amount": amount, "created": created, "closed": closed,
        "owner": owner, "deal": deal, "account": account,
    }  # fmt: skip


def test_reasons_name_the_header_and_the_currency():
    dataset = info(col("Betrag (EUR)", "decimal"), col("Phase", "text", ["Angebot", "Gewonnen"]))
    got = suggest_mapping(dataset, get_recipe("pipeline_lens"))
    assert got["amount"] == Suggestion(
        "Betrag (EUR)", 1.0, "header 'Betrag (EUR)' means amount; amounts in EUR", True
    )
    assert (
        got["stage"].reason == "header 'Phase' means stage; 2 stage-like labels (Angebot, Gewonnen)"
    )


def test_values_alone_suggest_but_never_preselect():
    dataset = info(
        col("c1", "text", ["Won", "Lost", "Open"]),
        col("c2", "text", REPS),
        col("c3", "text", COMPANIES),
    )
    got = suggest_mapping(dataset, get_recipe("pipeline_lens"))
    assert {f: s.column for f, s in got.items()} == {
        "outcome": "c1",
        "owner": "c2",
        "account": "c3",
    }
    assert not any(s.preselect for s in got.values())
    assert got["outcome"].reason == "won/lost labels (Won, Lost, Open)"
    assert chosen(dataset, "pipeline_lens") == {}


def test_yes_no_won_column_is_shown_but_not_chosen():
    """Salesforce's "Won" is true/false: open deals would count as lost."""
    dataset = info(col("Won", "text", ["true", "false"]), col("Stage", "text", ["Closed Won"]))
    got = suggest_mapping(dataset, get_recipe("pipeline_lens"))
    assert got["outcome"].column == "Won" and not got["outcome"].preselect
    assert "open deals could not be told from lost ones" in got["outcome"].reason


def test_won_lost_labels_in_several_languages_make_an_outcome():
    for labels in (["Gewonnen", "Verloren", "Offen"], ["Gagné", "Perdu", "En cours"],
                   ["Ganada", "Perdida", "Abierta"], ["Ganho", "Perdido", "Aberto"],
                   ["Vinta", "Persa", "Aperta"], ["open", "won", "lost"]):  # fmt: skip
        got = suggest_mapping(info(col("Status", "text", labels)), get_recipe("pipeline_lens"))
        assert got["outcome"].column == "Status" and got["outcome"].preselect, labels
        assert got["outcome"].reason.startswith("header 'Status' means won/lost status; won/lost")


def test_text_that_is_not_a_number_is_no_amount():
    dataset = info(col("Amount Currency", "text", ["EUR", "USD"]), col("Amount", "decimal"))
    got = suggest_mapping(dataset, get_recipe("pipeline_lens"))
    assert got["amount"].column == "Amount"
    assert "Amount Currency" not in {s.column for s in got.values()}


def test_shopify_order_lines_map_the_order_id_from_repeating_values():
    dataset = info(
        col("Name", "text", ["#1001", "#1002", "#1003"]),
        col("Email", "text", ["ann@example.com", "bo@example.org"]),
        col("Paid at", "datetime"),
        col("Currency", "text", ["EUR"]),
        col("Subtotal", "decimal"),
        col("Total", "decimal"),
        col("Discount Amount", "decimal"),
        col("Created at", "datetime"),
        col("Lineitem quantity", "integer", ["1", "2", "3"], min="1", max="3"),
        col("Lineitem name", "text", ["Mug", "Shirt - M"]),
        col("Lineitem price", "decimal"),
        col("Billing Name", "text", REPS),
    )
    got = suggest_mapping(dataset, get_recipe("segment_studio"))
    assert {f: s.column for f, s in got.items() if s.preselect} == {
        "customer": "Email", "date": "Created at", "amount": "Total", "order_id": "Name",
        "quantity": "Lineitem quantity", "unit_price": "Lineitem price",
    }  # fmt: skip
    assert got["order_id"].reason.endswith(
        "ids that repeat across rows: several lines belong to one order"
    )
    assert (
        got["customer"].reason == "header 'Email' means customer id; e-mail addresses; 2 distinct"
    )


def test_invoice_lines_without_a_total_map_quantity_and_unit_price():
    dataset = info(
        col("InvoiceNo", "text", ["536365", "536366", "C536379"]),
        col("StockCode", "text", ["85123A", "71053"]),
        col("Description", "text", ["WHITE HANGING HEART T-LIGHT HOLDER"]),
        col("Quantity", "integer", ["6", "8", "2"], min="1", max="80"),
        col("InvoiceDate", "datetime"),
        col("UnitPrice", "decimal"),
        col("CustomerID", "integer", ["17850", "13047"]),
        col("Country", "text", ["United Kingdom", "France"]),
    )
    assert chosen(dataset, "segment_studio") == {
        "customer": "CustomerID", "date": "InvoiceDate", "order_id": "InvoiceNo",
        "quantity": "Quantity", "unit_price": "UnitPrice",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Bestellnummer", "E-Mail", "Bestelldatum", "Menge", "Einzelpreis", "Gesamtbetrag"],
         ["order_id", "customer", "date", "quantity", "unit_price", "amount"]),
        (["Numéro de commande", "Courriel", "Date de commande", "Quantité", "Prix unitaire",
          "Montant TTC"], ["order_id", "customer", "date", "quantity", "unit_price", "amount"]),
        (["Número de pedido", "Correo electrónico", "Fecha de pedido", "Cantidad",
          "Precio unitario", "Importe total"],
         ["order_id", "customer", "date", "quantity", "unit_price", "amount"]),
        (["Bestelnummer", "Klantnummer", "Besteldatum", "Aantal", "Stukprijs", "Totaal"],
         ["order_id", "customer", "date", "quantity", "unit_price", "amount"]),
        (["Número do pedido", "Cliente", "Data do pedido", "Quantidade", "Preço unitário",
          "Valor total"], ["order_id", "customer", "date", "quantity", "unit_price", "amount"]),
        (["Numero ordine", "Codice cliente", "Data ordine", "Quantità", "Prezzo unitario",
          "Totale"], ["order_id", "customer", "date", "quantity", "unit_price", "amount"]),
    ],
)  # fmt: skip
def test_shop_exports_in_other_languages(headers, expected):
    order, customer, day, qty, price, total = headers
    dataset = info(
        col(order, "text", ["A-1001", "A-1002"]),
        col(customer, "text", ["K-17", "K-18"]),
        col(day, "date"),
        col(qty, "integer", ["1", "4"], min="1", max="12"),
        col(price, "decimal"),
        col(total, "decimal"),
    )
    assert chosen(dataset, "segment_studio") == dict(zip(expected, headers, strict=True))


def test_created_and_closed_swap_when_the_values_contradict_the_headers():
    dataset = info(
        col("Created", "date", min="2024-06-01", max="2024-12-31"),
        col("Closed", "date", min="2024-01-01", max="2024-05-31"),
    )
    got = suggest_mapping(dataset, get_recipe("pipeline_lens"))
    assert (got["created"].column, got["closed"].column) == ("Closed", "Created")
    assert (
        not got["created"].preselect and "come before those of 'Created'" in got["created"].reason
    )


def test_implausible_dates_lose_confidence():
    sane = col("Created", "date", min="2016-01-04", max="2016-12-30")
    future = col("Created", "date", min="2028-10-16", max="2091-10-20")
    assert suggest_mapping(info(sane), get_recipe("pipeline_lens"))["created"].preselect
    got = suggest_mapping(info(future), get_recipe("pipeline_lens"))["created"]
    assert not got.preselect and got.reason.endswith("dates from 2028 to 2091 look implausible")


def test_without_profiles_the_preview_rows_give_the_values():
    dataset = info(col("Owner", "text"), col("Company", "text"), col("Stage", "text"))
    dataset.sample_rows = [[r, c, "Lead"] for r, c in zip(REPS, COMPANIES, strict=False)]
    got = suggest_mapping(dataset, get_recipe("pipeline_lens"))
    assert got["owner"].column == "Owner" and "people's names" in got["owner"].reason
    assert got["account"].column == "Company" and "company names" in got["account"].reason


def test_headers_are_compared_without_case_accents_or_units():
    assert normalise("Date de clôture") == "date de cloture"
    assert normalise("Betrag (EUR)") == "betrag"
    assert normalise("CloseDate") == "close date"
    assert normalise("Straße") == "strasse"
    assert normalise("Quantité [pcs]") == "quantite"
    assert header_currency("Betrag (EUR)") == "EUR"
    assert header_currency("Amount [$]") == "USD"
    assert header_currency("Montant (€)") == "EUR"
    assert header_currency("Amount (converted)") is None
    assert header_currency("Total") is None


def test_a_quarter_column_is_the_date_of_a_series():
    dataset = info(
        col("Quarter", "date", min="2015-01-01", max="2022-10-01"),
        col("Region", "text", ["North", "South"]),
        col("Revenue", "decimal"),
    )
    assert chosen(dataset, "demand_radar") == {
        "date": "Quarter", "value": "Revenue", "category": "Region"
    }  # fmt: skip


def test_the_only_number_column_is_what_to_forecast():
    dataset = info(
        col("Date", "date", min="2024-01-08", max="2024-06-30"),
        col("Channel", "text", ["Email", "Chat"]),
        col("Handled", "integer", ["39", "25"], min="3", max="80"),
    )
    got = suggest_mapping(dataset, get_recipe("demand_radar"))
    assert got["value"] == Suggestion(
        "Handled", 0.6, "the only number column not used otherwise", True
    )
    deals = info(col("Stage", "text", ["Lead"]), col("Probability", "integer", ["10", "50"]))
    assert "amount" not in suggest_mapping(deals, get_recipe("pipeline_lens"))


def test_sap_billing_documents_in_german():
    dataset = info(
        col("Fakturabeleg", "integer", ["90001000", "90001001"], distinct=500, repeats=False),
        col("Fakturaart", "text", ["F2", "G2"]),
        col("Fakturadatum", "date", min="2022-01-03", max="2022-12-28"),
        col("Auftraggeber", "integer", ["100007", "100011"], distinct=40),
        col("Nettowert", "decimal"),
        col("Währung", "text", ["EUR"]),
    )
    assert chosen(dataset, "demand_radar") == {"date": "Fakturadatum", "value": "Nettowert"}
    assert chosen(dataset, "segment_studio") == {
        "customer": "Auftraggeber", "date": "Fakturadatum", "amount": "Nettowert",
        "order_id": "Fakturabeleg",
    }  # fmt: skip


def test_a_deal_name_is_preferred_to_a_record_id():
    dataset = info(
        col("Record ID", "integer", ["1001", "1002"], repeats=False),
        col("Deal Name", "text", ["Acme renewal", "Globex 200 seats"], repeats=False),
    )
    got = suggest_mapping(dataset, get_recipe("pipeline_lens"))
    assert got["deal"].column == "Deal Name"


@pytest.mark.parametrize(
    ("value", "person", "company"),
    [("Maria de Souza", True, False), ("Jan van der Berg", True, False),
     ("Chen, Maya", True, False), ("Seán O'Brien", True, False), ("Closed Won", False, False),
     ("Müller GmbH & Co. KG", False, True), ("Tapas S.L.", False, True),
     ("Roma S.p.A.", False, True), ("Lusa, Lda.", False, True), ("Smith & Sons", False, True),
     ("acme.com", False, True), ("Initech", False, False)],
)  # fmt: skip
def test_people_and_companies_are_told_apart(value, person, company):
    from sandbox.mapping.values import is_company, is_person

    assert (is_person(value), is_company(value)) == (person, company)


def test_mixed_currencies_take_the_converted_amount():
    dataset = info(
        col("id", "text", ["ch_lXsAYBFDib1xyDQ", "ch_zqv7jkIWTUTTu6w"], repeats=False),
        col("Created (UTC)", "datetime"),
        col("Amount", "decimal"),
        col("Amount Refunded", "decimal"),
        col("Currency", "text", ["gbp", "eur", "usd"]),
        col("Converted Amount", "decimal"),
        col("Converted Amount Refunded", "decimal"),
        col("Converted Currency", "text", ["usd"]),
        col("Customer Email", "text", ["isla.green@example.net", "tim.wilson@example.net"]),
    )
    got = suggest_mapping(dataset, get_recipe("segment_studio"))
    assert got["amount"].column == "Converted Amount"
    assert got["amount"].reason.endswith(
        "the file mixes currencies (EUR, GBP, USD); this column converts them to one"
    )
    one_currency = info(col("Amount", "decimal"), col("Converted Amount", "decimal"),
                        col("Currency", "text", ["eur"]))  # fmt: skip
    assert suggest_mapping(one_currency, get_recipe("segment_studio"))["amount"].column == "Amount"
