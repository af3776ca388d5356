"""Internal codes in the seller's words: a demo's recipe by its title, why a run failed or an
upload was refused as a phrase ("the file's text encoding")."""

from __future__ import annotations

import sandbox

# Why a demo run failed (the runner's categories) or an upload was refused (ingest and quota
# codes), completing "failed because of …" / "refused because of …".
REASONS = {
    "bad_encoding": "the file's text encoding",
    "unicode": "the file's text encoding",
    "bad_data": "data that cannot support the analysis",
    "missing_column": "a column the demo needs was missing",
    "mapping": "columns that did not fit the demo",
    "timeout": "running out of time",
    "memory": "running out of memory",
    "disk": "running out of disk space",
    "worker_lost": "the demo worker stopping",
    "internal": "an error on our side",
    "too_large": "a file over the size limit",
    "too_many_rows": "too many rows",
    "too_many_columns": "too many columns",
    "empty": "an empty file",
    "not_tabular": "a file that is not a table",
    "unreadable": "a file we could not read as a table",
    "bad_json": "JSON that is not a table",
    "bad_xlsx": "a damaged Excel file",
    "no_sheet": "an Excel file without a sheet",
    "zip_bomb": "a suspiciously compressed Excel file",
    "too_deep": "JSON nested too deeply",
    "bad_filename": "a file name we cannot use",
    "bytes": "the storage quota being full",
    "uploads_per_hour": "too many uploads in an hour",
    "concurrent_runs": "too many demos at once",
}


def reason_words(code: str | None) -> str:
    if not code:
        return "an unknown reason"
    return REASONS.get(code, code.replace("_", " "))


def recipe_title(name: str | None) -> str:
    """The demo's title ("Demand radar"), or the code when no such recipe is installed."""
    if not name:
        return "an unknown demo"
    try:
        return sandbox.get_recipe(name).title or name.replace("_", " ")
    except sandbox.NotFound:
        return name.replace("_", " ")
