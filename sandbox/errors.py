"""Domain exceptions. Every message is meant to be shown to the prospect as is."""

from __future__ import annotations


class SandboxError(Exception):
    """Base class: ``message`` is plain words for the user, ``code`` is short and stable."""

    code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class IngestError(SandboxError):
    """An uploaded file could not be turned into a dataset."""

    code = "ingest"


class MappingError(SandboxError):
    """The chosen columns or parameters do not fit the recipe."""

    code = "mapping"


class NotFound(SandboxError):
    """The dataset, run or recipe does not exist (or belongs to someone else)."""

    code = "not_found"


class QueueUnavailable(SandboxError):
    """The run queue (Redis) cannot be reached: nothing was queued; try again shortly."""

    code = "queue_unavailable"


class ResultNotReady(SandboxError):
    """A run has no result: it is still going or it failed."""

    code = "not_ready"


class DataProblem(SandboxError):
    """The mapped data cannot support the analysis (raised inside a run -> bad_data)."""

    code = "bad_data"
