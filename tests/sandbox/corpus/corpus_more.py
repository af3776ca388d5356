"""More order exports for Segment Studio: Square POS item lines ('$' amounts, walk-in sales
without a customer), Xero invoice lines (asterisk headers, the invoice Total repeated on
every line) and a multi-currency Stripe export (only 'Converted Amount' can be summed)."""

from __future__ import annotations

import datetime as dt

from corpus_common import (
    Line,
    companies,
    demand_expect,
    email_of,
    make_lines,
    num_de,
    people,
    rng_for,
    segment_expect,
    token,
)
from corpus_io import write_csv, write_xlsx

H1 = dict(start=dt.date(2024, 1, 2), end=dt.date(2024, 6, 27))


def square_items(out):
    rng = rng_for(501)
    names = people(rng, 35)
    ids = {n: token(rng, 26, "ABCDEFGHJKMNPQRSTVWXYZ0123456789") for n in names}
    lines = make_lines(rng, 140, names, **H1, first_order=1, max_lines=4)
    tx: dict[str, str] = {}
    for x in lines:
        if int(x.order) % 5 == 0:
            x.customer = None  # a walk-in sale: no customer on file
        x.order = tx.setdefault(x.order, token(rng, 22))
    header = [
        "Date",
        "Time",
        "Time Zone",
        "Category",
        "Item",
        "Qty",
        "Price Point Name",
        "SKU",
        "Modifiers Applied",
        "Gross Sales",
        "Discounts",
        "Net Sales",
        "Tax",
        "Transaction ID",
        "Payment ID",
        "Device Name",
        "Notes",
        "Details",
        "Event Type",
        "Location",
        "Dining Option",
        "Customer ID",
        "Customer Name",
        "Customer Reference ID",
    ]
    rows = []
    for x in lines:
        gross = x.total
        rows.append(
            [
                x.when.strftime("%Y-%m-%d"),
                x.when.strftime("%H:%M:%S"),
                "Eastern Time (US & Canada)",
                "Kitchen",
                x.product,
                x.qty,
                "Regular",
                "",
                "",
                f"${gross:,.2f}",
                "$0.00",
                f"${gross:,.2f}",
                f"${gross * 0.0875:,.2f}",
                x.order,
                token(rng, 22),
                "Counter 1",
                "",
                "https://squareup.com/dashboard/sales/transactions/" + x.order,
                "Payment",
                "Main Street",
                "",
                ids.get(x.customer, ""),
                x.customer or "",
                "",
            ]
        )
    write_csv(out / "square_item_sales.csv", header, rows)
    return [
        dict(
            file="square_item_sales.csv",
            recipe="segment_studio",
            currency="USD",
            rows=len(rows),
            shape="Square POS 'Items' export: one row per item, '$1,234.50' Gross/Net Sales, "
            "Transaction ID per sale, walk-in sales without Customer ID",
            interpretations={
                "Net Sales": {"type": "decimal", "currency": "USD"},
                "Date": {"type": "date", "format": "%Y-%m-%d"},
            },
            mapping={
                "customer": ["Customer ID", "Customer Name"],
                "date": ["Date"],
                "amount": ["Net Sales", "Gross Sales"],
            },
            **segment_expect(lines),
        )
    ]


def xero_invoices(out):
    rng = rng_for(502)
    custs = companies(rng, 22, ("Ltd", "Pty Ltd"))
    lines = make_lines(
        rng,
        95,
        custs,
        start=dt.date(2023, 7, 3),
        end=dt.date(2024, 6, 20),
        first_order=1,
        max_lines=4,
        order_fmt="INV-{:04d}",
    )
    totals: dict[str, float] = {}
    for x in lines:
        totals[x.order] = round(totals.get(x.order, 0) + x.total, 2)
    header = [
        "*ContactName",
        "EmailAddress",
        "POAddressLine1",
        "POCity",
        "POCountry",
        "*InvoiceNumber",
        "Reference",
        "*InvoiceDate",
        "*DueDate",
        "Total",
        "InventoryItemCode",
        "*Description",
        "*Quantity",
        "*UnitAmount",
        "Discount",
        "*AccountCode",
        "*TaxType",
        "TaxAmount",
        "Currency",
    ]
    rows = []
    for x in lines:
        due = x.when.date() + dt.timedelta(days=30)
        rows.append(
            [
                x.customer,
                email_of(x.customer.replace(".", ""), "example.com"),
                "1 Market Street",
                "Leeds",
                "United Kingdom",
                x.order,
                f"PO {x.order[4:]}",
                x.when.strftime("%d/%m/%Y"),
                due.strftime("%d/%m/%Y"),
                f"{totals[x.order]:.2f}",
                "",
                x.product,
                f"{x.qty:.4f}",
                f"{x.price:.4f}",
                "",
                "200",
                "No VAT",
                "0.00",
                "GBP",
            ]
        )
    write_csv(out / "xero_sales_invoices.csv", header, rows)
    return [
        dict(
            file="xero_sales_invoices.csv",
            recipe="segment_studio",
            rows=len(rows),
            shape="Xero sales-invoice export: '*' in required headers, dd/mm/yyyy, one row per "
            "line with the invoice Total repeated on every line (summing it over lines "
            "counts an invoice once per line), Quantity/UnitAmount with 4 decimals",
            interpretations={
                "*InvoiceDate": {"type": "date", "format": "%d/%m/%Y"},
                "*Quantity": {"type": ["decimal", "integer"]},
            },
            mapping={"customer": ["*ContactName", "EmailAddress"], "date": ["*InvoiceDate"]},
            **segment_expect(lines),
        )
    ]


