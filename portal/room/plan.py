"""The mutual evaluation plan: the buyer's steps (from the first shortlisted product's
template), which members add, remove, reorder, assign and date. Steps with an automatic kind
complete themselves when the matching journey event arrives. A seller may only propose steps
(a member accepts or declines them) and comment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import STEP_AUTO_KINDS, PlanComment, PlanStep, PlanTemplate, Product, User
from portal.room.errors import RoomError, RoomNotFound
from portal.room.summary import room_updated
from portal.room.text import clean_text

TITLE_MAX = 120
COMMENT_MAX = 2000
MAX_STEPS = 40
DEFAULT_TEMPLATE = (
    "Try it on our data | own_data_demo\n"
    "Talk to a customer like us | reference_call\n"
    "Review the security pack\n"
    "Get a quote and accept it | quote_accepted\n"
    "Budget approved\n"
    "Sign and pay | order_paid"
)


def parse_template(text: str) -> list[tuple[str, str]]:
    """(title, auto kind) per non-blank line "Title" or "Title | kind"; raises RoomError."""
    steps = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        title, _, kind = line.partition("|")
        title, kind = " ".join(title.split()), kind.strip()
        if not title or len(title) > TITLE_MAX:
            raise RoomError(f"Line {number}: give a title under {TITLE_MAX} characters.", "steps")
        if kind and kind not in STEP_AUTO_KINDS:
            known = ", ".join(STEP_AUTO_KINDS)
            raise RoomError(f"Line {number}: unknown automatic kind {kind!r} ({known}).", "steps")
        steps.append((title, kind))
    if len(steps) > MAX_STEPS:
        raise RoomError(f"Keep a template under {MAX_STEPS} steps.", "steps")
    return steps


def template_text(product: Product) -> str:
    row = db.session.get(PlanTemplate, product.id)
    return row.steps if row is not None else DEFAULT_TEMPLATE


def save_template(admin: User, product: Product, text: str) -> PlanTemplate:
    """An admin edits a product's proposed plan."""
    if not admin.is_admin:
        raise RoomNotFound()
    steps = parse_template(text)
    normalised = "\n".join(f"{t} | {k}" if k else t for t, k in steps)
    row = db.session.get(PlanTemplate, product.id)
    if row is None:
        row = PlanTemplate(product_id=product.id)
        db.session.add(row)
    row.steps = normalised
    db.session.flush()
    return row


def plan_of(account_id: int) -> list[PlanStep]:
    """The plan's steps in order, proposed ones included (declined ones left out)."""
    return list(
        db.session.scalars(
            select(PlanStep)
            .where(PlanStep.account_id == account_id, PlanStep.status != "declined")
            .order_by(PlanStep.position, PlanStep.id)
        )
    )


def declined_proposals(account_id: int) -> list[PlanStep]:
    """The seller's proposals the buyer declined (the seller's deal page lists them)."""
    return list(
        db.session.scalars(
            select(PlanStep)
            .where(PlanStep.account_id == account_id, PlanStep.status == "declined")
            .order_by(PlanStep.position, PlanStep.id)
        )
    )


def start_plan(member: User, product: Product, actor: Actor | None) -> list[PlanStep]:
    """When the shortlist starts: the plan proposed by the product's template (once)."""
    has_plan = db.session.scalar(
        select(PlanStep.id).where(PlanStep.account_id == member.account_id).limit(1)
    )
    if has_plan is not None:
        return []
    steps = [
        PlanStep(account_id=member.account_id, position=n, title=title, auto_kind=kind)
        for n, (title, kind) in enumerate(parse_template(template_text(product)))
    ]
    db.session.add_all(steps)
    room_updated(member.account_id)
    return steps


def step_of(member: User, step_id: int) -> PlanStep:
    """One step of the member's own plan; anyone else's is not found."""
    step = db.session.get(PlanStep, step_id)
    if step is None or step.account_id != member.account_id or step.status == "declined":
        raise RoomNotFound()
    return step


def _next_position(account_id: int) -> int:
    top = db.session.scalar(
        select(func.max(PlanStep.position)).where(PlanStep.account_id == account_id)
    )
    return (top or 0) + 1


def _count(account_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(PlanStep).where(PlanStep.account_id == account_id)
    )


def add_step(member: User, title: str, actor: Actor | None, due_on: date | None = None):
    title = clean_text(title, max_len=TITLE_MAX, field="title", label="the step")
    if _count(member.account_id) >= MAX_STEPS:
        raise RoomError(f"A plan holds at most {MAX_STEPS} steps.", "title")
    step = PlanStep(
        account_id=member.account_id,
        position=_next_position(member.account_id),
        title=" ".join(title.split()),
        due_on=due_on,
    )
    db.session.add(step)
    db.session.flush()
    record_event(actor, "plan_step_added", step_id=step.id)
    room_updated(member.account_id)
    return step


