"""Trusted voices: testimonials, helpful votes, reference calls, peer questions and answers.

Every piece of text here was written by a person: the length limits below are enforced in the
forms and services as well as in the columns, and templates always escape it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import User
from portal.models.base import Base, TimestampMixin, utcnow
from portal.models.catalog import Product

# Fixed vocabularies: codes are stored, labels are shown. Order matters for company sizes
# (neighbouring sizes count as a partial fit when ranking references).
INDUSTRIES: dict[str, str] = {
    "logistics": "Logistics & transport",
    "retail": "Retail & e-commerce",
    "manufacturing": "Manufacturing",
    "software": "Software & SaaS",
    "financial": "Financial services",
    "healthcare": "Healthcare",
    "professional": "Professional services",
    "education": "Education",
    "public": "Public sector",
    "other": "Other",
}
COMPANY_SIZES: dict[str, str] = {
    "1-50": "1–50 employees",
    "51-200": "51–200 employees",
    "201-1000": "201–1,000 employees",
    "1001-5000": "1,001–5,000 employees",
    "5001+": "More than 5,000 employees",
}
REFERENCE_TOPICS: dict[str, str] = {
    "rollout": "Onboarding and rollout",
    "data": "Integrations and data quality",
    "roi": "ROI and the business case",
    "adoption": "Getting the team to use it",
    "support": "Support and service",
    "buying": "Pricing and procurement",
    "security": "Security and compliance",
    "switching": "Switching from another tool",
}
DISPLAY_CHOICES: dict[str, str] = {
    "full": "My full name and company",
    "initial": "My first name and last initial",
    "anonymous": "Anonymous (role, industry and company size only)",
}

TESTIMONIAL_KINDS = ("verified", "imported")
TESTIMONIAL_STATUSES = ("pending", "approved", "rejected")
REFERENCE_STATUSES = ("requested", "proposed", "introduced", "completed", "declined")

# Field lengths, shared by columns, forms and services.
TITLE_MAX = 120
BODY_MAX = 3000
ROLE_MAX = 80
NAME_MAX = 160
SOURCE_MAX = 300
REASON_MAX = 500
QUESTION_TITLE_MAX = 200
QUESTION_BODY_MAX = 2000
ANSWER_MAX = 2000
MESSAGE_MAX = 1000
AVAILABILITY_MAX = 200
MONTHLY_CAP_MAX = 10
PROS_MAX = 1500
USE_CASE_MAX = 200
REPLY_MAX = 2000
REPLY_STATUSES = ("pending", "approved", "rejected")
# Sub-ratings of a review: column -> the question it answers (1–5 stars each).
SUB_RATINGS: dict[str, str] = {
    "ease_of_use": "Ease of use",
    "support_rating": "Quality of support",
    "value_rating": "Value for money",
}


class Testimonial(TimestampMixin, Base):
    """A customer's words about a product.

    ``verified``: written by a user with a paid order for the product, badged with the
    purchase month. ``imported``: a published customer story entered by an admin, labelled
    "Customer story" with its source, never badged as verified.
    """

    __tablename__ = "testimonial"
    __table_args__ = (
        UniqueConstraint("product_id", "author_id", name="uq_testimonial_product_author"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("helpful_count >= 0", name="helpful_not_negative"),
        CheckConstraint("kind IN ('verified', 'imported')", name="kind_known"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
        CheckConstraint("ease_of_use BETWEEN 1 AND 5", name="ease_range"),
        CheckConstraint("support_rating BETWEEN 1 AND 5", name="support_range"),
        CheckConstraint("value_rating BETWEEN 1 AND 5", name="value_range"),
        CheckConstraint("recommend BETWEEN 0 AND 10", name="recommend_range"),
        Index("ix_testimonial_product_status", "product_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    # NULL for imported stories (and never for verified ones: erasure deletes those).
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default="verified")
    rating: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(ROLE_MAX), default="")
    industry: Mapped[str] = mapped_column(String(20))
    company_size: Mapped[str] = mapped_column(String(12))
    display_choice: Mapped[str] = mapped_column(String(10), default="initial")
    # A snapshot of the name as the author chose to show it ("" = anonymous).
    display_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    # The month of the purchase that makes the author a verified customer.
    purchased_at: Mapped[datetime | None] = mapped_column(default=None)
    source_note: Mapped[str] = mapped_column(String(SOURCE_MAX), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    rejection_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    moderated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    moderated_at: Mapped[datetime | None] = mapped_column(default=None)
    helpful_count: Mapped[int] = mapped_column(default=0)
    # Depth (all optional, so older reviews and imported stories stay valid): sub-ratings
    # 1–5, likelihood to recommend 0–10 (the product's NPS), pros, cons and the use case.
    ease_of_use: Mapped[int | None] = mapped_column(default=None)
    support_rating: Mapped[int | None] = mapped_column(default=None)
    value_rating: Mapped[int | None] = mapped_column(default=None)
    recommend: Mapped[int | None] = mapped_column(default=None)
    pros: Mapped[str] = mapped_column(Text, default="")
    cons: Mapped[str] = mapped_column(Text, default="")
    use_case: Mapped[str] = mapped_column(String(USE_CASE_MAX), default="")

    product: Mapped[Product] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def is_verified(self) -> bool:
        return self.kind == "verified"

    @property
    def industry_label(self) -> str:
        return INDUSTRIES.get(self.industry, self.industry)

    @property
    def company_size_label(self) -> str:
        return COMPANY_SIZES.get(self.company_size, self.company_size)


class VendorReply(TimestampMixin, Base):
    """The vendor's one public reply to a review, moderated like reviews before it shows."""

    __tablename__ = "vendor_reply"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    testimonial_id: Mapped[int] = mapped_column(
        ForeignKey("testimonial.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    moderated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    moderated_at: Mapped[datetime | None] = mapped_column(default=None)

    testimonial: Mapped[Testimonial] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class TestimonialRevision(Base):
    """A published version of a review, kept when its author updates it."""

    __tablename__ = "testimonial_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimonial_id: Mapped[int] = mapped_column(
        ForeignKey("testimonial.id", ondelete="CASCADE"), index=True
    )
    snapshot: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpfulVote(Base):
    """One person found one testimonial helpful. The unique pair prevents double counting."""

    __tablename__ = "helpful_vote"
    __table_args__ = (
        UniqueConstraint("testimonial_id", "user_id", name="uq_helpful_vote_testimonial_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    testimonial_id: Mapped[int] = mapped_column(
        ForeignKey("testimonial.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferenceProfile(TimestampMixin, Base):
    """A customer's opt-in to talk to prospects: what about, when, and how often at most."""

    __tablename__ = "reference_profile"
    __table_args__ = (
        CheckConstraint(f"monthly_cap BETWEEN 1 AND {MONTHLY_CAP_MAX}", name="cap_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    industry: Mapped[str] = mapped_column(String(20))
    company_size: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(ROLE_MAX), default="")
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    availability: Mapped[str] = mapped_column(String(AVAILABILITY_MAX), default="")
    monthly_cap: Mapped[int] = mapped_column(default=2)

    user: Mapped[User] = relationship()


class ReferenceRequest(TimestampMixin, Base):
    """A prospect asks to talk to a customer like them; a seller brokers the introduction.

    Status: requested → proposed (a seller picked a customer) → introduced (the customer
    accepted; both got each other's contact details) → completed (the call happened).
    ``declined``: the proposed customer said no, or the seller closed the request; from there
    a seller may still propose someone else. Customers who said no are remembered in
    ``declined_reference_ids`` and are not proposed again for this request.
    """

    __tablename__ = "reference_request"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'proposed', 'introduced', 'completed', 'declined')",
            name="status_known",
        ),
        Index("ix_reference_request_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    industry: Mapped[str] = mapped_column(String(20))
    company_size: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(ROLE_MAX), default="")
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX))
    status: Mapped[str] = mapped_column(String(12), default="requested")
    reference_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    declined_reference_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    seller_note: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    close_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    proposed_at: Mapped[datetime | None] = mapped_column(default=None)
    introduced_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    declined_at: Mapped[datetime | None] = mapped_column(default=None)

    product: Mapped[Product] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    reference: Mapped[User | None] = relationship(foreign_keys=[reference_id])

    @property
    def industry_label(self) -> str:
        return INDUSTRIES.get(self.industry, self.industry)

    @property
    def company_size_label(self) -> str:
        return COMPANY_SIZES.get(self.company_size, self.company_size)

    @property
    def topic_labels(self) -> list[str]:
        return [REFERENCE_TOPICS[t] for t in self.topics or () if t in REFERENCE_TOPICS]


class Question(TimestampMixin, Base):
    """A prospect's question about a product, answered by verified customers and sellers."""

    __tablename__ = "question"
    __table_args__ = (Index("ix_question_product_created", "product_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    # NULL once the asker erased their account (the thread stays, anonymised).
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(QUESTION_TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")
    is_hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")

    product: Mapped[Product] = relationship()
    author: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question",
        order_by="Answer.created_at, Answer.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Answer(TimestampMixin, Base):
    """An answer by a verified customer (badged) or by the vendor's team."""

    __tablename__ = "answer"
    __table_args__ = (
        CheckConstraint("author_kind IN ('customer', 'seller')", name="author_kind_known"),
        CheckConstraint("helpful_count >= 0", name="helpful_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    author_kind: Mapped[str] = mapped_column(String(10))
    # A snapshot, like a testimonial's, so an anonymised answer still reads sensibly.
    display_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    purchased_at: Mapped[datetime | None] = mapped_column(default=None)
    body: Mapped[str] = mapped_column(Text)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    # The asker's pick (at most one per question) and the helpful marks, counted from
    # ``AnswerHelpfulVote``: together they put the best answer first.
    is_accepted: Mapped[bool] = mapped_column(default=False)
    helpful_count: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="answers")
    author: Mapped[User | None] = relationship()

    @property
    def is_verified_customer(self) -> bool:
        return self.author_kind == "customer"


class AnswerHelpfulVote(Base):
    """One person found one answer helpful (withdrawable). The unique pair counts them once."""

    __tablename__ = "answer_helpful_vote"
    __table_args__ = (
        UniqueConstraint("answer_id", "user_id", name="uq_answer_helpful_vote_answer_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
