"""Fixtures for the ideas board: the voices area's product, customers and signed-in clients,
plus an outbox reader."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from tests.voices.conftest import get_user, login_client, make_customer, product  # noqa: F401


@pytest.fixture
def outbox(app):
    """outbox(): the messages written so far, as (to, subject, text body)."""

    def _read() -> list[tuple[str, str, str]]:
        folder = Path(app.config["MAIL_OUTBOX"])
        messages = []
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            body = message.get_body(("plain",)).get_content()
            messages.append((message["To"], message["Subject"], body))
        return messages

    return _read
