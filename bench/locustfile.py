"""Locust users for ``bench/load.py`` (run by it headless; not meant to be started by hand).

Four kinds of people use the portal: anonymous visitors, consenting prospects who try a
product on a small CSV, buyers who ask for a quote and check out on invoice, and sellers who
work the pipeline. Forms are read from the pages (CSRF tokens, hidden fields, defaults) and
submitted as a browser would. Requests are grouped by page (``/products/[slug]``) so the
benchmark can print one line per page. ``BENCH_BUYERS`` names the buyer accounts
(``email,email,…``), ``BENCH_PASSWORD`` their password, ``BENCH_TARGET`` the path the
throughput users hammer.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import time
import uuid

from html_forms import actions, form
from locust import HttpUser, between, constant, events, task

PRODUCTS = ("pipeline-lens", "data-doctor", "demand-radar", "segment-studio")
SEARCHES = ("forecast", "pipeline", "data quality", "churn", "segment", "revenue")
TRIAL_PRODUCT = "data-doctor"
RUN_TIMEOUT = float(os.environ.get("BENCH_RUN_TIMEOUT", "90"))
BUYERS = itertools.cycle([e for e in os.environ.get("BENCH_BUYERS", "").split(",") if e])
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
SELLER = os.environ.get("BENCH_SELLER", "seller@northwind.example")
SELLER_PASSWORD = os.environ.get("BENCH_SELLER_PASSWORD", "testdrive-demo-2026")


def small_csv() -> bytes:
    rows = ["order_id,created,region,amount,status"]
    for n in range(1, 201):
        region, status = ("North", "South", "East")[n % 3], ("won", "lost", "open")[n % 3]
        day = f"2026-0{1 + n % 9}-{1 + n % 28:02d}"
        rows.append(f"{n},{day},{region},{(n * 37) % 1000}.{n % 100:02d},{status}")
    return ("\n".join(rows) + "\n").encode()


CSV = small_csv()


class Portal(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def page(self, path: str, name: str | None = None, **kwargs):
        return self.client.get(path, name=name or path, **kwargs)

    def post_form(self, page, action: str, name: str, overrides=None, **kwargs):
        found = form(page.text, action, page.url)
        if found is None:
            self.fail(name, f"no form {action}")
            return None
        data = dict(found["fields"], **(overrides or {}))
        return self.client.post(found["action"], data=data, name=name, **kwargs)

    def fail(self, name: str, message: str) -> None:
        events.request.fire(
            request_type="FLOW",
            name=name,
            response_time=0,
            response_length=0,
            exception=RuntimeError(message),
            context={},
        )

    def login(self, email: str, password: str) -> None:
        login = self.page("/login")
        self.post_form(login, "/login", "POST /login", {"email": email, "password": password})


class Visitor(Portal):
    """Anonymous: home, catalog, product pages, comparisons, search."""

    weight = 5

    @task(2)
    def home(self):
        self.page("/")

    @task(3)
    def catalog(self):
        self.page("/products")

    @task(5)
    def product(self):
        self.page(f"/products/{random.choice(PRODUCTS)}", "/products/[slug]")

    @task(1)
    def compare(self):
        pair = ",".join(random.sample(PRODUCTS, 2))
        self.page(f"/compare?p={pair}", "/compare?p=[a],[b]")

    @task(2)
    def search(self):
        self.page(f"/search?q={random.choice(SEARCHES)}", "/search?q=[q]")


class Prospect(Portal):
    """Accepts tracking, browses, uploads a small CSV, runs the demo and polls its result."""

    weight = 2

    def on_start(self):
        home = self.page("/")
        done = self.post_form(home, "/consent", "POST /consent", {"choice": "accept"})
        if done is None or "td_vid" not in self.client.cookies:
            # No banner (already decided): the cookies a consenting browser has.
            self.client.cookies.set("td_consent", "accept")
            self.client.cookies.set("td_vid", "bench-" + uuid.uuid4().hex[:16])

    @task(3)
    def browse(self):
        self.page(f"/products/{random.choice(PRODUCTS)}", "/products/[slug]")
        self.page(f"/compare?p={','.join(PRODUCTS[:3])}", "/compare?p=[a],[b]")

    @task(1)
    def trial(self):
        started = time.perf_counter()
        page = self.page(f"/try/{TRIAL_PRODUCT}", "/try/[slug]")
        upload = form(page.text, "/upload", page.url)
        if upload is None:
            self.fail("trial (end to end)", "no upload form")
            return
        with self.client.post(
            upload["action"],
            data=upload["fields"],
            files={"file": ("orders.csv", CSV, "text/csv")},
            name="POST /try/[slug]/upload",
            catch_response=True,
        ) as response:
            if response.status_code >= 400:
                response.failure(f"upload {response.status_code}")
                return
        run = self.post_form(response, r"/run", "POST /try/[slug]/datasets/[id]/run")
        if run is None or run.status_code >= 400 or "/try/runs/" not in run.url:
            self.fail("trial (end to end)", f"run not started ({getattr(run, 'status_code', '')})")
            return
        run_id = run.url.rstrip("/").rsplit("/", 1)[-1]
        state = "queued"
        while time.perf_counter() - started < RUN_TIMEOUT:
            time.sleep(1)
            status = self.page(f"/try/runs/{run_id}/status", "/try/runs/[id]/status")
            if status.status_code == 200 and status.json().get("done"):
                state = status.json()["state"]
                break
        self.page(f"/try/runs/{run_id}", "/try/runs/[id]")
        events.request.fire(
            request_type="FLOW",
            name="trial (end to end)",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None if state == "succeeded" else RuntimeError(f"run {state}"),
            context={},
        )


class Buyer(Portal):
    """Signs in, fills the cart, asks for a quote, checks out on invoice."""

    weight = 2

    def on_start(self):
        self.login(next(BUYERS), PASSWORD)
        # A bench buyer's cart may still hold plans from an earlier stage: read it, as a
        # person would see it, instead of adding a plan again (one of each is allowed).
        cart = self.page("/cart")
        found = (re.search(r"/cart/items/(\d+)(/[a-z]+)?$", a) for a in actions(cart.text))
        self.in_cart: set[str] = {m.group(1) for m in found if m}

    def add_to_cart(self) -> None:
        """Add a product's first plan, unless it is already in the cart (plans allow one)."""
        page = self.page(f"/products/{random.choice(PRODUCTS)}", "/products/[slug]")
        found = form(page.text, "/cart/items", page.url)
        if found is None:
            self.fail("POST /cart/items", "no add-to-cart form")
        elif found["fields"].get("plan_id") not in self.in_cart:
            self.client.post(found["action"], data=found["fields"], name="POST /cart/items")
            self.in_cart.add(found["fields"].get("plan_id"))

    @task(2)
    def cart(self):
        self.add_to_cart()
        self.page("/cart")

    @task(1)
    def quote(self):
        self.add_to_cart()
        new = self.page("/quotes/new")
        if new.url.endswith("/quotes/new"):
            self.post_form(new, "/quotes/new", "POST /quotes/new", self.billing())

    @task(1)
    def checkout(self):
        started = time.perf_counter()
        self.add_to_cart()
        checkout = self.page("/checkout")
        fields = dict(self.billing(), payment_method="invoice")
        review = self.post_form(checkout, "/checkout", "POST /checkout (review)", fields)
        if review is None or review.status_code != 200:
            return
        placed = self.post_form(review, "/checkout", "POST /checkout (place)", {"place": "1"})
        ok = placed is not None and placed.status_code == 200 and "/orders/" in placed.url
        if ok:
            self.in_cart.clear()
        events.request.fire(
            request_type="FLOW",
            name="checkout (end to end)",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None if ok else RuntimeError("order not placed"),
            context={},
        )

    @staticmethod
    def billing() -> dict:
        return {
            "buyer_type": "business",
            "legal_name": "Bench Buyer GmbH",
            "address": "Benchstrasse 1\n20095 Hamburg",
            "country": "DE",
            "tax_id": "",
        }


class Seller(Portal):
    """The seller's day: the board, a deal, analytics."""

    weight = 1

    def on_start(self):
        self.login(SELLER, SELLER_PASSWORD)
        self.deals: list[str] = []

    @task(3)
    def board(self):
        board = self.page("/seller/pipeline")
        self.deals = re.findall(r"/seller/deals/(\d+)\"", board.text)[:50] or self.deals

    @task(2)
    def deal(self):
        if self.deals:
            self.page(f"/seller/deals/{random.choice(self.deals)}", "/seller/deals/[id]")

    @task(1)
    def analytics(self):
        self.page("/seller/analytics")


class Throughput(HttpUser):
    """No think time: one path as fast as the server answers (the baseline comparison)."""

    wait_time = constant(0)

    @task
    def hammer(self):
        self.client.get(os.environ.get("BENCH_TARGET", "/bench/bare"), name="target")
