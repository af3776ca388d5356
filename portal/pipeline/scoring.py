"""Engagement score arithmetic: each event adds a weight that halves every half-life.

Scores are stored as logarithms relative to ``EPOCH`` (see ``Deal.score_log``), so adding an
event is one log-sum and reading the score at any moment needs no decay pass over the rows.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

# Scores are stored as logarithms relative to this moment (see Deal.score_log).
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


LN2 = math.log(2)


def days_since_epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH).total_seconds() / 86400.0


def score_term(weight: float, moment: datetime, half_life_days: float) -> float:
    return math.log(weight) + days_since_epoch(moment) * LN2 / half_life_days


def add_log(a: float | None, b: float) -> float:
    """ln(e^a + e^b) without overflow."""
    if a is None:
        return b
    high, low = (a, b) if a >= b else (b, a)
    return high + math.log1p(math.exp(low - high))


def score_at(score_log: float | None, moment: datetime, half_life_days: float) -> float:
    """The decayed engagement score at ``moment``."""
    if score_log is None:
        return 0.0
    return math.exp(score_log - days_since_epoch(moment) * LN2 / half_life_days)


def score_log_for(score: float, moment: datetime, half_life_days: float) -> float | None:
    """The stored form of ``score`` at ``moment`` (for filtering by a score range in SQL)."""
    if score <= 0:
        return None
    return math.log(score) + days_since_epoch(moment) * LN2 / half_life_days
