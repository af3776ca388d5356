"""What saving new criteria for a stage would do: every deal replayed from its events with the
changed rules (exactly as the rebuild after saving does), compared with where it is now."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from types import SimpleNamespace

from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, Deal, Stage
from portal.pipeline import criteria
from portal.pipeline.engine import fold
from portal.pipeline.rebuild import account_events, lost_marks, room_history, staff_ids
from portal.pipeline.rules import load_rules


@dataclass
class Move:
    from_stage: str
    to_stage: str
    names: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.names)

    @property
    def sentence(self) -> str:
        deals = "1 deal would" if self.count == 1 else f"{self.count} deals would"
        return f"{deals} move from {self.from_stage} to {self.to_stage}"


def preview_criteria(
    stage: Stage, criteria_text: str, position: int | None = None, batch: int = 500
) -> list[Move]:
    """The moves saving ``criteria_text`` (and ``position``) on ``stage`` would cause, largest
    first; raises CriteriaError for criteria that do not parse. Writes nothing."""
    criteria.parse(criteria_text)
    rows = []
    for s in db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)):
        changed = s.id == stage.id
        rows.append(
            SimpleNamespace(
                id=s.id,
                name=s.name,
                position=position if changed and position is not None else s.position,
                criteria=criteria.validate(criteria_text) if changed else s.criteria,
                notify_on_entry=s.notify_on_entry,
            )
        )
    rows.sort(key=lambda s: (s.position, s.id))
    rules = load_rules(rows)
    names = {s.id: s.name for s in rows}
    current = db.session.execute(
        select(Deal.account_id, Deal.id, Deal.stage_id, Account.name).join(
            Account, Account.id == Deal.account_id
        )
    ).all()
    staff = staff_ids()
    moves: dict[tuple, Move] = {}
    for start in range(0, len(current), batch):
        chunk = current[start : start + batch]
        deals = {row.account_id: row.id for row in chunk}
        marks = lost_marks(deals)
        rooms = room_history(list(deals))
        folded = {
            account_id: fold(events, rules, marks.get(account_id, ()), rooms.get(account_id, ()))[
                0
            ].stage_id
            for account_id, events in groupby(
                account_events(list(deals), staff), key=lambda row: row.account_id
            )
        }
        for row in chunk:
            after = folded.get(row.account_id, row.stage_id)
            if after != row.stage_id:
                key = (row.stage_id, after)
                move = moves.setdefault(
                    key, Move(names.get(row.stage_id, "no stage"), names.get(after, "no stage"))
                )
                move.names.append(row.name)
    for move in moves.values():
        move.names.sort()
    return sorted(moves.values(), key=lambda m: (-m.count, m.from_stage, m.to_stage))
