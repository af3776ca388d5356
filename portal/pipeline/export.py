"""CSV export of deals, safe to open in a spreadsheet.

Account names come from sign-up forms, so a name such as ``=HYPERLINK(...)`` must not become
a formula: every text cell starting with ``= + - @``, a tab or a carriage return gets a
leading apostrophe (OWASP's advice for CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

from portal.extensions import db
from portal.pipeline.board import BoardFilters, filtered_deals, names_of_users
from portal.pipeline.numbers import deal_status
from portal.pipeline.scoring import score_at
from portal.pipeline.settings import setting
from portal.pipeline.stages import list_stages
from portal.pipeline.stalled import is_stalled
from portal.templating import ZERO_DECIMAL

HEADER = [
    "deal_id",
    "account",
    "domain",
    "stage",
    "status",
    "value",
    "currency",
    "value_source",
    "value_label",
    "score",
    "owner",
    "people",
    "products_touched",
    "opened_at",
    "last_activity_at",
    "stalled",
    "lost_reason",
]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def _amount(minor: int, currency: str) -> str:
    digits = 0 if currency.upper() in ZERO_DECIMAL else 2
    return f"{minor / 10**digits:.{digits}f}"


def _line(row: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def deals_csv(filters: BoardFilters, viewer_id: int | None, batch: int = 1000) -> Iterator[str]:
    """Lines of CSV for every deal matching the board filters (streamed in batches).

    The first batch is read and written out before this returns, so a query the database
    refuses fails here, while the route can still answer with an error page, not halfway
    through a download. The rest is read while streaming (in the stream's own session: the
    request's session is gone by then)."""
    now = datetime.now(UTC)
    stages = list_stages()
    query = filtered_deals(filters, stages, viewer_id, now)
    by_id = {stage.id: stage for stage in stages}
    half_life = float(setting("PIPELINE_HALF_LIFE_DAYS"))
    rows = db.session.execute(query.limit(batch)).all()
    first = [_line(HEADER), *_batch_lines(rows, by_id, now, half_life)]
    return _stream(first, query, by_id, now, half_life, batch, more=len(rows) == batch)


def _stream(first, query, by_id, now, half_life, batch: int, more: bool) -> Iterator[str]:
    yield from first
    offset = batch
    while more:
        rows = db.session.execute(query.offset(offset).limit(batch)).all()
        yield from _batch_lines(rows, by_id, now, half_life)
        for deal, account in rows:  # keep the session small on long exports
            db.session.expunge(deal)
            db.session.expunge(account)
        offset += batch
        more = len(rows) == batch


def _batch_lines(rows: list, by_id: dict, now: datetime, half_life: float) -> list[str]:
    owners = names_of_users({deal.owner_id for deal, _ in rows if deal.owner_id})
    return [
        _line(_cells(deal, account, by_id.get(deal.stage_id), owners, now, half_life))
        for deal, account in rows
    ]


def _cells(deal, account, stage, owners: dict, now: datetime, half_life: float) -> list:
    return [
        deal.id,
        account.name,
        account.domain or "",
        stage.name if stage else "",
        deal_status(deal, stage),
        _amount(deal.value, deal.currency),
        deal.currency,
        deal.value_source,
        deal.value_label,
        round(score_at(deal.score_log, now, half_life), 1),
        owners.get(deal.owner_id, ""),
        len(deal.people),
        len(deal.product_counters),
        deal.opened_at.isoformat(),
        deal.last_activity_at.isoformat(),
        "yes" if is_stalled(deal, stage, now) else "no",
        deal.lost_reason,
    ]
