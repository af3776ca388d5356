"""Hostile code in the real sandbox child: each attack on the system must fail.

The recipes live in sandbox_hostile_recipes (tests only). A second set of checks runs
:func:`sandbox.isolation.apply` without its audit hook in a plain process, so what is shown
there is the kernel's refusal (Landlock, seccomp, uid), not Python's."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sandbox_hostile_recipes as hostile

from sandbox import Limits, LocalQueue, runner
from sandbox.queue import wait

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = "The demo tried to read or write a file outside its own dataset, which demos are not allowed to do."  # noqa: E501
PROGRAM = "The demo tried to start another program, which demos are not allowed to do."
KERNEL_NO = (
    "The demo tried to start another program or reach another process, which demos are not "
    "allowed to do."
)
SIGNAL = "The demo tried to signal another process, which demos are not allowed to do."


def landlock_abi() -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(444, None, 0, 1) if os.uname().machine == "x86_64" else -1


@pytest.fixture
def app_db():
    """A stand-in for the app's SQLite file, outside every run's folder."""
    Path(hostile.APP_DB).unlink(missing_ok=True)
    with sqlite3.connect(hostile.APP_DB) as db:
        db.execute("CREATE TABLE users (secret TEXT)")
        db.execute("INSERT INTO users VALUES ('pbkdf2-hash-of-the-admin')")
    db.close()
    yield hostile.APP_DB
    Path(hostile.APP_DB).unlink(missing_ok=True)


def run(store, small, recipe):
    q = LocalQueue(store, Limits(wall_seconds=30, cpu_seconds=30), max_workers=1)
    try:
        status = wait(q, q.submit("owner-1", small.id, recipe), timeout=60)
        result = q.result(status.run_id) if status.state == "succeeded" else None
        return status, result
    finally:
        q.close()


def kpis(result) -> dict:
    return {k["label"]: k["value"] for k in result["kpis"]}


@pytest.mark.parametrize(
    "recipe", [hostile.ReadAppDatabase(), hostile.ReadProjectFile(), hostile.ListProjectDir()]
)
def test_child_cannot_read_outside_its_files(store, small, app_db, recipe):
    status, _ = run(store, small, recipe)
    assert (status.state, status.error_category, status.error) == ("failed", "forbidden", OUTSIDE)


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        (hostile.Fork(), PROGRAM),
        (hostile.System(), PROGRAM),
        (hostile.Subprocess(), PROGRAM),
        (hostile.ForkExec(), KERNEL_NO),  # no audit event: the seccomp filter refuses it
    ],
)
def test_child_cannot_start_a_process(store, small, recipe, message):
    status, _ = run(store, small, recipe)
    assert (status.state, status.error_category, status.error) == ("failed", "forbidden", message)


@pytest.mark.parametrize(
    ("recipe", "message"),
    [(hostile.KillParent(), SIGNAL), (hostile.PidfdParent(), KERNEL_NO)],
)
def test_child_cannot_signal_its_worker(store, small, recipe, message):
    status, _ = run(store, small, recipe)
    assert (status.state, status.error_category, status.error) == ("failed", "forbidden", message)


def test_child_cannot_open_sqlite(store, small, app_db):
    status, _ = run(store, small, hostile.OpenSqlite())
    assert (status.state, status.error_category) == ("failed", "forbidden")
    assert status.error == "The demo tried to load sqlite3, which demos are not allowed to do."


def test_child_cannot_open_a_second_duckdb(store, small, app_db):
    status, _ = run(store, small, hostile.SecondDuckdb())
    assert (status.state, status.error_category) == ("failed", "forbidden")
    assert status.error == (
        "The demo tried to open a second database connection, which demos are not allowed to do."
    )


def test_duckdb_module_default_connection_is_the_locked_one(store, small, app_db):
    status, _ = run(store, small, hostile.DefaultDuckdb())
    assert (status.state, status.error_category, status.error) == ("failed", "forbidden", OUTSIDE)


def expected_layers() -> set[str]:
    """What this machine offers, found independently of sandbox.isolation."""
    layers = {"no_new_privs", "fds", "audit", "duckdb_module"}
    if landlock_abi() >= 1:
        layers.add("landlock")
    if os.geteuid() == 0:
        layers.add("uid")
    if os.uname().machine == "x86_64":
        layers.add("seccomp")
    return layers


def test_child_reports_its_protections_and_still_runs(store, small):
    """On this machine (root, Linux 6.x with Landlock ABI >= 6, x86_64) every layer is on,
    and a well-behaved recipe still reads its dataset and returns its result."""
    status, result = run(store, small, hostile.Probe())
    assert status.state == "succeeded", status.error
    report = status.sandbox["isolation"]
    assert {k for k, v in report.items() if v == "active"} == expected_layers()
    got = kpis(result)
    assert got["no_new_privs"] == "1"
    assert got["seccomp"] == ("2" if "seccomp" in expected_layers() else "0")
    if os.geteuid() == 0:
        assert int(got["uid"]) == report["uid_number"] != 0
    # Descriptors: the protocol pipes, and the child's own files (its dataset, /dev/null).
    fds = dict(item.split("=", 1) for item in got["fds"].split(";"))
    pipes = sorted(int(fd) for fd, target in fds.items() if target.startswith("pipe:"))
    assert pipes[:3] == [0, 1, 2] and len(pipes) == 4, fds
    dataset = str(store.parquet_path("owner-1", small.id))
    for fd, target in fds.items():
        if target.startswith("/"):
            assert target in (dataset, "/dev/null") or target.startswith(got["cwd"]), (fd, target)


@pytest.mark.parametrize("setting", [None, "17", "not-a-number"])
def test_child_yields_the_cpu_on_every_thread(store, small, monkeypatch, setting):
    """A demo child runs at niceness 10 (or SANDBOX_NICE), DuckDB's threads included, so the
    web requests on the same cores come first; nonsense falls back to 10."""
    if setting is not None:
        monkeypatch.setenv("SANDBOX_NICE", setting)
    runner.discard_spares()  # a child started ahead has the old environment
    try:
        status, result = run(store, small, hostile.Probe())
    finally:
        runner.discard_spares()
    assert status.state == "succeeded", status.error
    want = max(os.getpriority(os.PRIO_PROCESS, 0), 17 if setting == "17" else 10)
    got = kpis(result)
    assert int(got["nice"]) == status.sandbox["nice"] == want
    assert int(got["threads"]) > 1 and got["thread_nices"] == str(want)  # DuckDB's pool too


def test_data_doctor_still_works_isolated(store, small):
    status, result = run(store, small, "data_doctor")
    assert status.state == "succeeded", status.error
    assert result["rows"] == 3
    assert status.sandbox["isolation"]["landlock"] == (
        "active" if landlock_abi() >= 6 else status.sandbox["isolation"]["landlock"]
    )


# --- the kernel's part, without the audit hook ---------------------------------------------

PROBE = r"""
import errno, json, os, signal, sys
import _posixsubprocess
from sandbox import isolation
workdir, secret, leaked_fd, drop = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if drop == "nobody":
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
report = isolation.apply(workdir, [], audit=False)
out = {"report": report}

