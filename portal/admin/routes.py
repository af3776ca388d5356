from flask import render_template
from sqlalchemy import func, select

from portal.admin import bp
from portal.extensions import db
from portal.models import User
from portal.security import role_required


@bp.get("/")
@role_required("admin")
def index():
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return render_template("admin/index.html", counts=counts)