def stripe_multicurrency(out):
    rng = rng_for(503)
    names = people(rng, 50)
    rates = {"usd": 1.0, "eur": 1.0841, "gbp": 1.2695}
    custs = {
        n: (f"cus_{token(rng, 14)}", email_of(n, "example.net"), rng.choice(list(rates)))
        for n in names
    }
    charges, raw = [], {}
    for _ in range(160):
        n = rng.choice(names)
        when = dt.datetime(2024, 2, 1, 8) + dt.timedelta(minutes=rng.randint(0, 140 * 24 * 60))
        amount = rng.choice([19.0, 49.0, 99.0, 249.0])
        cur = custs[n][2]
        usd = round(amount * rates[cur], 2)
        c = Line(f"ch_{token(rng, 24)}", custs[n][0], when, "plan", 1, usd)
        raw[c.order] = (amount, cur, n)
        charges.append(c)
    charges.sort(key=lambda c: c.when, reverse=True)
    header = [
        "id",
        "Created (UTC)",
        "Amount",
        "Amount Refunded",
        "Currency",
        "Converted Amount",
        "Converted Amount Refunded",
        "Fee",
        "Converted Currency",
        "Status",
        "Customer ID",
        "Customer Email",
        "Description",
    ]
    rows = []
    for c in charges:
        amount, cur, n = raw[c.order]
        rows.append(
            [
                c.order,
                c.when.strftime("%Y-%m-%d %H:%M:%S"),
                f"{amount:.2f}",
                "0.00",
                cur,
                f"{c.price:.2f}",
                "0.00",
                f"{c.price * 0.029 + 0.3:.2f}",
                "usd",
                "Paid",
                c.customer,
                custs[n][1],
                "Subscription update",
            ]
        )
    write_csv(out / "stripe_payments_multicurrency.csv", header, rows, line_end="\n")
    return [
        dict(
            file="stripe_payments_multicurrency.csv",
            recipe="segment_studio",
            rows=len(rows),
            shape="Stripe payments in usd, eur and gbp: 'Amount' is in each charge's own "
            "currency, only 'Converted Amount' (usd) can be added up",
            mapping={
                "customer": ["Customer ID", "Customer Email"],
                "date": ["Created (UTC)"],
                "amount": ["Converted Amount"],
            },
            **segment_expect(charges),
        )
    ]


def chargebee_invoices(out):
    rng = rng_for(504)
    names = people(rng, 45)
    ids = {
        n: f"{token(rng, 6, 'abcdefghijklmnopqrstuvwxyz')}{rng.randint(1000, 9999)}" for n in names
    }
    invoices = []
    for k in range(170):
        n = rng.choice(names)
        day = dt.datetime(2024, 1, 3, 9) + dt.timedelta(days=rng.randint(0, 175))
        when = day + dt.timedelta(minutes=rng.randint(0, 11 * 60))  # paid the same day
        invoices.append(
            Line(
                str(3100 + k),
                ids[n],
                when,
                "plan",
                1,
                rng.choice([29.0, 79.0, 149.0, 990.0]),
                {"name": n},
            )
        )
    invoices.sort(key=lambda x: x.when)
    header = [
        "Invoice Number",
        "Invoice Date",
        "Customer Id",
        "Customer Name",
        "Customer Email",
        "Subscription Id",
        "Status",
        "Currency",
        "Amount",
        "Amount Paid",
        "Amount Due",
        "Paid On",
        "Tax Total",
        "Billing Country",
    ]
    rows = []
    for x in invoices:
        n = x.extra["name"]
        paid = x.when + dt.timedelta(minutes=rng.randint(0, 90))
        month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"][x.when.month - 1]
        rows.append(
            [
                x.order,
                f"{x.when.day:02d}-{month}-{x.when.year} {x.when:%H:%M}",
                x.customer,
                n,
                email_of(n, "example.com"),
                f"sub_{token(rng, 10)}",
                "Paid",
                "USD",
                f"{x.price:.2f}",
                f"{x.price:.2f}",
                "0.00",
                paid.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "0.00",
                "US",
            ]
        )
    write_csv(out / "chargebee_invoices.csv", header, rows)
    return [
        dict(
            file="chargebee_invoices.csv",
            recipe="segment_studio",
            rows=len(rows),
            shape="Chargebee invoice export: '05-Mar-2024 14:22' invoice dates, ISO 'Paid On' "
            "timestamps with T and Z, Amount / Amount Paid / Amount Due",
            interpretations={
                "Invoice Date": {"type": "datetime", "format": "%d-%b-%Y %H:%M"},
                "Paid On": {"type": "datetime"},
            },
            mapping={
                "customer": ["Customer Id", "Customer Email", "Customer Name"],
                "date": ["Invoice Date", "Paid On"],
                "amount": ["Amount", "Amount Paid"],
            },
            **segment_expect(invoices),
        )
    ]


