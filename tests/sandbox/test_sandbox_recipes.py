"""The four recipes on realistic sample data, mapping suggestions and validation."""

from __future__ import annotations

import csv
import io

import pytest

from sandbox import (
    RECIPES,
    MappingError,
    get_recipe,
    ingest,
    preselected_mapping,
    sample_csv,
    suggest_mapping,
    validate_mapping,
)
from sandbox.queue import wait
from sandbox.result import CHART_TYPES, SCHEMA_VERSION


def run_sample(store, queue, name, mapping=None, params=None, data=None):
    info = ingest(store, "o", io.BytesIO(data or sample_csv(name)), f"{name}.csv")
    if mapping is None:
        mapping = preselected_mapping(info, get_recipe(name))
    run_id = queue.submit("o", info.id, name, mapping, params or {})
    status = wait(queue, run_id)
    assert status.state == "succeeded", status.error
    return queue.result(run_id)


def kpis(result):
    return {k["label"]: k["value"] for k in result["kpis"]}


def check_schema(result):
    assert result["schema_version"] == SCHEMA_VERSION
    for k in result["kpis"]:
        assert set(k) == {"label", "value", "unit", "explanation"} and k["explanation"]
    for t in result["tables"]:
        assert all(len(row) == len(t["columns"]) for row in t["rows"])
    for c in result["charts"]:
        assert c["type"] in CHART_TYPES
        assert all(len(d["data"]) == len(c["labels"]) for d in c["datasets"])


def test_registry_declares_four_recipes():
    assert list(RECIPES) == ["pipeline_lens", "data_doctor", "demand_radar", "segment_studio"]
    for recipe in RECIPES.values():
        d = recipe.to_dict()
        assert d["title"] and len(d["description"]) > 100
        for f in d["fields"]:
            assert {"name", "type", "required", "hint"} <= set(f)


def test_suggest_mapping_by_name_and_type(store):
    info = ingest(store, "o", io.BytesIO(sample_csv("pipeline_lens")), "deals.csv")
    mapping = suggest_mapping(info, get_recipe("pipeline_lens"))
    assert mapping["stage"].column == "stage" and mapping["stage"].confidence == 1.0
    assert mapping["created"].column == "created_date"
    assert mapping["closed"].column == "close_date"
    assert mapping["outcome"].column == "status"
    assert mapping["owner"].column == "owner"
    assert "people's names" in mapping["owner"].reason
    assert all(0 < s.confidence <= 1 and s.preselect for s in mapping.values())


def test_validate_mapping_errors(store):
    info = ingest(store, "o", io.BytesIO(sample_csv("segment_studio")), "orders.csv")
    recipe = get_recipe("segment_studio")
    good = {"customer": "customer_id", "date": "order_date", "amount": "amount"}
    assert validate_mapping(info, recipe, good, {})[0] == good
    cases = [
        ({**good, "amount": None}, "Choose a column for 'Amount' (order or line value), or map"),
        ({**good, "amount": "nope"}, "The file has no column named 'nope'."),
        ({**good, "date": "amount"}, "'Order date' needs dates, but column 'amount' holds decimal"),
        ({**good, "colour": "amount"}, "has no field called 'colour'"),
    ]
    for mapping, words in cases:
        with pytest.raises(MappingError) as err:
            validate_mapping(info, recipe, mapping, {})
        assert words in err.value.message
    radar = get_recipe("demand_radar")
    with pytest.raises(MappingError, match="between 1 and 36"):
        validate_mapping(info, radar, {"date": "order_date", "value": "amount"}, {"horizon": 99})


def test_pipeline_lens_matches_a_hand_count(store, queue):
    data = sample_csv("pipeline_lens")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    won = sum(r["status"] == "won" for r in rows)
    lost = sum(r["status"] == "lost" for r in rows)
    result = run_sample(store, queue, "pipeline_lens")
    check_schema(result)
    k = kpis(result)
    assert k["Deals"] == len(rows)
    assert k["Win rate"] == pytest.approx(100 * won / (won + lost), abs=1e-3)
    won_amounts = [float(r["amount"]) for r in rows if r["status"] == "won"]
    assert k["Average deal size"] == pytest.approx(sum(won_amounts) / won, rel=1e-6)
    funnel = result["tables"][0]
    assert funnel["rows"][0][:2] == ["Lead", len(rows)]
    assert funnel["rows"][-1][:2] == ["Won", won]


