from flask import Blueprint

from portal.catalog.text import render_markdown

bp = Blueprint("catalog", __name__)
# ``{{ text|markdown }}``: vendor-written Markdown as sanitised HTML, for every area's templates.
bp.add_app_template_filter(render_markdown, "markdown")

from portal.catalog import routes, staff_routes  # noqa: E402,F401
