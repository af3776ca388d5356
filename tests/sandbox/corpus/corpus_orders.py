"""Order-line and payment exports for Segment Studio (Shopify, WooCommerce, Stripe, PayPal,
an Excel invoice-line report, a CSV with a second table, Online-Retail style lines, French
and Dutch shop exports)."""

from __future__ import annotations

import datetime as dt

from corpus_common import (
    Line,
    companies,
    email_of,
    make_lines,
    num_de,
    num_fr,
    people,
    rng_for,
    segment_expect,
    token,
)
from corpus_io import csv_text, write_csv, write_xlsx

H1 = dict(start=dt.date(2024, 1, 2), end=dt.date(2024, 6, 27))


def shopify_csv(out):
    rng = rng_for(201)
    names = people(rng, 45)
    emails = [email_of(n, rng.choice(["gmail.com", "web.de", "outlook.com"])) for n in names]
    lines = make_lines(rng, 120, emails, **H1, first_order=1001, order_fmt="#{}")
    header = [
        "Name",
        "Email",
        "Financial Status",
        "Paid at",
        "Fulfillment Status",
        "Fulfilled at",
        "Accepts Marketing",
        "Currency",
        "Subtotal",
        "Shipping",
        "Taxes",
        "Total",
        "Discount Code",
        "Discount Amount",
        "Shipping Method",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem compare at price",
        "Lineitem sku",
        "Lineitem requires shipping",
        "Lineitem taxable",
        "Lineitem fulfillment status",
        "Billing Name",
        "Billing City",
        "Billing Country",
        "Payment Method",
        "Id",
        "Vendor",
    ]
    totals: dict[str, float] = {}
    for x in lines:
        totals[x.order] = round(totals.get(x.order, 0) + x.total, 2)
    rows, seen = [], set()
    for x in lines:
        stamp = x.when.strftime("%Y-%m-%d %H:%M:%S +0100")
        first = x.order not in seen
        seen.add(x.order)
        t = totals[x.order]
        order_part = (
            [
                "paid",
                stamp,
                "fulfilled",
                stamp,
                rng.choice(["yes", "no"]),
                "EUR",
                f"{t:.2f}",
                "0.00",
                f"{t - t / 1.19:.2f}",
                f"{t:.2f}",
                "",
                "0.00",
                "Standard",
            ]
            if first
            else [""] * 13
        )
        name = names[emails.index(x.customer)]
        bill = (
            [
                name,
                rng.choice(["Berlin", "Hamburg", "Köln"]),
                "DE",
                "Shopify Payments",
                str(5_201_000_000_000 + int(x.order[1:]) * 17),
            ]
            if first
            else [""] * 5
        )
        rows.append(
            [
                x.order,
                x.customer,
                *order_part[:12],
                order_part[12],
                stamp,
                x.qty,
                x.product,
                f"{x.price:.2f}",
                f"{x.price * 1.25:.2f}",
                f"SKU-{x.product.split()[0].upper()[:4]}",
                "true",
                "true",
                "fulfilled",
                *bill[:4],
                bill[4],
                "Kitchen & Co",
            ]
        )
    write_csv(out / "shopify_orders_export.csv", header, rows, line_end="\n")
    return [
        dict(
            file="shopify_orders_export.csv",
            recipe="segment_studio",
            rows=len(rows),
            shape="Shopify orders export: one row per line item, order fields (Total, Billing...) "
            "only on each order's first row, 'Created at' with a UTC offset",
            interpretations={
                "Created at": {"type": "datetime"},
                "Total": {"type": "decimal", "decimal": "."},
            },
            mapping={"customer": ["Email"], "date": ["Created at"]},
            **segment_expect(lines),
        )
    ]


