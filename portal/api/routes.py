from __future__ import annotations

from datetime import UTC, datetime
from functools import wraps

from flask import abort, g, jsonify, request, url_for
from sqlalchemy import func, select

from portal.api import bp
from portal.api.openapi import document
from portal.api.services import authenticate
from portal.bounds import MAX_ID, MAX_PAGE, bounded_int, whole_number
from portal.extensions import db, limiter
from portal.models import Account, Deal, Event, Stage
from portal.pipeline.board import BoardFilters, filtered_deals, names_of_products, names_of_users
from portal.pipeline.numbers import deal_status, forecast, pipeline_numbers, product_filter
from portal.pipeline.scoring import score_at
from portal.pipeline.settings import setting
from portal.pipeline.stages import list_stages
from portal.pipeline.stalled import is_stalled
from portal.pipeline.timeline import describe
from portal.pipeline.value_links import ValueSource, value_sources

MAX_PER_PAGE = 100


def _rate_limit() -> str:
    return setting("PIPELINE_API_RATE_LIMIT")


limiter.limit(_rate_limit)(bp)


def _unauthorized(detail: str):
    response = jsonify(error="Authentication required", detail=detail, status=401)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="testdrive"'
    return response


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _unauthorized("Send an API token as 'Authorization: Bearer <token>'.")
        token = authenticate(secret.strip())
        if token is None:
            db.session.rollback()
            return _unauthorized("The token is unknown or was revoked.")
        db.session.commit()  # the token's last_used_at, before the view reads anything
        g.api_user = token.user
        return view(*args, **kwargs)

    return wrapped


def _refuse(detail: str):
    response = jsonify(error="Invalid parameter", detail=detail, status=422)
    response.status_code = 422
    abort(response)


def _page_args() -> tuple[int, int]:
    """``page`` and ``per_page``: malformed → the default, ``per_page`` clamped to
    1..MAX_PER_PAGE, a page past ``MAX_PAGE`` refused (422) before any offset is computed."""
    page = whole_number(request.args.get("page"), 1)
    if page > MAX_PAGE:
        _refuse(f"page must be between 1 and {MAX_PAGE}.")
    per_page = whole_number(request.args.get("per_page"), 25)
    return max(1, page), min(MAX_PER_PAGE, max(1, per_page))


def _id_query(name: str) -> int | None:
    """An id filter from the query string: absent → None, anything but an id → 422."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    value = bounded_int(raw, 1, MAX_ID)
    if value is None:
        _refuse(f"{name} must be an id (an integer from 1 to {MAX_ID}).")
    return value


def deal_json(
    deal: Deal, account, stages: dict[int, Stage], users, products, now, source: ValueSource
) -> dict:
    stage = stages.get(deal.stage_id)
    half_life = float(setting("PIPELINE_HALF_LIFE_DAYS"))
    return {
        "id": deal.id,
        "url": url_for("pipeline.deal", deal_id=deal.id, _external=True),
        "account": {"id": account.id, "name": account.name, "domain": account.domain},
        "stage": {"id": stage.id, "name": stage.name, "probability": stage.probability}
        if stage
        else None,
        "status": deal_status(deal, stage),
        "lost_reason": deal.lost_reason or None,
        "value": deal.value,
        "currency": deal.currency,
        "value_source": source.as_dict() if source.kind else None,
        "score": round(score_at(deal.score_log, now, half_life), 2),
        "owner": {"id": deal.owner_id, "name": users.get(deal.owner_id)} if deal.owner_id else None,
        "people": [{"id": uid, "name": users.get(uid)} for uid in deal.people],
        "products": [
            {"id": int(pid), "name": products.get(int(pid))} for pid in deal.product_counters
        ],
        "opened_at": deal.opened_at.isoformat(),
        "stage_entered_at": deal.stage_entered_at.isoformat(),
        "last_activity_at": deal.last_activity_at.isoformat(),
        "stalled": is_stalled(deal, stage, now),
    }


def _serialise(rows, now) -> list[dict]:
    stages = {stage.id: stage for stage in list_stages()}
    user_ids = {uid for deal, _ in rows for uid in [*deal.people, deal.owner_id] if uid}
    product_ids = {int(p) for deal, _ in rows for p in deal.product_counters}
    users = names_of_users(user_ids)
    products = names_of_products(product_ids)
    sources = value_sources([deal for deal, _ in rows], external=True)
    return [
        deal_json(deal, account, stages, users, products, now, sources[deal.id])
        for deal, account in rows
    ]


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(request.url_root.rstrip("/") + "/api/v1"))


@bp.get("/pipeline")
@token_required
def pipeline():
    """The pipeline's figures per stage and per currency, and the forecast by month: the same
    service the board and analytics read. ``?product=<id>`` narrows to deals of a product."""
    stages = list_stages()
    where = product_filter(_id_query("product"))
    numbers = pipeline_numbers(stages, where)
    return jsonify(**numbers.as_dict(), forecast=forecast(stages, datetime.now(UTC).date(), where))


@bp.get("/deals")
@token_required
def deals():
    now = datetime.now(UTC)
    _id_query("product")  # the board's filter ignores a malformed one; the API says so
    filters = BoardFilters.from_args(request.args)
    stages = list_stages()
    query = filtered_deals(filters, stages, g.api_user.id, now)
    stage_id = _id_query("stage")
    if stage_id is not None:
        query = query.where(Deal.stage_id == stage_id)
    page, per_page = _page_args()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.offset((page - 1) * per_page).limit(per_page)).all()
    return jsonify(
        deals=_serialise(rows, now),
        page=page,
        per_page=per_page,
        total=total,
        pages=(total + per_page - 1) // per_page,
    )


def _deal_or_404(deal_id: int):
    row = db.session.execute(
        select(Deal, Account).join(Account, Account.id == Deal.account_id).where(Deal.id == deal_id)
    ).first()
    if row is None:
        abort(404)
    return row


@bp.get("/deals/<int:deal_id>")
@token_required
def deal(deal_id: int):
    now = datetime.now(UTC)
    row = _deal_or_404(deal_id)
    data = _serialise([row], now)[0]
    data["counters"] = row[0].counters
    return jsonify(data)


@bp.get("/deals/<int:deal_id>/events")
@token_required
def deal_events(deal_id: int):
    deal, account = _deal_or_404(deal_id)
    page, per_page = _page_args()
    query = select(Event).where(Event.account_id == deal.account_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    events = db.session.scalars(
        query.order_by(Event.occurred_at.desc(), Event.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    entries = describe(events, account)
    return jsonify(
        events=[
            {
                "id": entry.event.id,
                "kind": entry.event.kind,
                "occurred_at": entry.event.occurred_at.isoformat(),
                "user_id": entry.event.user_id,
                "product_id": entry.event.product_id,
                "props": entry.event.props or {},
                "text": entry.text,
            }
            for entry in entries
        ],
        page=page,
        per_page=per_page,
        total=total,
        pages=(total + per_page - 1) // per_page,
    )
