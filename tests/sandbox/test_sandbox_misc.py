"""Package boundaries, CSV export, samples and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sandbox import sample_csv, write_result_csv

ROOT = Path(__file__).resolve().parent.parent.parent


def test_sandbox_never_imports_flask():
    code = (
        "import pkgutil, importlib, sys, sandbox\n"
        "for m in pkgutil.walk_packages(sandbox.__path__, 'sandbox.'):\n"
        "    if m.name not in ('sandbox.__main__',):\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('flask', 'werkzeug')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_result_csv_neutralises_formulas():
    result = {
        "kpis": [{"label": "=1+1", "value": -3, "unit": "", "explanation": "@SUM(A1)"}],
        "tables": [
            {
                "title": "T",
                "columns": ["a", "+b"],
                "rows": [['=HYPERLINK("http://x","y")', "-2+3"], ["\tTab", "\rCR"], [-5, "ok"]],
            }
        ],
    }
    text = write_result_csv(result)
    assert "'=1+1,-3,,'@SUM(A1)" in text
    assert '"\'=HYPERLINK(""http://x"",""y"")",\'-2+3' in text
    assert "'\tTab" in text and "'\rCR" in text
    assert "-5,ok" in text
    assert write_result_csv(result, table=0).splitlines()[0] == "a,'+b"


def test_samples_are_deterministic_and_small():
    for name in ("pipeline_lens", "data_doctor", "demand_radar", "segment_studio"):
        data = sample_csv(name)
        assert data == sample_csv(name)
        assert 1000 < len(data) < 512 * 1024
    assert sample_csv("pipeline_lens", seed=1) != sample_csv("pipeline_lens", seed=2)


def test_cli_profile_and_run(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes(sample_csv("pipeline_lens"))
    cmd = [sys.executable, "-m", "sandbox"]
    out = subprocess.run([*cmd, "profile", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and "600 rows" in out.stdout and "amount" in out.stdout
    out = subprocess.run(
        [*cmd, "run", str(path), "--recipe", "pipeline_lens", "--map", "owner=owner", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["recipe"] == "pipeline_lens"
    out = subprocess.run(
        [*cmd, "run", str(path), "--recipe", "nope"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 2 and "There is no demo called 'nope'" in out.stderr
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    out = subprocess.run([*cmd, "profile", str(bad)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr == (
        "error: The file is empty. Choose a file that contains a table.\n"
    )