def remove_step(member: User, step_id: int, actor: Actor | None) -> None:
    step = step_of(member, step_id)
    db.session.delete(step)
    db.session.flush()
    record_event(actor, "plan_step_removed", step_id=step_id)
    room_updated(member.account_id)


def move_step(member: User, step_id: int, direction: str) -> PlanStep:
    """Swap the step with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise RoomError("Move a step up or down.")
    step = step_of(member, step_id)
    steps = plan_of(member.account_id)
    index = steps.index(step)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(steps):
        # Renumber the whole plan so equal positions cannot make the swap a no-op.
        steps[index], steps[other] = steps[other], steps[index]
        for position, s in enumerate(steps):
            s.position = position
        db.session.flush()
    return step


def update_step(member: User, step_id: int, assignee_id: int | None, due_on: date | None):
    """Assign the step to a member (or nobody) and set its due date (or none)."""
    step = step_of(member, step_id)
    if step.status != "active":
        raise RoomError("Accept the proposed step first.")
    if assignee_id is not None:
        assignee = db.session.get(User, assignee_id)
        if assignee is None or assignee.account_id != member.account_id:
            raise RoomError("Assign the step to someone in your room.", "assignee")
    step.assignee_id = assignee_id
    step.due_on = due_on
    db.session.flush()
    room_updated(member.account_id)
    return step


def tick_step(member: User, step_id: int, done: bool, actor: Actor | None) -> PlanStep:
    """A member ticks a step done, or opens it again."""
    step = step_of(member, step_id)
    if step.status != "active":
        raise RoomError("Accept the proposed step first.")
    if done and step.done_at is None:
        step.done_at, step.done_by_id, step.done_by_event = datetime.now(UTC), member.id, ""
        db.session.flush()
        record_event(actor, "plan_step_done", step_id=step.id)
    elif not done:
        step.done_at, step.done_by_id, step.done_by_event = None, None, ""
    db.session.flush()
    room_updated(member.account_id)
    return step


def answer_proposal(member: User, step_id: int, accept: bool, actor: Actor | None) -> PlanStep:
    """Accept a seller's proposed step into the plan, or decline it."""
    step = step_of(member, step_id)
    if step.status != "proposed":
        raise RoomError("That step is already part of your plan.")
    step.status = "active" if accept else "declined"
    db.session.flush()
    if accept:
        record_event(actor, "plan_step_accepted", step_id=step.id)
    room_updated(member.account_id)
    return step


def propose_step(seller: User, account_id: int, title: str, due_on: date | None) -> PlanStep:
    """The seller suggests a step; it joins the plan only when a member accepts it."""
    if not seller.is_seller:
        raise RoomNotFound()
    title = clean_text(title, max_len=TITLE_MAX, field="title", label="the step")
    if _count(account_id) >= MAX_STEPS:
        raise RoomError(f"A plan holds at most {MAX_STEPS} steps.", "title")
    step = PlanStep(
        account_id=account_id,
        position=_next_position(account_id),
        title=" ".join(title.split()),
        status="proposed",
        proposed_by_id=seller.id,
        due_on=due_on,
    )
    db.session.add(step)
    db.session.flush()
    return step


def comment_on_step(author: User, step_id: int, body: str, account_id: int | None = None):
    """A member (their own plan) or a seller (the deal's plan, ``account_id``) comments."""
    step = db.session.get(PlanStep, step_id)
    expected = account_id if author.is_seller else author.account_id
    if step is None or expected is None or step.account_id != expected:
        raise RoomNotFound()
    body = clean_text(body, max_len=COMMENT_MAX, field="body", label="a comment")
    comment = PlanComment(step_id=step.id, author_id=author.id, body=body)
    db.session.add(comment)
    db.session.flush()
    return comment


def complete_by_event(account_id: int, auto_kind: str, user_id: int | None, actor) -> list:
    """Complete the open steps of this automatic kind (the journey event said so)."""
    steps = list(
        db.session.scalars(
            select(PlanStep).where(
                PlanStep.account_id == account_id,
                PlanStep.status == "active",
                PlanStep.auto_kind == auto_kind,
                PlanStep.done_at.is_(None),
            )
        )
    )
    for step in steps:
        step.done_at, step.done_by_id, step.done_by_event = datetime.now(UTC), user_id, auto_kind
        db.session.flush()
        record_event(actor, "plan_step_done", step_id=step.id, auto=auto_kind)
    if steps:
        room_updated(account_id)
    return steps