def test_data_doctor_finds_duplicates_and_invalid_values(store, queue):
    data = b"id,email,signup_date,n\n1,a@x.com,2024-01-01,5\n2,not-an-email,soon,\n1,a@x.com,2024-01-01,5\n"  # noqa: E501
    result = run_sample(store, queue, "data_doctor", data=data)
    check_schema(result)
    k = kpis(result)
    assert k["Duplicate rows"] == 1
    invalid = {(r[0], r[1]): (r[2], r[3]) for r in result["tables"][2]["rows"]}
    assert invalid[("E-mail", "email")] == (1, "not-an-email")
    assert invalid[("Date", "signup_date")] == (1, "soon")
    assert k["Quality score"] < 100
    profile = {r[0]: r for r in result["tables"][0]["rows"]}
    assert profile["n"][4:7] == [5, 5, 5.0]


def _doctor_in_process(con, columns):
    from sandbox.recipes.base import RunContext
    from sandbox.recipes.data_doctor import DataDoctor

    rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    ctx = RunContext(con=con, rows=rows, mapping={}, params={}, columns=columns)
    return DataDoctor().run(ctx)


def test_data_doctor_large_table_path_matches_exact_figures(monkeypatch):
    """Above EXACT_ROWS the profile uses sketches; it must agree with the exact profile."""
    import duckdb

    from sandbox.recipes import data_doctor

    con = duckdb.connect()
    con.execute(
        """CREATE TABLE raw AS SELECT
             'ID-' || i AS id,
             ['a', 'b', 'c'][1 + (i % 3)::INT] || CASE WHEN i % 10 = 0 THEN 'x' ELSE '' END AS tag,
             CASE WHEN i % 50 = 0 THEN 'broken' ELSE 'u' || (i % 700) || '@ex.com' END AS email,
             CASE WHEN i % 9 = 0 THEN '  ' ELSE 'v' || (i % 5000) END AS note,
             CASE WHEN i % 40 = 0 THEN 'someday' ELSE '2024-01-' || (1 + i % 28) END AS start_day,
             (i % 100)::DOUBLE AS amount
           FROM range(6000) t(i)"""
    )
    con.execute("INSERT INTO raw SELECT * FROM raw LIMIT 25")  # 25 duplicate rows
    columns = [{"name": n, "type": "text"} for n in ("id", "tag", "email", "note", "start_day")]
    columns.append({"name": "amount", "type": "decimal"})
    exact = _doctor_in_process(con, columns)
    monkeypatch.setattr(data_doctor, "EXACT_ROWS", 100)
    monkeypatch.setattr(data_doctor, "SMALL_CARDINALITY", 1000)
    approx = _doctor_in_process(con, columns)
    ke, ka = kpis(exact), kpis(approx)
    assert ke["Duplicate rows"] == ka["Duplicate rows"] == 25
    assert ke["Empty cells"] == pytest.approx(ka["Empty cells"])
    assert ke["Quality score"] == ka["Quality score"]
    # Invalid e-mails and dates are exact either way: checked per distinct value here, and
    # row by row for columns with too many distinct values to group.
    assert exact["tables"][2] == approx["tables"][2]
    assert sorted(r[:3] for r in exact["tables"][2]["rows"]) == [
        ["Date", "start_day", 151],  # 6000 / 40, and the duplicated row 0
        ["E-mail", "email", 121],
    ]
    monkeypatch.setattr(data_doctor, "GROUPED_CHECK_LIMIT", 10)
    assert _doctor_in_process(con, columns)["tables"][2] == exact["tables"][2]
    pe = {r[0]: r for r in exact["tables"][0]["rows"]}
    pa = {r[0]: r for r in approx["tables"][0]["rows"]}
    assert pa["tag"][3] == pe["tag"][3] == 6 and pa["tag"][10] == pe["tag"][10]
    assert pa["amount"][3:10] == pe["amount"][3:10]
    assert pa["email"][3] == pe["email"][3] == 687 and pa["email"][10] == pe["email"][10]
    # the sketch finds the heavy hitter of a high-cardinality column, with its exact count
    assert pa["note"][10].split(", ")[0] == pe["note"][10].split(", ")[0] == "   (670)"
    for name in ("id", "note"):  # high cardinality: estimated, labelled, never above the rows
        assert pa[name][3] == pytest.approx(pe[name][3], rel=0.1)
        assert pa[name][3] <= 6025 and "≈" in pa[name][11] and pe[name][11] == ""
    assert approx["notes"] and not exact["notes"]


