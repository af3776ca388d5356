"""Without Landlock: the child's file system is a private mount namespace that shows only its
run's files; where that is impossible too, demos are refused unless weaker isolation is
allowed. ``SANDBOX_LANDLOCK=off`` makes the child act as on a kernel without Landlock."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sandbox_hostile_recipes as hostile
from test_sandbox_confinement import ESCAPE, OUTSIDE, PROGRAM, kpis, probe, run
from test_sandbox_confinement import app_db as app_db  # the fixture

from sandbox import Limits, ingest, runner
from sandbox.host_check import check_host

ROOT = Path(__file__).resolve().parents[2]
needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or os.uname().machine != "x86_64", reason="needs root on x86_64"
)


@pytest.fixture
def no_landlock(monkeypatch):
    monkeypatch.setenv("SANDBOX_LANDLOCK", "off")
    runner.discard_spares()  # a child started ahead has the old environment
    yield
    runner.discard_spares()


@needs_root
def test_the_kernel_hides_everything_but_the_run_without_landlock(tmp_path, no_landlock):
    out = probe(tmp_path)
    report = out["report"]
    assert report["landlock"] == "unavailable (off: SANDBOX_LANDLOCK=off)"
    assert report["mount_ns"] == report["seccomp"] == report["uid"] == "active"
    # Not refused: absent. The secret (mode 0644) sits next to the run's folder.
    assert out["read_secret"] == out["read_passwd"] == out["read_via_proc"] == "ENOENT"
    assert out["write_workdir"] == "done"
    assert (tmp_path / "work" / "ok.txt").read_text() == "x"  # the host's folder, not a copy
    assert out["write_tmp"] in ("EACCES", "ENOENT", "EROFS")
    assert out["kill_parent"] == out["fork"] == out["fork_exec"] == "EPERM"
    assert out["leaked_fd_open"] is False
    assert not ESCAPE.exists()


@needs_root
@pytest.mark.parametrize("recipe", [hostile.ReadAppDatabase(), hostile.ReadProjectFile()])
def test_a_run_cannot_read_outside_its_files_without_landlock(
    store, small, app_db, no_landlock, recipe
):
    status, _ = run(store, small, recipe)
    assert (status.state, status.error_category, status.error) == ("failed", "forbidden", OUTSIDE)
    assert status.sandbox["isolation"]["mount_ns"] == "active"


@needs_root
def test_the_project_folder_shows_only_the_code_a_run_needs(store, small, no_landlock):
    """Landlock refuses to list the project folder; in the mount view it lists only the
    folders bound for the child (the sandbox package, the tests' recipes): no database,
    no instance folder, no pyproject.toml."""
    status, result = run(store, small, hostile.ListProjectDir())
    assert status.state == "succeeded", status.error
    seen = set(kpis(result)["got"].split(","))
    on_disk = set(os.listdir(ROOT))
    assert {"pyproject.toml", "portal"} <= on_disk  # what is really there
    bound = {"sandbox", "tests"}
    # A virtualenv inside the project (make's .venv) is the Python install: bound too.
    prefix = Path(sys.prefix).resolve()
    if prefix.is_relative_to(ROOT.resolve()):
        bound.add(prefix.relative_to(ROOT.resolve()).parts[0])
    assert seen <= bound and seen < on_disk


@needs_root
def test_a_run_sees_no_other_process_without_landlock(store, small, no_landlock):
    status, result = run(store, small, hostile.ListProcesses())
    assert status.state == "succeeded", status.error
    got = kpis(result)
    seen = {int(pid) for pid in got["got"].split(",")}
    assert seen == {int(got["me"])}  # its own /proc only: not the worker, not pid 1
    assert os.path.isdir(f"/proc/{got['parent']}")  # which does exist out here


@needs_root
def test_a_run_cannot_start_a_process_without_landlock(store, small, no_landlock):
    status, _ = run(store, small, hostile.Fork())
    assert (status.state, status.error_category, status.error) == ("failed", "forbidden", PROGRAM)


@needs_root
def test_the_data_doctor_still_works_in_the_mount_namespace(store, small, no_landlock):
    status, result = run(store, small, "data_doctor")
    assert status.state == "succeeded", status.error
    assert result["rows"] == 3  # the three rows of the small dataset
    assert status.sandbox["isolation"]["landlock"].startswith("unavailable")
    assert status.sandbox["isolation"]["mount_ns"] == "active"


# --- neither Landlock nor a mount namespace: refused, unless allowed ------------------------

# Root without CAP_SYS_ADMIN: no mount namespace possible (as in a container that grants no
# such power), everything else as usual.
CHILD_WITHOUT_SYS_ADMIN = r"""
import ctypes, sys
from sandbox.isolation import _CapData, _CapHeader, CAPABILITY_VERSION_3
libc = ctypes.CDLL(None, use_errno=True)
header, data = _CapHeader(CAPABILITY_VERSION_3, 0), (_CapData * 2)()
assert libc.syscall(125, ctypes.byref(header), data) == 0  # capget
CAP_SYS_ADMIN = 21
data[0].effective &= ~(1 << CAP_SYS_ADMIN)
data[0].permitted &= ~(1 << CAP_SYS_ADMIN)
assert libc.syscall(126, ctypes.byref(header), data) == 0  # capset
sys.argv = ["sandbox._child"]
from sandbox._child import main
raise SystemExit(main())
"""


def _child_without_mounts(extra_env: dict[str, str]) -> list[dict]:
    """A real sandbox child that cannot make a mount namespace, given a job."""
    base = Path(tempfile.mkdtemp(prefix="sandbox_weak_"))
    try:
        base.chmod(0o755)
        workdir = base / "work"
        workdir.mkdir()
        workdir.chmod(0o777)
        job = {"workdir": str(workdir), "limits": Limits().to_dict(), "kind": "nothing"}
        env = {**runner._child_env(Limits()), "SANDBOX_LANDLOCK": "off", **extra_env}
        proc = subprocess.run(
            [sys.executable, "-c", CHILD_WITHOUT_SYS_ADMIN],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            env=env,
            cwd="/",
            timeout=60,
        )
    finally:
        shutil.rmtree(base)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


@needs_root
def test_without_any_file_view_the_child_refuses_to_run_the_job():
    (message,) = _child_without_mounts({})
    assert (message["type"], message["category"]) == ("error", "unavailable")
    assert "SANDBOX_ALLOW_WEAK_ISOLATION=1" in message["message"]


@needs_root
def test_weaker_isolation_runs_when_an_administrator_allows_it():
    messages = _child_without_mounts({"SANDBOX_ALLOW_WEAK_ISOLATION": "1"})
    meta = messages[0]
    assert meta["type"] == "meta"
    layers = meta["isolation"]
    assert layers["landlock"].startswith("unavailable")
    assert layers["mount_ns"].startswith("unavailable (PermissionError: [Errno 1]")
    assert layers["seccomp"] == "active"  # the other layers still hold
    # Past isolation, the job itself ran (an unknown kind fails in the child, not before it).
    assert messages[-1]["type"] == "error" and messages[-1]["category"] != "unavailable"


@needs_root
def test_the_host_check_reports_the_fallback(no_landlock):
    rows = {row["name"]: row for row in check_host(Limits(memory_bytes=2 * 1024**3))}
    assert rows["Landlock"]["active"] is False
    assert rows["Mount namespace (without Landlock)"]["active"] is True
    assert rows["Other files hidden"]["active"] is True
    assert "ENOENT" in rows["Other files hidden"]["detail"]


@needs_root
def test_uploads_are_read_in_the_mount_namespace_too(store, no_landlock):
    data = b"name,amount,closed\nAda,10,2024-01-02\nBob,20,2024-02-03\nCy,30,2024-03-04\n"
    info = ingest(store, "o", io.BytesIO(data), "deals.csv")
    assert info.rows == 3  # three lines after the header
    assert [c.type for c in info.columns] == ["text", "integer", "date"]
