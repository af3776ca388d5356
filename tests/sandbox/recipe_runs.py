"""Run a recipe on generated CSV bytes the way a prospect would: ingest, the suggested
(preselected) mapping unless one is given, a real sandbox child."""

from __future__ import annotations

import csv
import io

from sandbox import get_recipe, ingest, preselected_mapping
from sandbox.queue import wait


def to_csv(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def run(store, queue, data: bytes, mapping=None, params=None, recipe="segment_studio"):
    info = ingest(store, "o", io.BytesIO(data), "lines.csv")
    if mapping is None:
        mapping = preselected_mapping(info, get_recipe(recipe))
    status = wait(queue, queue.submit("o", info.id, recipe, mapping, params or {}))
    assert status.state == "succeeded", status.error
    return queue.result(status.run_id), mapping


def kpi(result, label):
    return next(k for k in result["kpis"] if k["label"] == label)
