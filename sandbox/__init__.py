"""Testdrive sandbox: run product demos on a prospect's own data, safely. Never imports Flask.

Public API (the web adapter ``portal/trials/`` uses only these names)::

    from sandbox import (
        Limits, DatasetStore, DatasetInfo, Column,
        ingest, retype, Interpretation, get_dataset, list_datasets, delete_dataset,
        reassign_owner, purge,
        RECIPES, get_recipe, suggest_mapping, preselected_mapping, validate_mapping, Suggestion,
        RunQueue, RunStatus, make_queue, write_result_csv, sample_csv,
        SandboxError, IngestError, MappingError, NotFound, ResultNotReady,
    )

Datasets
    ``store = DatasetStore(root)``
    ``ingest(store, owner_key, fileobj_or_path, filename, limits=Limits(), sheet=None,
    types=None) -> DatasetInfo`` (``.to_dict()`` is JSON): every column with its
    ``interpretation`` (how its text was read, with a reason) and ``profile``; ``notes``
    (title rows, footer total, second table, ragged rows, with line numbers), ``sheets``
    and ``sheet`` for workbooks (the largest table unless ``sheet`` names one); ``types``
    maps columns to override specs. The file is only saved here: it is parsed in a sandbox
    child under the run limits (``Limits``: CPU, memory, wall clock, file size); JSON is read
    record by record; sample cells are cut at 200 characters (``sample_cell``);
    ``size_bytes`` is what the dataset stores on disk. Raises ``IngestError`` with
    ``.message`` (plain words) and ``.code`` (empty, too_large, too_many_columns,
    too_many_rows, not_tabular, encoding, ragged, zip_bomb, bad_xlsx, no_sheet, bad_json,
    too_deep, bad_filename, bad_override, timeout, too_big, unreadable).
    ``retype(store, owner_key, dataset_id, {column: spec}) -> DatasetInfo`` reads columns
    another way without a new upload (specs: ``sandbox.interpret.parse_override``);
    ``choose_sheet(store, owner_key, dataset_id, sheet) -> DatasetInfo`` reads another sheet
    of a workbook (kept as ``source.xlsx`` when it has several).
    ``get_dataset(store, owner_key, dataset_id)`` (``NotFound`` for other owners' ids),
    ``list_datasets(store, owner_key)``, ``delete_dataset(store, owner_key, dataset_id)``
    (also removes its runs), ``reassign_owner(store, old_owner_key, new_owner_key)``,
    ``purge(store, now=None) -> [{"kind", "id"}, ...]``.

Recipes
    ``RECIPES[name]`` / ``get_recipe(name)``: ``pipeline_lens``, ``data_doctor``,
    ``demand_radar``, ``segment_studio``; each has ``name, title, description,
    fields (name, type, required, hint, label, instead: the fields that, all mapped, stand
    in for a required one, as quantity and unit price for an amount), params (name, type
    int/float/choice/date, default, min, max, hint, choices; a date setting's ``None``
    default means "the latest date in your data")`` and ``to_dict()``.
    ``suggest_mapping(info, recipe) -> {field: Suggestion(column, confidence, reason,
    preselect)}`` from headers in seven languages and the columns' values;
    ``preselected_mapping(info, recipe) -> {field: column}`` (the confident ones only);
    ``validate_mapping(info, recipe, mapping, params) -> (mapping, params)`` raising
    ``MappingError``. Values that do not fit (text in a number column...) fail the run with
    category ``bad_data`` and a message naming the column, count and an example row.

Runs
    ``queue = make_queue(queue_url=None, store=store, limits=Limits(), max_workers=2)``:
    an in-process pool, or RQ when the URL (or env ``QUEUE_URL``) is ``redis://``; start
    RQ workers with ``python -m sandbox worker --queue-url URL``.
    ``queue.submit(owner_key, dataset_id, recipe_name, mapping, params) -> run_id``,
    ``queue.status(run_id, owner_key=None) -> RunStatus`` (state queued/running/succeeded/
    failed, step, percent, error, error_category in timeout/memory/bad_data/forbidden/disk/
    worker_lost/internal, created/started/finished times, sandbox metadata),
    ``queue.result(run_id, owner_key=None) -> dict`` (``ResultNotReady`` until it succeeded),
    ``queue.list_runs(owner_key, dataset_id=None)``.
    Result JSON schema: see :mod:`sandbox.result` (``schema_version`` 1).
    ``write_result_csv(result, table=None) -> str`` neutralises formula-like cells.

Samples
    ``sample_csv(recipe_name, rows=None, seed=7) -> bytes``: deterministic demo data.

Command line: ``python -m sandbox profile FILE``, ``python -m sandbox run FILE --recipe NAME
[--map field=column ...] [--param name=value ...] [--type column=spec ...] [--json]``,
``python -m sandbox worker``.
"""

from importlib import import_module

from .errors import (
    DataProblem,
    IngestError,
    MappingError,
    NotFound,
    QueueUnavailable,
    ResultNotReady,
    SandboxError,
)

# Loaded now: ``sandbox.ingest`` must name the function, not the subpackage of that name.
from .ingest import choose_sheet, ingest, retype, sample_cell
from .limits import GB, MB, Limits

# Loaded on first use (PEP 562), so ``python -m sandbox`` and the sandbox child start their
# work -- and their children -- without first importing every recipe and reader.
_LAZY = {
    "Interpretation": "interpret",
    "Suggestion": "mapping",
    "preselected_mapping": "mapping",
    "LocalQueue": "queue",
    "RQQueue": "queue",
    "RunQueue": "queue",
    "RunStatus": "queue",
    "make_queue": "queue",
    "RECIPES": "recipes",
    "get_recipe": "recipes",
    "register": "recipes",
    "suggest_mapping": "recipes",
    "validate_mapping": "recipes",
    "SCHEMA_VERSION": "result",
    "write_result_csv": "result",
    "sample_csv": "samples",
    "Column": "store",
    "DatasetInfo": "store",
    "DatasetStore": "store",
    "delete_dataset": "store",
    "get_dataset": "store",
    "list_datasets": "store",
    "purge": "store",
    "reassign_owner": "store",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "RECIPES",
    "SCHEMA_VERSION",
    "Column",
    "DataProblem",
    "DatasetInfo",
    "DatasetStore",
    "IngestError",
    "Interpretation",
    "GB",
    "Limits",
    "MB",
    "LocalQueue",
    "MappingError",
    "NotFound",
    "QueueUnavailable",
    "RQQueue",
    "ResultNotReady",
    "RunQueue",
    "RunStatus",
    "SandboxError",
    "Suggestion",
    "choose_sheet",
    "delete_dataset",
    "get_dataset",
    "get_recipe",
    "ingest",
    "list_datasets",
    "make_queue",
    "purge",
    "reassign_owner",
    "register",
    "preselected_mapping",
    "retype",
    "sample_cell",
    "sample_csv",
    "suggest_mapping",
    "validate_mapping",
    "write_result_csv",
]
