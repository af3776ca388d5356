"""Refused uploads are counted by reason in the seller's listening view ("why runs failed")."""

from portal.pipeline import listening
from portal.pipeline.words import reason_words
from tests.trials.conftest import upload


def test_refused_uploads_are_counted_by_reason(visitor, lens, db):
    for data, name in ((b"", "a.csv"), (b"", "b.csv"), (b'{"a": [1, 2', "c.json")):
        assert upload(visitor, lens, data, name).status_code == 422
    failures = {row.label: row.count for row in listening.compute(days=30)["failures"]}
    assert failures["Upload refused: an empty file"] == 2
    json_rows = [label for label in failures if label.startswith("Upload refused:")]
    assert len(json_rows) == 2 and sum(failures[label] for label in json_rows) == 3
    assert reason_words("bad_encoding") == "the file's text encoding"