def woocommerce_csv(out):
    rng = rng_for(202)
    names = people(rng, 40)
    emails = [email_of(n, rng.choice(["gmail.com", "yahoo.co.uk", "icloud.com"])) for n in names]
    lines = make_lines(rng, 110, emails, **H1, first_order=4120)
    header = [
        "Order ID",
        "Order Date",
        "Order Status",
        "Billing First Name",
        "Billing Last Name",
        "Billing Email",
        "Billing Country",
        "Payment Method",
        "Product Name",
        "SKU",
        "Quantity",
        "Item Cost",
        "Order Currency",
    ]
    rows = []
    for x in lines:
        first, last = names[emails.index(x.customer)].split(" ", 1)
        rows.append(
            [
                x.order,
                x.when.strftime("%Y-%m-%d %H:%M"),
                "completed",
                first,
                last,
                x.customer,
                "GB",
                rng.choice(["PayPal", "Credit Card (Stripe)"]),
                x.product,
                f"WC-{len(x.product):02d}{x.product[:3].upper()}",
                x.qty,
                f"{x.price:.2f}",
                "GBP",
            ]
        )
    write_csv(out / "woocommerce_orders.csv", header, rows)
    return [
        dict(
            file="woocommerce_orders.csv",
            recipe="segment_studio",
            rows=len(rows),
            shape="WooCommerce order export: one row per product, order fields repeated, "
            "Quantity and Item Cost but no line total",
            interpretations={
                "Order Date": {"type": "datetime", "format": "%Y-%m-%d %H:%M"},
                "Item Cost": {"type": "decimal"},
            },
            mapping={"customer": ["Billing Email"], "date": ["Order Date"]},
            **segment_expect(lines),
        )
    ]


def stripe_csv(out):
    rng = rng_for(203)
    names = people(rng, 60)
    custs = {n: (f"cus_{token(rng, 14)}", email_of(n, "example.org")) for n in names}
    charges = []
    for i in range(180):
        n = rng.choice(names)
        when = dt.datetime(2024, 1, 1, 8) + dt.timedelta(minutes=rng.randint(0, 170 * 24 * 60))
        amount = rng.choice([19.0, 49.0, 99.0, 249.0, 12.5, 75.0])
        charges.append(
            Line(f"ch_{token(rng, 24)}", custs[n][1], when, "plan", 1, amount, {"name": n, "i": i})
        )
    charges.sort(key=lambda c: c.when, reverse=True)  # Stripe lists newest first
    header = [
        "id",
        "Description",
        "Created (UTC)",
        "Amount",
        "Amount Refunded",
        "Currency",
        "Converted Amount",
        "Converted Amount Refunded",
        "Fee",
        "Tax",
        "Converted Currency",
        "Mode",
        "Status",
        "Statement Descriptor",
        "Customer ID",
        "Customer Description",
        "Customer Email",
        "Captured",
        "Card ID",
        "Card Last4",
        "Card Brand",
        "Card Funding",
        "Card Exp Month",
        "Card Exp Year",
        "Card Name",
        "Card Address Country",
        "Invoice ID",
    ]
    rows = []
    for c in charges:
        n = c.extra["name"]
        fee = round(c.price * 0.029 + 0.30, 2)
        rows.append(
            [
                c.order,
                rng.choice(["Subscription update", "Payment for Invoice"]),
                c.when.strftime("%Y-%m-%d %H:%M:%S"),
                f"{c.price:.2f}",
                "0.00",
                "usd",
                f"{c.price:.2f}",
                "0.00",
                f"{fee:.2f}",
                "0.00",
                "usd",
                "Live",
                "Paid",
                "BRIGHTWAVE",
                custs[n][0],
                n,
                custs[n][1],
                "true",
                f"card_{token(rng, 24)}",
                f"{rng.randint(0, 9999):04d}",
                rng.choice(["Visa", "MasterCard", "Amex"]),
                "credit",
                rng.randint(1, 12),
                rng.randint(2025, 2030),
                n,
                rng.choice(["US", "CA", "GB"]),
                f"in_{token(rng, 24)}",
            ]
        )
    write_csv(out / "stripe_payments.csv", header, rows, line_end="\n")
    return [
        dict(
            file="stripe_payments.csv",
            recipe="segment_studio",
            rows=len(rows),
            shape="Stripe Payments export (unified payments columns, Created (UTC), customer id / "
            "e-mail / description, Fee and card expiry numbers beside the amount)",
            interpretations={
                "Created (UTC)": {"type": "datetime", "format": "%Y-%m-%d %H:%M:%S"},
                "Amount": {"type": "decimal"},
            },
            mapping={
                "customer": ["Customer ID", "Customer Email", "Customer Description"],
                "date": ["Created (UTC)"],
                "amount": ["Amount", "Converted Amount"],
            },
            **segment_expect(charges),
        )
    ]


