"""External links (e-mails, PDFs, the API, payment return URLs) are built from the
configured ``PUBLIC_BASE_URL``, never from the request's ``Host`` header: a forged Host must
not be able to put its own domain into a password-reset mail ("reset poisoning").

``Portal.url_for`` does this for every ``url_for(..., _external=True)`` in code and templates,
and makes external links work outside a request too (workers, CLI). ``trusted_hosts`` lists
the host names requests may carry (Flask's ``TRUSTED_HOSTS``): other hosts get 400.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from urllib.parse import quote, urlsplit

from flask import Flask, has_request_context, request, url_for
from flask.globals import request_ctx
from werkzeug.routing import BuildError

# Loopback names stay trusted: local tools, health checks on the same host and the test client.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"  # as Flask quotes ``_anchor``
MAX_REMEMBERED_URLS = 4096  # relative URLs remembered per app (then it starts again)


class Portal(Flask):
    """Flask, with absolute URLs always on ``PUBLIC_BASE_URL``."""

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values,
    ) -> str:
        in_request = has_request_context()
        # No adapter in a request means its Host was refused (the error page still has links).
        routable = in_request and request_ctx.url_adapter is not None
        if routable and not _external and _scheme is None:
            return self._relative_url(endpoint, _anchor, _method, values)
        if in_request and endpoint[:1] == ".":
            blueprint = request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        self.inject_url_defaults(endpoint, values)
        base = urlsplit(self.config["PUBLIC_BASE_URL"])
        adapter = self.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=_scheme or base.scheme
        )
        external = _external if _external is not None else not in_request or bool(_scheme)
        try:
            url = adapter.build(endpoint, values, method=_method, force_external=external)
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            url = f"{url}#{quote(_anchor, safe=ANCHOR_SAFE)}"
        return url

    def _relative_url(self, endpoint: str, anchor, method, values: dict) -> str:
        """Flask's ``url_for`` in a request, remembered per request address, endpoint and
        arguments. A page links the same few dozen URLs on every view and building one costs
        tens of microseconds; the result is a pure function of that key while no URL
        default functions (which could read the request) are registered."""
        if endpoint[:1] == "." or any(self.url_default_functions.values()):
            return super().url_for(endpoint, _anchor=anchor, _method=method, **values)
        adapter = request_ctx.url_adapter
        try:
            key = (
                adapter.script_name, adapter.server_name, adapter.subdomain, adapter.url_scheme,
                endpoint, anchor, method,
                tuple((name, type(value), value) for name, value in values.items()),
            )  # fmt: skip
            url = self._relative_urls.get(key)
        except TypeError:  # an unhashable argument (a list): built every time
            return super().url_for(endpoint, _anchor=anchor, _method=method, **values)
        if url is None:
            url = super().url_for(endpoint, _anchor=anchor, _method=method, **values)
            if len(self._relative_urls) >= MAX_REMEMBERED_URLS:
                self._relative_urls.clear()
            self._relative_urls[key] = url
        return url

    @cached_property
    def _relative_urls(self) -> dict:
        return {}


def public_host(config) -> str:
    return urlsplit(config["PUBLIC_BASE_URL"]).hostname or ""


def trusted_hosts(config) -> list[str] | None:
    """The host of ``PUBLIC_BASE_URL``, the loopback names and ``EXTRA_TRUSTED_HOSTS``
    (env ``TRUSTED_HOSTS``, comma-separated; ``.example.com`` also trusts its subdomains).
    ``*`` turns the check off, for a proxy that already refuses unknown hosts."""
    extra = list(config.get("EXTRA_TRUSTED_HOSTS") or [])
    if "*" in extra:
        return None
    hosts = [public_host(config), *LOOPBACK_HOSTS, *extra]
    return list(dict.fromkeys(h for h in hosts if h))


# An id no row reaches (the int converter stops at 2**31 - 1): a marker in a built path.
_MARKER_ID = 2**31 - 1


def path_for_ids(endpoint: str, name: str) -> Callable[[int], str]:
    """``url_for(endpoint, **{name: id})`` for many ids at the price of one: the path is built
    once with a marker id, and each id is put in its place. For pages that link hundreds of
    rows (the board's cards); the route must take the id as a plain path segment."""
    path = url_for(endpoint, **{name: _MARKER_ID})
    head, found, tail = path.partition(str(_MARKER_ID))
    if not found or "?" in head or str(_MARKER_ID) in tail:
        raise ValueError(f"{endpoint} does not put {name} in its path once")
    return lambda value: f"{head}{int(value)}{tail}"
