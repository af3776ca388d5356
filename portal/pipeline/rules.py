"""The stage rules the engine applies: parsed from the stage rows once per transaction, and
reused across transactions while the rows' fingerprint is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, cast, event, func, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Stage
from portal.pipeline import criteria
from portal.pipeline.engine import Rules, StageRule
from portal.pipeline.settings import setting

_RULES_KEY = "pipeline_rules"


@event.listens_for(Session, "after_transaction_end")
def _forget_rules(session, transaction) -> None:
    # Stages are read once per transaction: another process may change them between two.
    if transaction.parent is None:
        session.info.pop(_RULES_KEY, None)


def forget_rules() -> None:
    """The stages changed in this transaction: read them again next time."""
    db.session.info.pop(_RULES_KEY, None)


def load_rules(stages: Sequence[Stage] | None = None) -> Rules:
    """The stage rules, read once per transaction (saving a stage forgets them).

    Reads plain rows and reuses the parsed rules while the stage rows and settings are
    unchanged. The listener reads the stages only when their fingerprint changed (see
    ``rules_for_fingerprint``)."""
    if stages is not None:
        return _rules(
            tuple((s.id, s.name, s.position, s.criteria, s.notify_on_entry) for s in stages)
        )
    cached = db.session.info.get(_RULES_KEY)
    if cached is not None:
        return cached
    rules = db.session.info[_RULES_KEY] = _rules(_stage_rows())
    return rules


def _stage_rows() -> tuple:
    query = select(
        Stage.id, Stage.name, Stage.position, Stage.criteria, Stage.notify_on_entry
    ).order_by(Stage.position, Stage.id)
    return tuple(tuple(row) for row in db.session.execute(query))


_parsed: dict[tuple, Rules] = {}


# What the rules read of each stage (id, position, notify, criteria, name: criteria have no
# ":" and names no control characters), one string per stage, aggregated: any change to a
# stage, by any process, changes this fingerprint. Stages are a handful of rows, so it costs
# nothing next to the listener's SELECT it rides along with. The aggregate's order is not
# guaranteed: another order only means one more read of the rows, never stale rules.
STAGES_FINGERPRINT = (
    select(
        func.aggregate_strings(
            cast(Stage.id, String)
            + ":"
            + cast(Stage.position, String)
            + ":"
            + cast(Stage.notify_on_entry, String)
            + ":"
            + Stage.criteria
            + ":"
            + Stage.name,
            "\x1f",
        )
    )
    .scalar_subquery()
    .label("stages_fingerprint")
)


# {fingerprint: stage rows}, per process; only the latest definition is kept.
_rows_by_fingerprint: dict[str, tuple] = {}


def rules_for_fingerprint(fingerprint: str | None) -> Rules:
    """The rules for the stage definitions with this fingerprint. The fingerprint holds
    everything the rows do, so the rows read for it are right for any database; they are read
    again only when an admin changed a stage (in any process)."""
    if fingerprint is None:  # no stages yet
        return load_rules()
    rows = _rows_by_fingerprint.get(fingerprint)
    if rows is None:
        rows = _stage_rows()
        _rows_by_fingerprint.clear()
        _rows_by_fingerprint[fingerprint] = rows
    return _rules(rows)


def _rules(rows: tuple) -> Rules:
    weights = setting("PIPELINE_SCORE_WEIGHTS")
    half_life = float(setting("PIPELINE_HALF_LIFE_DAYS"))
    key = (rows, tuple(sorted(weights.items())), half_life)
    rules = _parsed.get(key)
    if rules is None:
        rules = Rules(
            stages=tuple(
                StageRule(sid, name, position, criteria.parse(text), notify)
                for sid, name, position, text, notify in rows
            ),
            weights=dict(weights),
            half_life_days=half_life,
        )
        _parsed.clear()  # keep only the current definition
        _parsed[key] = rules
    return rules
