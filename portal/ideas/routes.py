"""Public pages of the ideas board (read form → call service → flash/redirect/render); the
team's actions are in ``staff_routes``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from portal.boundary import perform
from portal.catalog.services import active_product
from portal.extensions import db
from portal.ideas import bp, demand, votes
from portal.ideas import ideas as board_ideas_service
from portal.ideas.board import SORTS, BoardFilters, board_ideas
from portal.ideas.errors import PAGE_ERRORS, NotFound
from portal.ideas.forms import ActionForm, CommentForm, IdeaForm, MergeForm, StatusForm
from portal.ideas.settings import rate_limit
from portal.journey.tracking import current_actor
from portal.models import Product
from portal.models.ideas import IDEA_STATUSES
from portal.security import safe_next

PER_PAGE = 20


def signed_in_user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _products() -> list[Product]:
    return list(db.session.scalars(select(Product).where(Product.is_active).order_by(Product.name)))


def _idea_form(products: list[Product], product: Product | None) -> IdeaForm:
    form = IdeaForm()
    form.product_id.choices = [
        SelectChoice("", "The portal in general"),
        *(SelectChoice(str(p.id), p.name) for p in products),
    ]
    if product is not None and not form.product_id.data:
        form.product_id.data = str(product.id)
    return form


def _board(product: Product | None):
    """The board (of one product, or all); a POST posts a new idea."""
    products = _products()
    form = _idea_form(products, product)
    status = 200
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path), code=303)
        if form.validate_on_submit():
            chosen = next((p for p in products if str(p.id) == form.product_id.data), None)
            done = perform(
                board_ideas_service.post_idea,
                signed_in_user(),
                title=form.title.data,
                description=form.description.data or "",
                product=chosen,
                actor=current_actor(),
                form=form,
                let_through=PAGE_ERRORS,
            )
            if done:
                flash("Idea posted. Others can vote for it now.", "success")
                return redirect(url_for("ideas.idea", idea_id=done.value.id), code=303)
        status = 422
    filters = BoardFilters.from_args(request.args, product.id if product else None)
    page = db.paginate(board_ideas(filters), per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "ideas/board.html",
        product=product,
        products=products,
        page=page,
        filters=filters,
        filter_args=args,
        sorts=SORTS,
        statuses=IDEA_STATUSES,
        voted=votes.voted_ids(signed_in_user(), (i.id for i in page.items)),
        form=form,
        action_form=ActionForm(),
    ), status


@bp.route("/ideas", methods=["GET", "POST"])
@rate_limit("IDEAS_POST_RATE_LIMIT")
def board():
    return _board(None)


@bp.route("/products/<slug>/ideas", methods=["GET", "POST"])
@rate_limit("IDEAS_POST_RATE_LIMIT")
def product_board(slug: str):
    product = active_product(slug)
    if product is None:
        abort(404)
    return _board(product)


def idea_page(idea, comment_form: CommentForm | None = None, status: int = 200, **forms):
    user = signed_in_user()
    staff = board_ideas_service.is_staff(user)
    return render_template(
        "ideas/idea.html",
        idea=idea,
        comments=board_ideas_service.comments_of(idea, user),
        voted=bool(votes.voted_ids(user, [idea.id])),
        staff=staff,
        accounts=demand.accounts_behind(idea.id) if staff else [],
        comment_form=comment_form or CommentForm(),
        action_form=ActionForm(),
        status_form=forms.get("status_form")
        or StatusForm(status=idea.status, note=idea.status_note),
        merge_form=forms.get("merge_form") or MergeForm(),
    ), status


def _visible_or_404(idea_id: int):
    try:
        return board_ideas_service.get_idea(idea_id, signed_in_user())
    except NotFound:
        abort(404)


@bp.get("/ideas/<int:idea_id>")
def idea(idea_id: int):
    item = _visible_or_404(idea_id)
    if item.merged_into_id is not None:
        flash("This idea was merged into the one below, which asks for the same.", "info")
        return redirect(url_for("ideas.idea", idea_id=item.merged_into_id), code=303)
    return idea_page(item)


def _back(idea_id: int):
    return redirect(
        safe_next(request.form.get("next")) or url_for("ideas.idea", idea_id=idea_id), code=303
    )


def _cast_vote(idea_id: int, voting: bool):
    """Vote for an idea or withdraw the vote: the one path both buttons take."""
    _visible_or_404(idea_id)
    if voting:
        call, args = votes.vote, (current_actor(),)
        said = {
            True: ("Vote counted.", "success"),
            False: ("You had already voted for it.", "info"),
        }
    else:
        call, args = votes.withdraw_vote, ()
        said = {True: ("Vote withdrawn.", "info"), False: ("You had not voted for it.", "info")}
    done = perform(
        call, signed_in_user(), idea_id, *args, flash_category="warning", let_through=(NotFound,)
    )
    if done:
        flash(*said[bool(done.value)])
    return _back(idea_id)


@bp.post("/ideas/<int:idea_id>/vote")
@login_required
@rate_limit("IDEAS_VOTE_RATE_LIMIT")
def vote(idea_id: int):
    return _cast_vote(idea_id, voting=True)


@bp.post("/ideas/<int:idea_id>/vote/withdraw")
@login_required
@rate_limit("IDEAS_VOTE_RATE_LIMIT")
def withdraw(idea_id: int):
    return _cast_vote(idea_id, voting=False)


@bp.post("/ideas/<int:idea_id>/comments")
@login_required
@rate_limit("IDEAS_POST_RATE_LIMIT")
def comment(idea_id: int):
    item = _visible_or_404(idea_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return idea_page(item, form, 422)
    done = perform(
        board_ideas_service.add_comment,
        signed_in_user(),
        idea_id,
        form.body.data,
        form=form,
        let_through=PAGE_ERRORS,
    )
    if not done:
        return idea_page(item, form, 422)
    flash("Comment posted.", "success")
    return redirect(url_for("ideas.idea", idea_id=done.value.idea_id) + f"#c{done.value.id}", 303)
