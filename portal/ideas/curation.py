"""The vendor's team curates the board: merges duplicates (votes move, voters told) and
sets a status with a public note (voters and the author told).

Telling is a ``IdeaNotice`` row per person; ``portal.ideas.notices.send_idea_updates`` mails
them, one message per person however many changes are waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from portal.extensions import db
from portal.ideas.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.ideas.ideas import is_staff
from portal.ideas.text import clean_text
from portal.ideas.votes import recount
from portal.models import Idea, IdeaComment, IdeaNotice, IdeaVote, User
from portal.models.ideas import IDEA_NOTE_MAX, IDEA_STATUSES


def _staff_only(user: User) -> None:
    if not is_staff(user):
        raise NotAllowed("Only the vendor's team can curate ideas.")


def _idea(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        raise NotFound("That idea does not exist.")
    return idea


def people_to_tell(idea: Idea) -> list[int]:
    """The voters and the author of an idea, each once, in a stable order."""
    voters = db.session.scalars(
        select(IdeaVote.user_id).where(IdeaVote.idea_id == idea.id).order_by(IdeaVote.id)
    )
    people = [idea.author_id] if idea.author_id is not None else []
    return list(dict.fromkeys([*people, *voters]))


def _tell(user_ids: list[int], idea: Idea, kind: str, message: str, skip: int) -> int:
    notices = [
        IdeaNotice(user_id=user_id, idea_id=idea.id, kind=kind, message=message)
        for user_id in user_ids
        if user_id != skip
    ]
    db.session.add_all(notices)
    return len(notices)


def merge_ideas(staff: User, duplicate_id: int, target_id: int) -> Idea:
    """Merge ``duplicate`` into ``target``: its votes move (a person who voted for both
    keeps one vote) and so do its comments; it leaves the board and its page leads to the
    target."""
    _staff_only(staff)
    if duplicate_id == target_id:
        raise InvalidInput("Choose another idea to merge into.", "target_id")
    duplicate, target = _idea(duplicate_id), _idea(target_id)
    if duplicate.merged_into_id is not None:
        raise Conflict("That idea was already merged.")
    if target.merged_into_id is not None or target.is_hidden:
        raise InvalidInput("Merge into an idea that is on the board.", "target_id")
    told = people_to_tell(duplicate)
    on_target = select(IdeaVote.user_id).where(IdeaVote.idea_id == target.id)
    db.session.execute(
        update(IdeaVote)
        .where(IdeaVote.idea_id == duplicate.id, IdeaVote.user_id.not_in(on_target))
        .values(idea_id=target.id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        IdeaVote.__table__.delete().where(IdeaVote.__table__.c.idea_id == duplicate.id)
    )
    # The discussion moves too, in its own order among the target's comments.
    moved = db.session.execute(
        update(IdeaComment)
        .where(IdeaComment.idea_id == duplicate.id)
        .values(idea_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    target.comment_count += moved
    duplicate.comment_count = 0
    duplicate.merged_into_id = target.id
    recount(duplicate)
    recount(target)
    message = (
        f"“{duplicate.title}” was merged into “{target.title}”, which asks for the same; "
        "your vote now counts there, and the discussion continues there."
    )
    _tell(told, target, "merged", message, skip=staff.id)
    db.session.flush()
    return target


def set_status(staff: User, idea_id: int, status: str, note: str = "") -> bool:
    """Set an idea's status and public note. Voters and the author are told when the
    status changes (a note-only edit tells nobody). Returns whether the status changed."""
    _staff_only(staff)
    idea = _idea(idea_id)
    if idea.merged_into_id is not None:
        raise Conflict("That idea was merged; set the status of the idea it was merged into.")
    if status not in IDEA_STATUSES:
        raise InvalidInput("Choose a status from the list.", "status")
    note = clean_text(note, label="the note", max_len=IDEA_NOTE_MAX, field="note", multiline=True)
    changed = status != idea.status
    idea.status_note = note
    if changed:
        idea.status = status
        idea.status_changed_at = datetime.now(UTC)
        message = f"“{idea.title}” is now {IDEA_STATUSES[status].lower()}."
        if note:
            message += f" {note}"
        _tell(people_to_tell(idea), idea, "status", message[: IDEA_NOTE_MAX + 300], staff.id)
    db.session.flush()
    return changed
