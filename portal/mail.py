"""Outgoing mail through one sender interface.

Embedded default: every message is written to the outbox folder (one ``.eml`` file each) and
logged. With ``MAIL_URL=smtp://user:pass@host:port`` messages go out over SMTP.

Code that runs inside a transaction *queues* its mail (``queue_mail``): the message is rendered
at once and sent only after the session's commit succeeds; a rollback drops it. So a refused or
failed request never leaves a sent e-mail behind (indico's ``flush_email_queue`` idea).
"""

from __future__ import annotations

import email
import logging
import smtplib
import time
import uuid
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.extensions import db

log = logging.getLogger(__name__)


class MailSender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class OutboxSender:
    """Writes each message to ``folder`` as an .eml file; the embedded default."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        (self.folder / name).write_bytes(bytes(message))
        log.info("mail to %s: %s (outbox/%s)", message["To"], message["Subject"], name)


class SmtpSender:
    def __init__(self, url: str):
        self.url = urlsplit(url)

    def send(self, message: EmailMessage) -> None:
        smtp_cls = smtplib.SMTP_SSL if self.url.scheme == "smtps" else smtplib.SMTP
        with smtp_cls(self.url.hostname or "localhost", self.url.port or 25, timeout=10) as smtp:
            if self.url.scheme == "smtp+starttls":
                smtp.starttls()
            if self.url.username:
                smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
            smtp.send_message(message)


def get_sender() -> MailSender:
    url = current_app.config.get("MAIL_URL")
    if url:
        return SmtpSender(url)
    return OutboxSender(current_app.config["MAIL_OUTBOX"])


def build_mail(to: str | list[str], subject: str, template: str, **context) -> EmailMessage:
    """Render ``emails/<template>.txt`` and ``.html`` into one message."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    message["Subject"] = subject
    message.set_content(render_template(f"emails/{template}.txt", **context))
    message.add_alternative(render_template(f"emails/{template}.html", **context), subtype="html")
    return message


def queue_mail(to: str | list[str], subject: str, template: str, **context) -> EmailMessage:
    """Render the message now; send it after the current transaction commits."""
    message = build_mail(to, subject, template, **context)
    db.session.info.setdefault(_QUEUE, []).append(message)
    return message


_QUEUE = "mail_queue"


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    for message in session.info.pop(_QUEUE, []):
        try:
            get_sender().send(message)
        except Exception:  # the commit stands; a failed mail is logged, not fatal
            log.exception("could not send mail to %s: %s", message["To"], message["Subject"])


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_QUEUE, None)


def read_outbox(folder: str | Path) -> list[EmailMessage]:
    """All messages in an outbox folder, oldest first (used by tests and the CLI)."""
    paths = sorted(Path(folder).glob("*.eml"))
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]
