"""Schemathesis against the published OpenAPI document: generated requests (valid ones and
ones that break the schema) to every operation, bounded at 25 examples per operation and
mode, with a real token and real deals. No answer may be a 5xx."""

import pytest
from hypothesis import HealthCheck, given, settings

from tests.api.test_api import bearer, create_token_through_the_ui
from tests.factories import deal_of, make_product, record

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402 - only once schemathesis is known present

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def api_headers(db, seller_client, make_user):
    for n in range(3):
        buyer = make_user(email=f"dana{n}@globex{n}.example", company=f"Globex {n}")
        record(db.session.get(type(buyer), buyer.id), "demo_started", make_product(), run_id="r")
        db.session.commit()
        deal_of(buyer)
    return bearer(create_token_through_the_ui(seller_client))


def _fuzz(app, operation, mode, headers) -> list[str]:
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,  # the same examples every run: the suite never flakes on a new seed
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(app=app, headers=headers)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} {case.query} → {response.status_code}"
            )

    run()
    return failures


def test_schemathesis_finds_no_server_errors(app, client, api_headers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _fuzz(app, operation, mode, api_headers)
    assert failures == []
