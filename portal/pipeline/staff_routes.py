"""Seller pages of the pipeline: the board, a deal, analytics, listening, alerts, API tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from portal.api.services import create_token, revoke_token, tokens_of
from portal.boundary import perform
from portal.bounds import MAX_ID, bounded_int, id_arg, page_arg
from portal.extensions import db
from portal.links import path_for_ids
from portal.models import Deal, Product
from portal.pipeline import alerts, analytics, bp, listening
from portal.pipeline.board import SORTS, STATUSES, BoardFilters, build_board
from portal.pipeline.deal_actions import add_note, assign_owner, mark_lost, sellers
from portal.pipeline.export import deals_csv
from portal.pipeline.forms import LostForm, NoteForm, OwnerForm, TokenForm
from portal.pipeline.overview import deal_overview
from portal.pipeline.settings import setting
from portal.pipeline.value_links import value_sources
from portal.room.staff_routes import deal_room
from portal.security import role_required, safe_next


def _products() -> list[Product]:
    return list(db.session.scalars(select(Product).order_by(Product.name)))


def _board_context(filters: BoardFilters) -> dict:
    board = build_board(filters, current_user.id)
    deals = (card.deal for column in board.columns for card in column.cards)
    links = {deal_id: source.url for deal_id, source in value_sources(deals).items()}
    return {
        "board": board,
        "filters": filters,
        "sellers": sellers(),
        "value_links": links,
        "deal_path": path_for_ids("pipeline.deal", "deal_id"),
        "owner_path": path_for_ids("pipeline.set_owner", "deal_id"),
    }


@bp.get("/seller/pipeline")
@role_required("seller")
def board():
    filters = BoardFilters.from_args(request.args)
    context = _board_context(filters)
    return render_template(
        "pipeline/board.html",
        products=_products(),
        sorts=SORTS,
        statuses=STATUSES,
        poll_seconds=setting("PIPELINE_BOARD_POLL_SECONDS"),
        unread=alerts.unread_count(current_user),
        **context,
    )


@bp.get("/seller/pipeline/columns")
@role_required("seller")
def board_columns():
    """The columns alone: the board page polls this to refresh itself without a reload."""
    filters = BoardFilters.from_args(request.args)
    return render_template("pipeline/_columns.html", **_board_context(filters))


@bp.get("/seller/pipeline/export.csv")
@role_required("seller")
def export():
    filters = BoardFilters.from_args(request.args)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(deals_csv(filters, current_user.id)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="deals-{stamp}.csv"'},
    )


def _back(deal: Deal):
    return redirect(safe_next(request.form.get("next")) or url_for(".deal", deal_id=deal.id))


@bp.post("/seller/deals/<int:deal_id>/owner")
@role_required("seller")
def set_owner(deal_id: int):
    deal = db.get_or_404(Deal, deal_id)
    form = OwnerForm()
    form.owner.choices = [("", "Nobody")] + [(str(u.id), u.display_name) for u in sellers()]
    if not form.validate_on_submit():
        flash("Choose a seller from the list.", "warning")
        return _back(deal)
    owner_id = int(form.owner.data) if form.owner.data else None
    if not perform(assign_owner, deal, owner_id, flash_category="warning"):
        return _back(deal)
    owner = deal.owner.display_name if deal.owner else "nobody"
    flash(f"{deal.account.name} now belongs to {owner}.", "success")
    return _back(deal)


def _deal_page(deal: Deal, note_form=None, lost_form=None, status: int = 200):
    owner_form = OwnerForm(owner=str(deal.owner_id or ""))
    owner_form.owner.choices = [("", "Nobody")] + [(str(u.id), u.display_name) for u in sellers()]
    return render_template(
        "pipeline/deal.html",
        **deal_overview(deal, page_arg()),
        **deal_room(deal),
        owner_form=owner_form,
        note_form=note_form or NoteForm(),
        lost_form=lost_form or LostForm(),
    ), status


@bp.get("/seller/deals/<int:deal_id>")
@role_required("seller")
def deal(deal_id: int):
    return _deal_page(db.get_or_404(Deal, deal_id))


@bp.post("/seller/deals/<int:deal_id>/notes")
@role_required("seller")
def note(deal_id: int):
    deal = db.get_or_404(Deal, deal_id)
    form = NoteForm()
    if form.validate_on_submit() and perform(
        add_note, deal, current_user, form.body.data, form=form, fallback_field="body"
    ):
        flash("Note added.", "success")
        return redirect(url_for(".deal", deal_id=deal.id) + "#notes")
    return _deal_page(deal, note_form=form, status=422)


@bp.post("/seller/deals/<int:deal_id>/lost")
@role_required("seller")
def lost(deal_id: int):
    deal = db.get_or_404(Deal, deal_id)
    form = LostForm()
    if form.validate_on_submit() and perform(
        mark_lost, deal, form.reason.data, current_user, form=form, fallback_field="reason"
    ):
        flash(f"{deal.account.name} is marked lost. It reopens if they come back.", "success")
        return redirect(url_for(".deal", deal_id=deal.id))
    return _deal_page(deal, lost_form=form, status=422)


def _int_arg(name: str, default: int | None, allowed=None) -> int | None:
    value = bounded_int(request.args.get(name), 0, MAX_ID)
    if value is None or (allowed is not None and value not in allowed):
        return default
    return value


@bp.get("/seller/analytics", endpoint="analytics")
@role_required("seller")
def analytics_view():
    product_id = _int_arg("product", None)
    days = _int_arg("days", 90, analytics.PERIODS)
    data = analytics.compute(product_id=product_id, days=days)
    chart = {
        "funnel": {
            "labels": [step.stage.name for step in data["funnel"]],
            "values": [step.reached for step in data["funnel"]],
        },
        "weekly": {
            "labels": [w["week"] for w in data["weekly"]],
            "values": [w["count"] for w in data["weekly"]],
        },
        "forecast": {
            "labels": [f["month"] for f in data["forecast"]],
            # The chart is in the pipeline's currency; the table beside it has every currency.
            "values": [f["value"].get(data["currency"], 0) / 100 for f in data["forecast"]],
            "currency": data["currency"],
        },
    }
    return render_template(
        "pipeline/analytics.html",
        data=data,
        chart=chart,
        products=_products(),
        product_id=product_id,
        days=days,
        periods=analytics.PERIODS,
    )


def _ideas_context() -> dict:
    wanted = listening.ideas_in_demand(limit=None)
    currency = setting("PIPELINE_CURRENCY")
    return {
        "ideas": wanted[: listening.TOP],
        "ideas_by_value": listening.ideas_by_value(wanted, currency)[: listening.TOP],
        "ideas_currency": currency,
    }


@bp.get("/seller/listening", endpoint="listening")
@role_required("seller")
def listening_view():
    days = _int_arg("days", 30, analytics.PERIODS)
    return render_template(
        "pipeline/listening.html",
        data=listening.compute(days=days),
        **_ideas_context(),
        days=days,
        periods=analytics.PERIODS,
    )


@bp.get("/seller/listening/deals", endpoint="listening_deals")
@role_required("seller")
def listening_deals_view():
    """The deals behind one row of the listening view."""
    days = _int_arg("days", 30, analytics.PERIODS)
    kind = request.args.get("kind", "")
    if kind not in listening.KINDS:
        abort(404)
    props: dict[str, str | int] = {}
    for name in ("query", "recipe", "reason"):
        if name in request.args:
            props[name] = request.args[name]
    if (testimonial := id_arg("testimonial_id")) is not None:
        props["testimonial_id"] = testimonial
    product = id_arg("product")
    rows = listening.deals_behind(kind, props, product, days)
    return render_template(
        "pipeline/listening_deals.html",
        rows=rows,
        label=request.args.get("label", ""),
        days=days,
        periods=analytics.PERIODS,
    )


@bp.get("/seller/notifications")
@role_required("seller")
def notifications():
    page = db.paginate(
        alerts.notifications_for(current_user),
        page=page_arg(),
        per_page=30,
        error_out=False,
    )
    return render_template("pipeline/notifications.html", page=page)


@bp.post("/seller/notifications/read")
@role_required("seller")
def notifications_read():
    notification_id = id_arg("id", request.form)
    count = perform(alerts.mark_read, current_user, notification_id).value
    if notification_id is None:
        flash(f"Marked {count} notification{'s' if count != 1 else ''} read.", "success")
    return redirect(url_for(".notifications"))


@bp.route("/seller/api-tokens", methods=["GET", "POST"])
@role_required("seller")
def api_tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        done = perform(create_token, current_user, form.name.data, form=form, fallback_field="name")
        if done:
            _token, secret = done.value
            form = TokenForm(formdata=None)
    status = 422 if form.errors else 200
    return render_template(
        "pipeline/tokens.html", form=form, tokens=tokens_of(current_user), secret=secret
    ), status


@bp.post("/seller/api-tokens/<int:token_id>/revoke")
@role_required("seller")
def revoke(token_id: int):
    try:
        token = perform(revoke_token, current_user, token_id).value
    except LookupError:
        abort(404)
    flash(f"Token “{token.name}” is revoked; requests with it now fail.", "success")
    return redirect(url_for(".api_tokens"))
