"""Every kind of write that changes what the product page shows makes the next view fresh.

Each test warms the cache, writes through the service the portal uses for it, commits, and
checks that the catalog page version moved and the next cached view shows the change (and
is the page an uncached render gives). Also: writes outside a Session, rolled-back writes,
a view inside the writing transaction, and another process's cache.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from portal import create_app, models
from portal.catalog.page_cache import cached_product_page, page_store
from portal.catalog.plans import PlanData, add_plan, set_plan_active, update_plan
from portal.catalog.services import get_product
from portal.catalog.staff_services import (
    ProductData,
    add_faq,
    add_resource,
    archive_product,
    delete_faq,
    delete_resource,
    restore_product,
    update_faq,
    update_product,
)
from portal.extensions import db as _db
from portal.journey.services import erase_user
from portal.models import Answer, CatalogPageVersion, Faq, Plan, Question, User
from portal.voices.answers import accept_answer
from portal.voices.questions import answer_question, set_hidden
from portal.voices.testimonials import approve_testimonial, vote_helpful
from tests.catalog.test_catalog_page_cache import normalised, shop  # noqa: F401 (fixture)
from tests.factories import make_testimonial

PATH = "/products/lens"


def version() -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(CatalogPageVersion.version)) or 0


@pytest.fixture
def page(app, db, shop):  # noqa: F811
    """Warm the cache, then ``page()`` is the next cached view, checked against an uncached
    render; ``page.moved()`` says whether the version moved since the last view."""
    client = app.test_client()

    def view() -> str:
        app.config["PRODUCT_PAGE_CACHE"] = False
        full = normalised(client, client.get(PATH).text)
        app.config["PRODUCT_PAGE_CACHE"] = True
        response = client.get(PATH)
        if response.status_code == 200:
            assert normalised(client, response.text) == full
        view.seen = version()
        return response.text if response.status_code == 200 else str(response.status_code)

    view()
    view()
    view.moved = lambda: version() > view.seen
    return view


@pytest.fixture
def staff(make_user):
    return _db.session.merge(make_user(role="admin", name="Staff"))


def product() -> object:
    return get_product("lens")


def test_product_edit(page):
    data = ProductData(slug="lens", name="Lens Max", tagline="Now sharper", category="Optics",
                       description_md="## New *copy*")  # fmt: skip
    update_product(product(), data)
    _db.session.commit()
    assert page.moved()
    html = page()
    assert "Lens Max" in html and "Now sharper" in html and "<em>copy</em>" in html


def test_price_change(page):
    plan = _db.session.scalar(select(Plan).where(Plan.name == "Team"))
    update_plan(plan, PlanData("Team", 5900, per_seat=True, max_quantity=50))
    _db.session.commit()
    assert page.moved() and "$59.00" in page() and "$49.00" not in page()


def test_plan_added_and_withdrawn(page):
    plan = add_plan(product(), PlanData("Enterprise", 990_000, billing="yearly"))
    _db.session.commit()
    assert page.moved() and "Enterprise" in page()
    set_plan_active(plan, False)
    _db.session.commit()
    assert page.moved() and "Enterprise" not in page()


def test_unpublished_and_published_again(page):
    archive_product(product())
    _db.session.commit()
    assert page.moved() and page() == "404"
    restore_product(get_product("lens", include_archived=True))
    _db.session.commit()
    assert page.moved() and "Lens &lt;Pro&gt;" in page()


def test_resources(page, app):
    added = add_resource(product(), "video", "Deep dive", url="https://videos.example/deep")
    _db.session.commit()
    assert page.moved() and "Deep dive" in page()
    delete_resource(added)
    _db.session.commit()
    assert page.moved() and "Deep dive" not in page()


def test_faq(page):
    faq = add_faq(product(), "Is there an API?", "A **REST** one.")
    _db.session.commit()
    assert page.moved() and "<strong>REST</strong>" in page()
    update_faq(faq, "Is there an API?", "A *GraphQL* one.")
    _db.session.commit()
    assert page.moved() and "<em>GraphQL</em>" in page()
    delete_faq(_db.session.get(Faq, faq.id))
    _db.session.commit()
    assert page.moved() and "Is there an API?" not in page()


def test_testimonial_approved(page, staff):
    pending = make_testimonial(product(), rating=5, status="pending")
    _db.session.commit()
    assert "2 testimonials" in page()  # pending: not shown (a new row moves the version)
    approve_testimonial(staff, pending.id)  # an UPDATE statement, not the unit of work
    _db.session.commit()
    assert page.moved() and "3 testimonials" in page()


def test_testimonial_rejected_or_back_in_moderation(page):
    _db.session.execute(
        update(models.Testimonial).where(models.Testimonial.rating == 2).values(status="pending")
    )
    _db.session.commit()
    assert page.moved() and "1 testimonial" in page() and "4.0</span>" in page()


def test_author_erased(page):
    """The real erasure, and a bare DELETE of the user: the database deletes their
    testimonials (ON DELETE CASCADE); the ORM never sees those rows."""
    author = _db.session.scalar(select(User).where(User.name == "Casey Customer"))
    _db.session.execute(delete(User).where(User.id == author.id))
    _db.session.commit()
    assert page.moved() and "1 testimonial" in page()


def test_account_erasure(page):
    erase_user(_db.session.scalar(select(User).where(User.name == "Casey Customer")))
    _db.session.commit()
    assert page.moved() and "1 testimonial" in page()


def test_question_answered_and_answer_hidden(page, staff):
    asked = datetime.now(UTC) - timedelta(days=9, hours=1)
    question = Question(product_id=product().id, title="Does it do SSO?", created_at=asked)
    _db.session.add(question)
    _db.session.commit()
    answer_question(staff, question.id, "Yes, SAML and OIDC both.")
    _db.session.commit()
    assert page.moved() and "typically answered within 5 days" in page()  # median of 0, 9.04
    for answer in _db.session.scalars(select(Answer)):
        set_hidden(staff, answer, True, "test")
    _db.session.commit()
    assert page.moved() and "typically answered" not in page()


def test_accepted_and_helpful_answers(page, make_user):
    """Not shown on the product page today; they still move the version (the tables are
    page tables), and the page stays the uncached one."""
    asker = _db.session.merge(make_user(role="buyer"))
    question = _db.session.scalar(select(Question))
    question.author_id = asker.id
    _db.session.commit()
    answer = _db.session.scalar(select(Answer))
    accept_answer(asker, answer.id, question.id, question.product_id)
    _db.session.commit()
    assert page.moved()
    page()


def test_helpful_vote_on_a_testimonial(page, make_user):
    voter = _db.session.merge(make_user(role="buyer"))
    testimonial = _db.session.scalar(
        select(models.Testimonial).where(models.Testimonial.rating == 2)
    )
    assert vote_helpful(voter, testimonial.id)  # a savepoint, then an UPDATE statement
    _db.session.commit()
    assert page.moved()
    page()


def test_write_outside_a_session(page):
    with _db.engine.begin() as conn:
        conn.execute(update(Plan).where(Plan.name == "Team").values(name="Squad"))
    assert page.moved() and "Squad" in page()


def test_rolled_back_write_keeps_the_version_and_the_page(app, page):
    product().name = "Never shown"
    _db.session.flush()
    _db.session.rollback()
    assert not page.moved()
    assert "Never shown" not in page() and len(page_store(app)) == 1


def test_a_view_inside_the_writing_transaction_is_fresh_and_not_kept(app, page):
    kept = dict(page_store(app)._entries)
    with app.test_request_context(PATH):
        product().name = "Uncommitted"  # not even flushed yet: reading the version flushes
        assert cached_product_page("lens", get_product).name == "Uncommitted"
        assert dict(page_store(app)._entries) == kept
        _db.session.rollback()
        assert cached_product_page("lens", get_product).name == "Lens <Pro>"
    assert not page.moved() and "Uncommitted" not in page()


def test_another_process_sees_this_ones_writes(app, page, tmp_path):
    """Two apps on one database stand for two gunicorn processes: each keeps its own
    bodies, the version row tells both."""
    other = create_app({**app.config, "TESTING": True})
    with other.app_context():
        other_client = other.test_client()
        assert "Lens &lt;Pro&gt;" in other_client.get(PATH).text  # its own cache, warm
        other_client.get(PATH)
        plan = _db.session.scalar(select(Plan).where(Plan.name == "Team"))
        update_plan(plan, PlanData("Team", 7700, per_seat=True, max_quantity=50))
        _db.session.commit()
        assert "$77.00" in other_client.get(PATH).text
        _db.session.remove()
        _db.engine.dispose()
    assert page.moved() and "$77.00" in page()
