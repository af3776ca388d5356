"""Smoke test only: the load benchmark's command line answers --help without starting
anything (the benchmark itself is run by hand: ``.venv/bin/python bench/load.py``)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_load_benchmark_help():
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout and "--fault-users" in done.stdout


def test_product_benchmark_help():
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "product_bench.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "--rounds" in done.stdout and "--no-cache" in done.stdout


def test_locustfile_reads_forms_as_a_browser_sends_them():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from html_forms import form
    finally:
        sys.path.remove(str(ROOT / "bench"))
    html = """<form action="/checkout" method="post">
      <input type="hidden" name="csrf_token" value="tok">
      <input type="radio" name="buyer_type" value="business" checked>
      <input type="radio" name="buyer_type" value="consumer">
      <input type="radio" name="payment_method" value="card">
      <input type="checkbox" name="remember" value="y">
      <select name="country"><option value="">Choose</option><option value="DE" selected>DE
      </option></select><textarea name="address">Street 1</textarea>
      <button type="submit" name="place" value="1">Place</button></form>"""
    found = form(html, "/checkout")
    assert found["fields"] == {
        "csrf_token": "tok",
        "buyer_type": "business",
        "payment_method": "card",
        "country": "DE",
        "address": "Street 1",
    }
    assert found["buttons"] == [("place", "1")]
    assert form(html, "/cart/items") is None