def attempt(name, action):
    try:
        action()
        out[name] = "done"
    except OSError as exc:
        out[name] = errno.errorcode[exc.errno]

attempt("read_secret", lambda: open(secret, "rb").read())
attempt("read_passwd", lambda: open("/etc/passwd").read())
attempt("read_via_proc", lambda: open("/proc/self/root/etc/passwd").read())
attempt("write_workdir", lambda: open(os.path.join(workdir, "ok.txt"), "w").write("x"))
attempt("write_tmp", lambda: open("/tmp/sandbox_probe_escape.txt", "w").write("x"))
attempt("kill_parent", lambda: os.kill(os.getppid(), 0))
def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
attempt("fork", fork)
attempt("fork_exec", lambda: _posixsubprocess.fork_exec(
    [b"/bin/true"], [b"/bin/true"], True, (), None, None, -1, -1, -1, -1, -1, -1,
    *os.pipe(), False, False, -1, None, None, None, -1, None, False))
out["leaked_fd_open"] = str(leaked_fd) in os.listdir("/proc/self/fd")
print(json.dumps(out))
"""


ESCAPE = Path("/tmp/sandbox_probe_escape.txt")


def probe(tmp_path, drop: str = "") -> dict:
    ESCAPE.unlink(missing_ok=True)
    workdir = tmp_path / "work"
    workdir.mkdir(mode=0o777)
    workdir.chmod(0o777)
    secret = tmp_path / "secret.db"
    secret.write_text("password hashes")
    secret.chmod(0o644)
    leaked = os.open(secret, os.O_RDONLY)  # a descriptor the child inherits on purpose
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, str(workdir), str(secret), str(leaked), drop],
            capture_output=True,
            text=True,
            env=env,
            pass_fds=(leaked,),
            timeout=60,
        )
    finally:
        os.close(leaked)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.skipif(landlock_abi() < 6, reason="needs Landlock ABI 6 (Linux 6.12)")
def test_kernel_refuses_without_the_audit_hook(tmp_path):
    out = probe(tmp_path)
    assert out["read_secret"] == out["read_passwd"] == out["read_via_proc"] == "EACCES"
    assert out["write_tmp"] == "EACCES"
    assert out["write_workdir"] == "done"
    assert out["kill_parent"] == out["fork"] == out["fork_exec"] == "EPERM"
    assert out["leaked_fd_open"] is False
    assert not ESCAPE.exists()


@pytest.mark.skipif(os.geteuid() != 0 or landlock_abi() < 6, reason="needs root and Landlock 6")
def test_not_root_keeps_its_uid_and_the_other_layers():
    """Started unprivileged, the child cannot change uid: it says so, and Landlock and
    seccomp still hold (nobody could read both files by their modes)."""
    base = Path(tempfile.mkdtemp(prefix="sandbox_probe_"))  # reachable by nobody
    try:
        base.chmod(0o755)
        out = probe(base, drop="nobody")
    finally:
        shutil.rmtree(base)
    report = out["report"]
    assert report["uid"].startswith("unavailable (not root")
    assert report["landlock"] == report["seccomp"] == report["no_new_privs"] == "active"
    assert out["read_secret"] == out["read_passwd"] == "EACCES"
    assert out["fork"] == out["fork_exec"] == "EPERM"
    assert out["write_workdir"] == "done"
    assert not ESCAPE.exists()