def paypal_de_csv(out):
    rng = rng_for(204)
    names = people(rng, 50)
    mails = {n: email_of(n, rng.choice(["gmx.de", "t-online.de"])) for n in names}
    lines = []
    for _ in range(150):
        n = rng.choice(names)
        when = dt.datetime(2024, 1, 2, 8) + dt.timedelta(minutes=rng.randint(0, 175 * 24 * 60))
        price = round(rng.uniform(8, 1_900), 2)
        lines.append(
            Line(
                f"{token(rng, 17, '0123456789ABCDEFGHJKLMNPRSTUVWXY')}",
                mails[n],
                when,
                "x",
                1,
                price,
                {"name": n},
            )
        )
    lines.sort(key=lambda x: x.when)
    header = [
        "Datum",
        "Uhrzeit",
        "Zeitzone",
        "Name",
        "Typ",
        "Status",
        "Währung",
        "Brutto",
        "Gebühr",
        "Netto",
        "Absender E-Mail-Adresse",
        "Empfänger E-Mail-Adresse",
        "Transaktionscode",
        "Artikelbezeichnung",
        "Rechnungsnummer",
        "Guthaben",
    ]
    rows, balance = [], 1_000.0
    for x in lines:
        fee = -round(x.price * 0.0249 + 0.35, 2)
        balance = round(balance + x.price + fee, 2)
        rows.append(
            [
                x.when.strftime("%d.%m.%Y"),
                x.when.strftime("%H:%M:%S"),
                "MEZ",
                x.extra["name"],
                rng.choice(["Website-Zahlung", "Express-Checkout-Zahlung"]),
                "Abgeschlossen",
                "EUR",
                num_de(x.price),
                num_de(fee),
                num_de(x.price + fee),
                x.customer,
                "shop@kaffeerei.de",
                x.order,
                rng.choice(["Bestellung Kaffeerei", "Geschenkkarte"]),
                f"KR-{rng.randint(10000, 99999)}",
                num_de(balance),
            ]
        )
    write_csv(out / "paypal_aktivitaet_de.csv", header, rows, quote_all=True, bom=True)
    return [
        dict(
            file="paypal_aktivitaet_de.csv",
            recipe="segment_studio",
            rows=len(rows),
            shape="PayPal activity download, German account: comma-separated, every field quoted, "
            "decimal commas inside quotes ('1.234,56'), dd.mm.yyyy, running balance",
            interpretations={
                "Brutto": {"type": "decimal", "decimal": ",", "thousands": "."},
                "Datum": {"type": "date", "format": "%d.%m.%Y"},
            },
            mapping={
                "customer": ["Absender E-Mail-Adresse", "Name"],
                "date": ["Datum"],
                "amount": ["Brutto"],
            },
            **segment_expect(lines),
        )
    ]


