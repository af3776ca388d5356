"""Ingest inside the sandbox child: the job kind ``{"kind": "ingest", "op": ...}``.

The parent (:mod:`sandbox.ingest`) stages everything the job reads into the job's own folder
(the upload, a workbook kept for another sheet, the data to re-type) and moves the result
into the store itself; the child only reads and writes inside that folder, under the run's
CPU, memory, wall-clock and file-size limits. The result is ``DatasetInfo.to_dict()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..limits import Limits
from ..store import DatasetInfo

# Every file a job reads or writes, inside its folder.
UPLOAD = "upload"
DATA = "data.parquet"


def run_job(job: dict[str, Any], emit) -> dict[str, Any]:
    limits = Limits.from_dict(job["limits"])
    staging = Path(job["workdir"])
    op = job["op"]
    emit({"type": "progress", "step": "Reading your file", "percent": 5})
    if op == "read":
        from .read import ingest_staged

        info = ingest_staged(
            staging / UPLOAD,
            staging,
            job["owner_key"],
            job["filename"],
            limits,
            job.get("sheet"),
            job.get("types"),
        )
    elif op == "retype":
        from .retype import retype_data

        old = DatasetInfo.from_dict(job["info"])
        info = retype_data(old, job["overrides"], staging / DATA, staging, limits)
    else:
        raise ValueError(f"unknown ingest operation {op!r}")
    return info.to_dict()
