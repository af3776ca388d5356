"""Fixtures for trusted voices: a product with a plan, and customers who bought it."""

from __future__ import annotations

import html as html_module
import re

import pytest

from portal.extensions import db as _db
from portal.models import Product, User
from tests.conftest import PASSWORD, AuthActions
from tests.factories import make_paid_order, make_plan, make_product


@pytest.fixture
def product(db):
    """An active product with a plan (committed)."""
    product = make_product(slug="pipeline-lens", name="Pipeline Lens")
    make_plan(product)
    db.session.commit()
    return product


@pytest.fixture
def make_customer(app, make_user):
    """make_customer(product, **user_fields): a user with a paid order for the product."""

    def _make(product: Product, paid_at=None, **fields) -> User:
        user = make_user(**fields)
        with app.app_context():
            attached = _db.session.get(User, user.id)
            plan = _db.session.get(Product, product.id).plans[0]
            make_paid_order(attached, plan, paid_at=paid_at)
            _db.session.commit()
        return user

    return _make


@pytest.fixture
def login_client(app):
    """login_client(user): a new test client signed in as ``user``."""

    def _login(user: User):
        client = app.test_client()
        response = AuthActions(client).login(user.email, PASSWORD)
        assert response.status_code == 302, response.text
        client.user = user
        return client

    return _login


def get_user(user_id: int) -> User:
    return _db.session.get(User, user_id)


def visible_text(html: str) -> str:
    """Page text without tags (to check what a person reads)."""
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