def test_demand_radar_forecasts_with_intervals(store, queue):
    result = run_sample(store, queue, "demand_radar", params={"period": "month", "horizon": 4})
    check_schema(result)
    forecast = next(t for t in result["tables"] if t["title"].startswith("Forecast"))
    assert len(forecast["rows"]) == 4
    for _period, mean, low, high in forecast["rows"]:
        assert low < mean < high
    assert "Seasonality strength" in kpis(result)


def test_segment_studio_segments_every_customer(store, queue):
    data = sample_csv("segment_studio")
    customers = {r["customer_id"] for r in csv.DictReader(io.StringIO(data.decode()))}
    result = run_sample(store, queue, "segment_studio")
    check_schema(result)
    segments = result["tables"][0]
    assert sum(r[1] for r in segments["rows"]) == len(customers) == kpis(result)["Customers"]
    assert sum(r[4] for r in segments["rows"]) == pytest.approx(100, abs=0.01)
    assert all(r[8] for r in segments["rows"])  # example customers


def test_text_in_a_number_column_fails_with_the_row(store, queue):
    lines = ["customer,date,amount"] + [f"c{i},2024-01-{i % 28 + 1:02d},{i}" for i in range(30)]
    lines[7] = "c6,2024-01-07,unpaid"  # "n/a" would be a null token, empty and not fatal
    info = ingest(store, "o", io.BytesIO("\n".join(lines).encode()), "o.csv")
    mapping = {"customer": "customer", "date": "date", "amount": "amount"}
    status = wait(queue, queue.submit("o", info.id, "segment_studio", mapping))
    assert (status.state, status.error_category) == ("failed", "bad_data")
    assert status.error == (
        "Column 'amount' has text in 1 rows, for example row 7: 'unpaid'. "
        "Map another column or fix the file."
    )


def test_data_doctor_spots_e_mails_in_a_column_not_named_so():
    import duckdb

    con = duckdb.connect()
    con.execute(
        """CREATE TABLE raw AS SELECT
             CASE WHEN i % 4 = 0 THEN 'nobody' ELSE 'p' || i || '@ex.com' END AS contact,
             'c' || (i % 3) AS code
           FROM range(40) t(i)"""
    )
    result = _doctor_in_process(con, [{"name": "contact", "type": "text"},
                                      {"name": "code", "type": "text"}])  # fmt: skip
    invalid = {(r[0], r[1]): (r[2], r[3]) for r in result["tables"][2]["rows"]}
    assert invalid == {("E-mail", "contact"): (10, "nobody")}


def test_data_doctor_top_values_of_many_columns_match_a_count_per_column():
    """Top values come from grouping-set passes of up to 30 columns; check 35 against
    one plain GROUP BY per column."""
    import duckdb

    con = duckdb.connect()
    columns = ", ".join(
        f"CASE WHEN i % {j + 2} = 0 THEN NULL ELSE 'v' || (i * {j + 1} % {j + 3}) END AS c{j}"
        for j in range(35)
    )
    con.execute(f"CREATE TABLE raw AS SELECT {columns}, i % 2 = 0 AS flag FROM range(500) t(i)")
    names = [f"c{j}" for j in range(35)]
    result = _doctor_in_process(
        con, [{"name": n, "type": "text"} for n in names] + [{"name": "flag", "type": "boolean"}]
    )
    profile = {r[0]: r for r in result["tables"][0]["rows"]}
    for name in [*names, "flag"]:
        expected = con.execute(
            f"SELECT {name}, count(*) AS k FROM raw WHERE {name} IS NOT NULL "
            f"GROUP BY {name} ORDER BY k DESC, {name} LIMIT 5"
        ).fetchall()
        assert profile[name][10] == ", ".join(f"{v} ({k:,})" for v, k in expected), name


def test_data_doctor_counts_blank_text_as_empty():
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE raw AS SELECT * FROM (VALUES ('a', 'x'), ('  ', 'y'), ('', 'z'), "
        "(NULL, 'x'), ('b', '!bang')) t(note, code)"
    )
    result = _doctor_in_process(con, [{"name": "note", "type": "text"},
                                      {"name": "code", "type": "text"}])  # fmt: skip
    profile = {r[0]: r for r in result["tables"][0]["rows"]}
    assert profile["note"][2] == pytest.approx(60.0)  # '  ', '' and NULL of five cells
    assert profile["code"][2] == 0.0
    assert kpis(result)["Empty cells"] == pytest.approx(30.0)
