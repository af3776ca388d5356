"""The VIES gateway against a fake VIES on loopback (tests never reach the network), and the
checkout with the online check off (the default) and on."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from portal.commerce.vies_gateway import check_vat_id
from portal.models import Order
from tests.commerce.support import add, place, review, reviewed_fingerprint

FR_ID = "FR40303265045"


class FakeVies(BaseHTTPRequestHandler):
    """Answers like VIES's REST API: GET /ms/<CC>/vat/<number>."""

    answers: dict[str, dict | str] = {}
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        type(self).seen.append(self.path)
        answer = type(self).answers.get(self.path, {"isValid": False, "userError": "INVALID"})
        body = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_vies(app):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeVies)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeVies.answers, FakeVies.seen = {}, []
    app.config.update(
        VIES_ENABLED=True, VIES_URL=f"http://127.0.0.1:{server.server_port}", VIES_TIMEOUT=2
    )
    yield FakeVies
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize(
    ("answer", "registered", "name"),
    [
        ({"isValid": True, "userError": "VALID", "name": "ACME SAS"}, True, "ACME SAS"),
        ({"isValid": True, "userError": "VALID", "name": "---"}, True, None),
        ({"isValid": False, "userError": "INVALID"}, False, None),
        ({"isValid": False, "userError": "MS_UNAVAILABLE"}, None, None),
        ("<html>maintenance</html>", None, None),
        ([1, 2], None, None),
    ],
)
def test_gateway_reads_the_vies_answer(app, fake_vies, answer, registered, name):
    fake_vies.answers["/ms/FR/vat/40303265045"] = answer
    with app.app_context():
        result = check_vat_id(FR_ID)
    assert (result.registered, result.name) == (registered, name)
    assert fake_vies.seen == ["/ms/FR/vat/40303265045"]


def test_gateway_unreachable_says_it_cannot_tell(app):
    app.config.update(VIES_ENABLED=True, VIES_URL="http://127.0.0.1:9", VIES_TIMEOUT=1)
    with app.app_context():
        assert check_vat_id(FR_ID).registered is None


def _french_company(client, plan_id):
    add(client, plan_id, "2")
    return review(client, "invoice", country="FR", tax_id=FR_ID, legal_name="Acme SAS")


def test_off_by_default_the_review_says_checked_offline_only(buyer_client, plan_id, app):
    assert not app.config.get("VIES_ENABLED")
    shown = _french_company(buyer_client, plan_id)
    assert "checked offline only (format and check digit)" in shown.text
    assert "the online VIES check is off" in shown.text
    assert "Reverse charge: VAT to be accounted for by the recipient" in shown.text


def test_registered_id_is_confirmed_on_review_and_order(buyer_client, plan_id, fake_vies, db):
    fake_vies.answers["/ms/FR/vat/40303265045"] = {"isValid": True, "userError": "VALID"}
    shown = _french_company(buyer_client, plan_id)
    assert "confirmed by the EU VIES service" in shown.text
    placed = place(
        buyer_client,
        reviewed_fingerprint(shown.text),
        country="FR",
        tax_id=FR_ID,
        legal_name="Acme SAS",
    )
    assert placed.status_code == 302
    order = db.session.scalar(select(Order))
    assert (order.vat_check, order.tax_treatment, order.tax) == ("vies", "reverse_charge", 0)


def test_unregistered_id_is_refused_on_the_form(buyer_client, plan_id, fake_vies, db):
    fake_vies.answers["/ms/FR/vat/40303265045"] = {"isValid": False, "userError": "INVALID"}
    shown = _french_company(buyer_client, plan_id)
    assert shown.status_code == 422
    assert "does not list FR40303265045 as a registered VAT id" in shown.text
    assert db.session.scalar(select(Order)) is None


def test_vies_down_never_blocks_the_sale(buyer_client, plan_id, fake_vies):
    fake_vies.answers["/ms/FR/vat/40303265045"] = {"isValid": False, "userError": "TIMEOUT"}
    shown = _french_company(buyer_client, plan_id)
    assert shown.status_code == 200 and "checked offline only" in shown.text
