"""Cross-cutting security: role checks, safe redirects, security headers with a CSP, and
``Cache-Control: no-store`` on personal pages."""

from __future__ import annotations

import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, g, request
from flask import Request as FlaskRequest
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from portal.extensions import login_manager


def role_required(*roles: str):
    """Anonymous → login redirect; signed in without the role → 403. Admins pass seller checks."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login and consent."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def allow_csp_sources(**directives: str) -> None:
    """Let this response's CSP load more sources, e.g. ``allow_csp_sources(script_src=url)``.

    Directive names use underscores (``frame_src``); the sources add to the defaults.
    """
    extra = g.setdefault("csp_extra", {})
    for name, sources in directives.items():
        key = name.replace("_", "-")
        extra[key] = f"{extra.get(key, '')} {sources}".strip()


def _content_security_policy(app: Flask) -> str:
    extra = {
        "script-src": app.config.get("CSP_EXTRA_SCRIPT_SRC", ""),
        "frame-src": app.config.get("CSP_EXTRA_FRAME_SRC", ""),
        "connect-src": app.config.get("CSP_EXTRA_CONNECT_SRC", ""),
    }
    for key, sources in g.get("csp_extra", {}).items():
        extra[key] = f"{extra.get(key, '')} {sources}".strip()
    nonce = f"'nonce-{csp_nonce()}'"
    directives = [
        ("default-src", "'self'"),
        ("script-src", f"'self' {nonce}"),
        ("style-src", f"'self' {nonce}"),
        ("style-src-attr", "'unsafe-inline'"),
        ("img-src", "'self' data:"),
        ("font-src", "'self' data:"),
        ("connect-src", "'self'"),
        ("frame-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'self'"),
        ("form-action", "'self'"),
        ("frame-ancestors", "'none'"),
    ]
    return "; ".join(
        f"{name} {sources} {extra.get(name, '')}".strip() for name, sources in directives
    )


# Pages under these paths show the visitor's own data (a cart, a trial, an order) or need a
# sign-in; together with every page served to a signed-in person they are never stored.
PERSONAL_PATHS = (
    "/account",
    "/admin",
    "/api/",
    "/cart",
    "/checkout",
    "/orders",
    "/password/reset",
    "/quotes",
    "/references",
    "/seller",
    "/try",
)


def is_personal(path: str) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in PERSONAL_PATHS)


def _without_nul(value):
    return value.replace("\x00", " ") if isinstance(value, str) else value


class NulFreeParameters(ImmutableMultiDict):
    """Query and form parameters with every NUL turned into a space before any view reads
    them. No text we store or search may hold NUL (PostgreSQL refuses it deep in a query:
    schemathesis found ``/api/v1/deals?q=…\\x00…`` as a 500); the field cleaners then treat it
    like any other stray space."""

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            mapping = list(mapping.items(multi=True))
        if isinstance(mapping, (list, tuple)):
            mapping = [(_without_nul(key), _without_nul(value)) for key, value in mapping]
        super().__init__(mapping)


class Request(FlaskRequest):
    parameter_storage_class = NulFreeParameters


def register_security_headers(app: Flask) -> None:
    app.request_class = Request
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def add_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", _content_security_policy(app))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and (
            current_user.is_authenticated or is_personal(request.path)
        ):
            headers["Cache-Control"] = "no-store"
        return response
