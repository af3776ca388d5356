"""Data Doctor on near-duplicate category labels: case, space and punctuation variants and
rare typos of a common label, with their counts."""

from __future__ import annotations

from doctor_data import findings, run_doctor


def test_near_duplicate_labels_are_grouped_with_their_counts(tmp_path):
    planted = {
        "Closed Won": 50,
        "Closed-Won": 4,
        "closed won ": 3,
        "Cloesd Won": 1,
        "Closed Lost": 40,
        "Lead": 30,
        "Qualified": 20,
    }
    stage = [label for label, k in planted.items() for _ in range(k)]
    n = len(stage)
    region = [f"Region {1 + i % 4}" for i in range(n)]  # numbered labels, not typos
    result = run_doctor(
        tmp_path,
        {"stage": stage, "region": region, "deal": [f"D-{i}" for i in range(n)]},
        {"stage": "text", "region": "text", "deal": "text"},
    )
    (similar,) = findings(result, "Similar labels")
    variants = ("Closed-Won", "closed won ", "Cloesd Won")
    assert (similar["Column"], similar["Cells"]) == ("stage", sum(planted[v] for v in variants))
    assert similar["Finding"].startswith(f"Column 'stage': 'Closed Won' ({planted['Closed Won']})")
    for v in variants:
        assert f"'{v}' ({planted[v]})" in similar["Finding"]
    assert "Closed Lost" not in similar["Finding"]


def test_every_label_with_variants_is_one_finding_of_its_column(tmp_path):
    counts = {"Lead": 40, "Lead ": 3, "Demo": 30, "DEMO": 2, "Won": 20, "won": 1, "Lost": 10}
    stage = [label for label, k in counts.items() for _ in range(k)]
    result = run_doctor(tmp_path, {"stage": stage}, {"stage": "text"})
    (similar,) = findings(result, "Similar labels")
    assert similar["Cells"] == counts["Lead "] + counts["DEMO"] + counts["won"]
    assert similar["Finding"] == (
        "Column 'stage': 'Lead' (40) also appears as 'Lead ' (3); 'Demo' (30) also appears "
        "as 'DEMO' (2); 'Won' (20) also appears as 'won' (1). Probably one label each, "
        "counted apart."
    )
    assert similar["Points lost"] > 0


def test_labels_of_similar_frequency_are_not_typos(tmp_path):
    """'Germany' and 'Germans' are a letter apart but both common: two labels."""
    words = ["Germany"] * 30 + ["Germans"] * 25 + ["France"] * 20
    result = run_doctor(tmp_path, {"country": words}, {"country": "text"})
    assert findings(result, "Similar labels") == []
