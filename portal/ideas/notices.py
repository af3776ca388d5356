"""Mail the waiting idea notices: one e-mail per person, listing all of theirs.

Run after every status change (so one change is one e-mail) and by ``flask ideas
send-updates`` (merges with no status change wait for it). Mail is queued and goes out
after the caller's commit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import groupby

from flask import url_for
from sqlalchemy import select

from portal.extensions import db
from portal.mail import queue_mail
from portal.models import Idea, IdeaNotice, User


def send_idea_updates(now: datetime | None = None) -> int:
    """Queue one e-mail per person with notices waiting; returns the e-mails queued."""
    now = now or datetime.now(UTC)
    rows = db.session.execute(
        select(IdeaNotice, User, Idea)
        .join(User, User.id == IdeaNotice.user_id)
        .join(Idea, Idea.id == IdeaNotice.idea_id)
        .where(IdeaNotice.sent_at.is_(None))
        .order_by(IdeaNotice.user_id, IdeaNotice.created_at, IdeaNotice.id)
    ).all()
    sent = 0
    for _user_id, group in groupby(rows, key=lambda row: row[1].id):
        group = list(group)
        user = group[0][1]
        items = [
            {
                "message": notice.message,
                "title": idea.title,
                "url": url_for("ideas.idea", idea_id=idea.id, _external=True),
            }
            for notice, _, idea in group
        ]
        subject = (
            f"Update on an idea you follow: {items[0]['title']}"
            if len(items) == 1
            else f"{len(items)} updates on ideas you follow"
        )
        queue_mail(user.email, subject, "idea_updates", user=user, items=items)
        for notice, _, _ in group:
            notice.sent_at = now
        sent += 1
    db.session.flush()
    return sent
