from flask import current_app, redirect, render_template, url_for
from sqlalchemy import func, select

from portal.admin import bp
from portal.admin.forms import CheckAgainForm
from portal.admin.services import isolation_status
from portal.extensions import db
from portal.models import User
from portal.security import role_required
from portal.trials.sandbox_gateway import sandbox_limits


@bp.get("/")
@role_required("admin")
def index():
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return render_template("admin/index.html", counts=counts)


def _isolation(refresh: bool = False):
    max_age = current_app.config["SANDBOX_CHECK_MAX_AGE"]
    return isolation_status(sandbox_limits(), max_age, refresh=refresh)


@bp.get("/system")
@role_required("admin")
def system():
    return render_template("admin/system.html", isolation=_isolation(), form=CheckAgainForm())


@bp.post("/system/check")
@role_required("admin")
def check_system():
    if CheckAgainForm().validate_on_submit():
        _isolation(refresh=True)
    return redirect(url_for("admin.system"), code=303)