def invoice_lines_xlsx(out):
    rng = rng_for(205)
    custs = companies(rng, 25, ("Ltd", "plc"))
    lines = make_lines(
        rng,
        90,
        custs,
        start=dt.date(2023, 1, 3),
        end=dt.date(2023, 12, 22),
        first_order=23_001,
        max_lines=5,
        order_fmt="INV-{}",
    )
    body = [[x.order, x.when.date(), x.customer, x.product, x.qty, x.price, x.total] for x in lines]
    qty = sum(x.qty for x in lines)
    revenue = round(sum(x.total for x in lines), 2)
    by_cust: dict[str, float] = {}
    for x in lines:
        by_cust[x.customer] = round(by_cust.get(x.customer, 0) + x.total, 2)
    sheets = [
        {
            "title": "Cover",
            "top": [],
            "header": ["Northwind Trading Ltd — sales pack 2023"],
            "body": [["Prepared by finance"], ["Confidential"]],
        },
        {
            "title": "Invoice lines",
            "top": [
                ["Northwind Trading Ltd"],
                ["Invoice lines, January – December 2023"],
                ["Printed 08/01/2024"],
                [],
            ],
            "header": [
                "Invoice No",
                "Invoice Date",
                "Customer",
                "Item",
                "Qty",
                "Unit Price",
                "Line Total",
            ],
            "body": body,
            "bottom": [[], ["Total", None, None, None, qty, None, revenue]],
            "formats": {2: "dd/mm/yyyy", 6: "#,##0.00", 7: "#,##0.00"},
        },
        {
            "title": "By customer",
            "top": [],
            "header": ["Customer", "Revenue"],
            "body": [[c, v] for c, v in sorted(by_cust.items())],
        },
    ]
    write_xlsx(out / "invoice_lines_report.xlsx", sheets)
    return [
        dict(
            file="invoice_lines_report.xlsx",
            recipe="segment_studio",
            rows=len(body),
            sheet="Invoice lines",
            shape="ERP invoice-line report in Excel: a cover sheet first, the lines sheet with "
            "title rows and a 'Total' footer, a per-customer summary sheet",
            interpretations={"Invoice Date": {"type": "date"}, "Line Total": {"type": "decimal"}},
            mapping={"customer": ["Customer"], "date": ["Invoice Date"], "amount": ["Line Total"]},
            **segment_expect(lines),
        )
    ]


def second_table_csv(out):
    rng = rng_for(206)
    names = people(rng, 35)
    emails = [email_of(n, "mail.com") for n in names]
    lines = make_lines(rng, 80, emails, **H1, first_order=70_001, max_lines=4)
    header = [
        "order_id",
        "order_date",
        "customer_email",
        "product",
        "quantity",
        "unit_price",
        "line_total",
    ]
    rows = [
        [
            x.order,
            x.when.date().isoformat(),
            x.customer,
            x.product,
            x.qty,
            f"{x.price:.2f}",
            f"{x.total:.2f}",
        ]
        for x in lines
    ]
    by_product: dict[str, list] = {}
    for x in lines:
        s = by_product.setdefault(x.product, [set(), 0, 0.0])
        s[0].add(x.order)
        s[1] += x.qty
        s[2] += x.total
    summary = [[p, len(s[0]), s[1], f"{s[2]:.2f}"] for p, s in sorted(by_product.items())]
    after = "\r\n" + csv_text(
        [["Summary by product"], ["product", "orders", "units", "revenue"], *summary]
    )
    write_csv(out / "order_lines_with_summary.csv", header, rows, after=after)
    first_extra = len(rows) + 3  # header is line 1, then rows, a blank line, then this
    return [
        dict(
            file="order_lines_with_summary.csv",
            recipe="segment_studio",
            rows=len(rows),
            shape="Order lines with a second table ('Summary by product') pasted below after a "
            "blank line",
            note_lines=list(range(first_extra, first_extra + 2 + len(summary))),
            interpretations={"order_date": {"type": "date", "format": "%Y-%m-%d"}},
            mapping={
                "customer": ["customer_email"],
                "date": ["order_date"],
                "amount": ["line_total"],
            },
            **segment_expect(lines),
        )
    ]