def german_text_xlsx(out):
    """A German ERP export to Excel where dates and amounts are text cells."""
    rng = rng_for(505)
    first = dt.date(2021, 1, 4)
    points, body = [], []
    for k in range(260):
        day = first + dt.timedelta(days=int(k * 3.1))
        v = round(rng.uniform(200, 15_000), 2)
        points.append((day, v))
        body.append(
            [
                f"RE-{2021_0000 + k}",
                day.strftime("%d.%m.%Y"),
                f"Kunde {rng.randint(1, 40)}",
                num_de(v),
                "EUR",
            ]
        )
    sheets = [
        {
            "title": "Info",
            "top": [],
            "header": ["Export aus WaWi 5.2"],
            "body": [["Mandant 001"], ["Erstellt am 03.01.2024"]],
        },
        {
            "title": "Umsatzliste",
            "top": [["Umsatzliste 2021–2023"], ["Alle Filialen"], []],
            "header": ["Belegnummer", "Belegdatum", "Kunde", "Umsatz netto", "Währung"],
            "body": body,
            "bottom": [[], ["Summe", None, None, num_de(round(sum(v for _, v in points), 2))]],
        },
    ]
    write_xlsx(out / "umsatzliste_text_zellen.xlsx", sheets)
    return [
        dict(
            file="umsatzliste_text_zellen.xlsx",
            recipe="demand_radar",
            rows=len(body),
            sheet="Umsatzliste",
            shape="German ERP Excel export whose dates ('04.01.2021') and amounts ('1.234,56') are "
            "text cells, title rows, a 'Summe' footer, an info sheet first",
            interpretations={
                "Belegdatum": {"type": "date", "format": "%d.%m.%Y"},
                "Umsatz netto": {"type": "decimal", "decimal": ",", "thousands": "."},
            },
            mapping={"date": ["Belegdatum"], "value": ["Umsatz netto"]},
            **demand_expect(points),
        )
    ]


def spanish_excel_orders(out):
    """Saved from Excel: empty columns after the table and empty ';;;' lines at the end."""
    rng = rng_for(506)
    names = people(rng, 30)
    lines = make_lines(rng, 80, names, **H1, first_order=5_001, max_lines=3)
    header = [
        "Pedido",
        "Fecha",
        "Cliente",
        "Producto",
        "Cantidad",
        "Precio unitario",
        "Importe",
        "",
        "",
        "",
    ]
    rows = [
        [
            x.order,
            x.when.strftime("%d/%m/%Y"),
            x.customer,
            x.product,
            x.qty,
            f"{num_de(x.price)} €",
            f"{num_de(x.total)} €",
            "",
            "",
            "",
        ]
        for x in lines
    ]
    write_csv(out / "pedidos_excel_es.csv", header, rows, delimiter=";", after=";;;;;;;;;\r\n" * 5)
    return [
        dict(
            file="pedidos_excel_es.csv",
            recipe="segment_studio",
            currency="EUR",
            rows=len(rows),
            shape="Spanish order lines saved from Excel: three empty unnamed columns after the "
            "table, five ';;;;;;;;;' lines at the end, '1.234,56 €', dd/mm/yyyy",
            interpretations={
                "Fecha": {"type": "date", "format": "%d/%m/%Y"},
                "Importe": {"type": "decimal", "decimal": ",", "currency": "EUR"},
            },
            mapping={"customer": ["Cliente"], "date": ["Fecha"], "amount": ["Importe"]},
            **segment_expect(lines),
        )
    ]


def us_short_dates(out):
    """Excel's US default short date: m/d/yy."""
    rng = rng_for(507)
    reps, regions = people(rng, 6), ["East", "Central", "West"]
    items = ["Pencil", "Binder", "Pen", "Desk", "Pen Set"]
    points, rows = [], []
    day = dt.date(2022, 1, 6)
    while day <= dt.date(2024, 12, 20):
        units = rng.randint(2, 95)
        points.append((day, float(units)))
        rows.append(
            [
                f"{day.month}/{day.day}/{day:%y}",
                rng.choice(regions),
                rng.choice(reps),
                rng.choice(items),
                units,
            ]
        )
        day += dt.timedelta(days=rng.randint(2, 6))
    write_csv(out / "office_supplies_us.csv", ["OrderDate", "Region", "Rep", "Item", "Units"], rows)
    return [
        dict(
            file="office_supplies_us.csv",
            recipe="demand_radar",
            rows=len(rows),
            shape="Excel US sample-style sales list with m/d/yy dates ('1/23/22'), three years",
            interpretations={"OrderDate": {"type": "date", "format": "%m/%d/%y"}},
            mapping={"date": ["OrderDate"], "value": ["Units"]},
            **demand_expect(points),
        )
    ]


CASES = [
    square_items,
    xero_invoices,
    stripe_multicurrency,
    chargebee_invoices,
    german_text_xlsx,
    spanish_excel_orders,
    us_short_dates,
]
