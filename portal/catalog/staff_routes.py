"""Catalog administration pages (admins only), on the catalog blueprint under /admin/catalog:
products, plans, resources and FAQ.

Thin views: read the form, call ``staff_services`` / ``plans`` through ``perform`` (one
commit), flash and redirect; a ``CatalogError`` becomes an error on the form field at fault,
or above the form (status 422).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.boundary import Outcome, perform, show_on_form
from portal.catalog import bp, plans
from portal.catalog import staff_services as editing
from portal.catalog.files import delete_pdf, files_folder
from portal.catalog.forms import ConfirmForm, FaqForm, PlanForm, ProductForm, ResourceForm
from portal.catalog.services import get_product
from portal.catalog.text import render_markdown
from portal.extensions import db
from portal.models import Faq, Plan, Product, Resource
from portal.security import role_required


def _refused(form, done: Outcome, template: str, **context):
    """Show the refusal on its field, or above the form when no field fits; answer 422."""
    error = done.error
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        show_on_form(form, error)
        return render_template(template, form=form, **context), 422
    return render_template(template, form=form, error=error.message, **context), 422


def _status(form) -> int:
    return 422 if form.errors else 200


def _load_product(product_id: int) -> Product:
    return db.get_or_404(Product, product_id)


# -- products -----------------------------------------------------------------------------


@bp.get("/admin/catalog")
@role_required("admin")
def catalog():
    plan_counts = (
        select(Plan.product_id, func.count().label("plans"))
        .where(Plan.is_active)
        .group_by(Plan.product_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Product, func.coalesce(plan_counts.c.plans, 0))
        .outerjoin(plan_counts, plan_counts.c.product_id == Product.id)
        .order_by(Product.is_active.desc(), Product.sort_order, Product.name)
    ).all()
    return render_template("catalog/staff_catalog.html", rows=rows, form=ConfirmForm())


def _product_data(form: ProductForm) -> editing.ProductData:
    return editing.ProductData(
        slug=form.slug.data or "",
        name=form.name.data or "",
        tagline=form.tagline.data or "",
        category=form.category.data or "",
        use_cases=[case.strip() for case in (form.use_cases.data or "").split(",") if case.strip()],
        description_md=form.description_md.data or "",
        features=editing.features_from_text(form.features.data or ""),
        specs=editing.specs_from_text(form.specs.data or ""),
        recipe=form.recipe.data or None,
        is_featured=form.is_featured.data,
        sort_order=form.sort_order.data or 0,
    )


def _product_form_page(form: ProductForm, product: Product | None):
    """Validate and save, or show a preview of the submitted copy without saving."""
    template = "catalog/staff_product_form.html"
    context = {"product": product, "preview": None}
    if not form.validate_on_submit():
        return render_template(template, form=form, **context), _status(form)
    preview = request.form.get("action") == "preview"
    done = perform(_save_product, form, product, preview)
    if not done:
        return _refused(form, done, template, **context)
    if preview:
        context["preview"] = done.value
        return render_template(template, form=form, **context)
    product, message = done.value
    flash(message, "success")
    return redirect(url_for("catalog.catalog_product", product_id=product.id))


def _save_product(form: ProductForm, product: Product | None, preview: bool):
    """Check the submitted product (preview: every rule, nothing written) or save it."""
    data = _product_data(form)
    if preview:
        editing.check_product(data, product)
        return {"data": data, "description": render_markdown(data.description_md)}
    if product is None:
        product = editing.create_product(data)
        return product, f"{product.name} is in the catalog. Add its plans next."
    editing.update_product(product, data)
    return product, f"Saved {product.name}."


@bp.route("/admin/catalog/new", methods=["GET", "POST"])
@role_required("admin")
def catalog_new_product():
    return _product_form_page(ProductForm(), None)


@bp.route("/admin/catalog/<int:product_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def catalog_edit_product(product_id: int):
    product = _load_product(product_id)
    form = ProductForm(obj=product)
    if request.method == "GET":
        form.use_cases.data = ", ".join(product.use_cases or [])
        form.features.data = editing.features_to_text(product.features)
        form.specs.data = editing.specs_to_text(product.specs)
    return _product_form_page(form, product)


@bp.get("/admin/catalog/<int:product_id>")
@role_required("admin")
def catalog_product(product_id: int):
    product = db.session.scalar(
        select(Product)
        .where(Product.id == product_id)
        .options(
            selectinload(Product.plans),
            selectinload(Product.resources),
            selectinload(Product.faqs),
        )
    )
    if product is None:
        abort(404)
    return render_template("catalog/staff_product.html", product=product, form=ConfirmForm())


@bp.get("/admin/catalog/<int:product_id>/preview")
@role_required("admin")
def catalog_preview(product_id: int):
    """The product page as buyers see it (also for archived products); records nothing."""
    product = get_product(_load_product(product_id).slug, include_archived=True)
    return render_template("catalog/product.html", product=product, preview=True)


@bp.post("/admin/catalog/<int:product_id>/archive")
@role_required("admin")
def catalog_archive_product(product_id: int):
    product = _load_product(product_id)
    if ConfirmForm().validate_on_submit() and perform(editing.archive_product, product):
        flash(
            f"{product.name} is archived: it left the catalog and search. "
            "Orders and history still point at it.",
            "success",
        )
    return redirect(url_for("catalog.catalog_product", product_id=product.id))


@bp.post("/admin/catalog/<int:product_id>/restore")
@role_required("admin")
def catalog_restore_product(product_id: int):
    product = _load_product(product_id)
    if ConfirmForm().validate_on_submit() and perform(editing.restore_product, product):
        flash(f"{product.name} is back in the catalog.", "success")
    return redirect(url_for("catalog.catalog_product", product_id=product.id))


# -- plans --------------------------------------------------------------------------------


def _plan_page(form: PlanForm, product: Product, plan: Plan | None):
    template = "catalog/staff_plan_form.html"
    context = {"product": product, "plan": plan}
    if not form.validate_on_submit():
        return render_template(template, form=form, **context), _status(form)
    done = perform(_save_plan, form, product, plan)
    if not done:
        return _refused(form, done, template, **context)
    flash(f"Saved the {done.value.name} plan of {product.name}.", "success")
    return redirect(url_for("catalog.catalog_product", product_id=product.id) + "#plans")


def _save_plan(form: PlanForm, product: Product, plan: Plan | None) -> Plan:
    currency = plans.check_currency(form.currency.data)
    data = plans.PlanData(
        name=form.name.data,
        unit_amount=plans.parse_amount(form.amount.data, currency),
        currency=currency,
        billing=form.billing.data,
        per_seat=form.per_seat.data,
        min_quantity=form.min_quantity.data,
        max_quantity=form.max_quantity.data,
        description=form.description.data or "",
        sort_order=form.sort_order.data or 0,
    )
    if plan is None:
        return plans.add_plan(product, data)
    return plans.update_plan(plan, data)


@bp.route("/admin/catalog/<int:product_id>/plans/new", methods=["GET", "POST"])
@role_required("admin")
def catalog_new_plan(product_id: int):
    return _plan_page(PlanForm(), _load_product(product_id), None)


@bp.route("/admin/catalog/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def catalog_edit_plan(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    form = PlanForm(obj=plan)
    if request.method == "GET":
        form.amount.data = plans.format_amount(plan.unit_amount, plan.currency)
    return _plan_page(form, plan.product, plan)


@bp.post("/admin/catalog/plans/<int:plan_id>/<any(archive, restore):action>")
@role_required("admin")
def catalog_plan_state(plan_id: int, action: str):
    plan = db.get_or_404(Plan, plan_id)
    if ConfirmForm().validate_on_submit() and perform(
        plans.set_plan_active, plan, action == "restore"
    ):
        state = "back on sale" if action == "restore" else "archived (old orders keep it)"
        flash(f"The {plan.name} plan is {state}.", "success")
    return redirect(url_for("catalog.catalog_product", product_id=plan.product_id) + "#plans")


# -- resources ----------------------------------------------------------------------------


def _uploaded_bytes(form: ResourceForm) -> bytes | None:
    upload = form.file.data
    return upload.read() if upload and getattr(upload, "filename", "") else None


def _resource_fields(form: ResourceForm) -> dict:
    """What the resource services take from the form (the upload read once)."""
    return {
        "title": form.title.data,
        "summary": form.summary.data or "",
        "url": form.url.data,
        "pdf": _uploaded_bytes(form),
        "folder": files_folder(current_app),
        "sort_order": form.sort_order.data or 0,
    }


@bp.route("/admin/catalog/<int:product_id>/resources/new", methods=["GET", "POST"])
@role_required("admin")
def catalog_new_resource(product_id: int):
    product = _load_product(product_id)
    form = ResourceForm()
    template, context = "catalog/staff_resource_form.html", {"product": product, "resource": None}
    if not form.validate_on_submit():
        return render_template(template, form=form, **context), _status(form)
    done = perform(editing.add_resource, product, form.kind.data, **_resource_fields(form))
    if not done:
        return _refused(form, done, template, **context)
    flash(f"Added “{done.value.title}”.", "success")
    return redirect(url_for("catalog.catalog_product", product_id=product.id) + "#resources")


@bp.route("/admin/catalog/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def catalog_edit_resource(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    form = ResourceForm(obj=resource)
    form.kind.data = resource.kind  # the kind of an existing resource does not change
    template = "catalog/staff_resource_form.html"
    context = {"product": resource.product, "resource": resource}
    if not form.validate_on_submit():
        return render_template(template, form=form, **context), _status(form)
    done = perform(editing.update_resource, resource, **_resource_fields(form))
    if not done:
        return _refused(form, done, template, **context)
    delete_pdf(files_folder(current_app), done.value)  # the replaced file, once committed
    flash(f"Saved “{resource.title}”.", "success")
    return redirect(
        url_for("catalog.catalog_product", product_id=resource.product_id) + "#resources"
    )


@bp.post("/admin/catalog/resources/<int:resource_id>/delete")
@role_required("admin")
def catalog_delete_resource(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    product_id, title = resource.product_id, resource.title
    done = ConfirmForm().validate_on_submit() and perform(editing.delete_resource, resource)
    if done:
        delete_pdf(files_folder(current_app), done.value)  # the file goes once the row is gone
        flash(f"Deleted “{title}”.", "success")
    return redirect(url_for("catalog.catalog_product", product_id=product_id) + "#resources")


# -- FAQ ----------------------------------------------------------------------------------


def _faq_page(form: FaqForm, product: Product, faq: Faq | None):
    template = "catalog/staff_faq_form.html"
    context = {"product": product, "faq": faq}
    if not form.validate_on_submit():
        return render_template(template, form=form, **context), _status(form)
    args = (form.question.data, form.answer_md.data, form.sort_order.data or 0)
    done = (
        perform(editing.update_faq, faq, *args) if faq else perform(editing.add_faq, product, *args)
    )
    if not done:
        return _refused(form, done, template, **context)
    flash("Saved the question.", "success")
    return redirect(url_for("catalog.catalog_product", product_id=product.id) + "#faq")


@bp.route("/admin/catalog/<int:product_id>/faq/new", methods=["GET", "POST"])
@role_required("admin")
def catalog_new_faq(product_id: int):
    return _faq_page(FaqForm(), _load_product(product_id), None)


@bp.route("/admin/catalog/faq/<int:faq_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def catalog_edit_faq(faq_id: int):
    faq = db.get_or_404(Faq, faq_id)
    return _faq_page(FaqForm(obj=faq), faq.product, faq)


@bp.post("/admin/catalog/faq/<int:faq_id>/delete")
@role_required("admin")
def catalog_delete_faq(faq_id: int):
    faq = db.get_or_404(Faq, faq_id)
    product_id = faq.product_id
    if ConfirmForm().validate_on_submit() and perform(editing.delete_faq, faq):
        flash("Deleted the question.", "success")
    return redirect(url_for("catalog.catalog_product", product_id=product_id) + "#faq")
