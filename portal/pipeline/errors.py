"""The pipeline area's domain error: a seller or admin action that cannot be done."""

from __future__ import annotations

from portal.errors import ServiceError


class PipelineError(ServiceError):
    """A seller or admin action that cannot be done; the message is meant for them."""