def online_retail_csv(out):
    rng = rng_for(207)
    custs = [str(12_346 + 37 * i) for i in range(40)]
    lines = make_lines(
        rng,
        95,
        custs,
        start=dt.date(2010, 12, 1),
        end=dt.date(2011, 3, 30),
        first_order=536_365,
        max_lines=5,
    )
    guests = {x.order for x in lines if int(x.order) % 11 == 0}  # no customer id (guest)
    for x in lines:
        if x.order in guests:
            x.customer = None
    header = [
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
    ]
    rows = [
        [
            x.order,
            f"{85_000 + 7 * len(x.product)}{x.product[0]}",
            x.product.upper(),
            x.qty,
            x.when.strftime("%d-%m-%Y %H:%M"),
            f"{x.price:.2f}",
            x.customer or "",
            "United Kingdom",
        ]
        for x in lines
    ]
    write_csv(out / "online_retail_lines.csv", header, rows, line_end="\n")
    return [
        dict(
            file="online_retail_lines.csv",
            recipe="segment_studio",
            rows=len(rows),
            shape="Online-Retail style invoice lines: InvoiceNo, Quantity, UnitPrice (no line "
            "total), day-first datetimes '01-12-2010 08:26', numeric CustomerID with gaps",
            interpretations={
                "InvoiceDate": {"type": "datetime", "format": "%d-%m-%Y %H:%M"},
                "UnitPrice": {"type": "decimal"},
            },
            mapping={"customer": ["CustomerID"], "date": ["InvoiceDate"]},
            **segment_expect(lines),
        )
    ]


def french_orders_csv(out):
    rng = rng_for(208)
    names = people(rng, 38)
    lines = make_lines(rng, 100, names, **H1, first_order=10_450, max_lines=3)
    header = [
        "N° commande",
        "Date de commande",
        "Client",
        "E-mail",
        "Produit",
        "Quantité",
        "Prix unitaire",
        "Montant TTC",
    ]
    rows = [
        [
            x.order,
            x.when.strftime("%d/%m/%Y %H:%M"),
            x.customer,
            email_of(x.customer, "orange.fr"),
            x.product,
            x.qty,
            f"{num_fr(x.price)} €",
            f"{num_fr(x.total)} €",
        ]
        for x in lines
    ]
    write_csv(out / "commandes_fr.csv", header, rows, delimiter=";", encoding="cp1252")
    return [
        dict(
            file="commandes_fr.csv",
            recipe="segment_studio",
            currency="EUR",
            rows=len(rows),
            shape="French shop export in Windows-1252: ';', '12,50 €', dd/mm/yyyy HH:MM, "
            "one row per product",
            interpretations={
                "Montant TTC": {"type": "decimal", "decimal": ",", "currency": "EUR"},
                "Date de commande": {"type": "datetime", "format": "%d/%m/%Y %H:%M"},
            },
            mapping={
                "customer": ["Client", "E-mail"],
                "date": ["Date de commande"],
                "amount": ["Montant TTC"],
            },
            **segment_expect(lines),
        )
    ]


def dutch_orders_csv(out):
    rng = rng_for(209)
    names = people(rng, 30)
    numbers = {n: f"K{1000 + i}" for i, n in enumerate(names)}
    lines = make_lines(rng, 85, names, **H1, first_order=2024_0001, max_lines=4)
    header = [
        "Bestelnummer",
        "Besteldatum",
        "Klantnummer",
        "Klantnaam",
        "Artikel",
        "Aantal",
        "Stukprijs",
    ]
    rows = [
        [
            x.order,
            f"{x.when.day}-{x.when.month}-{x.when.year}",
            numbers[x.customer],
            x.customer,
            x.product,
            x.qty,
            f"€ {num_de(x.price)}",
        ]
        for x in lines
    ]
    write_csv(out / "bestellingen_nl.csv", header, rows, delimiter=";")
    return [
        dict(
            file="bestellingen_nl.csv",
            recipe="segment_studio",
            currency="EUR",
            rows=len(rows),
            shape="Dutch web-shop export: ';', unpadded day-first dates '3-2-2024', "
            "'€ 12,50' unit prices, Aantal but no line total",
            interpretations={
                "Besteldatum": {"type": "date", "format": "%d-%m-%Y"},
                "Stukprijs": {"type": "decimal", "decimal": ",", "currency": "EUR"},
            },
            mapping={"customer": ["Klantnummer", "Klantnaam"], "date": ["Besteldatum"]},
            **segment_expect(lines),
        )
    ]


CASES = [
    shopify_csv,
    woocommerce_csv,
    stripe_csv,
    paypal_de_csv,
    invoice_lines_xlsx,
    second_table_csv,
    online_retail_csv,
    french_orders_csv,
    dutch_orders_csv,
]
