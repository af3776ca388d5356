"""Which isolation layers a sandbox child really gets on this host: start one, as a run
would (same environment, limits and isolation), and have it try what each layer forbids.

:func:`check_host` returns one row per layer (name, active, detail). The child side is
``python -m sandbox.host_check <workdir> <secret>``: it prints one JSON object.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .limits import Limits, human_bytes


def check_host(limits: Limits | None = None, timeout: float = 60) -> list[dict[str, Any]]:
    """Probe a real child with ``limits`` (a run's); the rows to show an administrator."""
    from .runner import _child_env

    limits = limits or Limits()
    with tempfile.TemporaryDirectory(prefix="sandbox-check-") as base:
        workdir = Path(base) / "work"
        workdir.mkdir(mode=0o777)
        workdir.chmod(0o777)  # the child's own uid must be able to enter it
        Path(base).chmod(0o755)
        secret = Path(base) / "secret.txt"  # stands for the app's database
        secret.write_text("password hashes")
        secret.chmod(0o644)
        job = json.dumps({"limits": limits.to_dict()})
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "sandbox.host_check", str(workdir), str(secret)],
                input=job,
                capture_output=True,
                text=True,
                env=_child_env(limits),
                cwd="/",
                timeout=timeout,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired:
            return [_row("Sandbox child", False, f"the check did not finish in {timeout:g} s")]
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return [_row("Sandbox child", False, f"the check failed: {detail}")]
    return rows_for(json.loads(lines[-1]), limits)


def _row(name: str, active: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "active": active, "detail": detail}


def rows_for(found: dict[str, Any], limits: Limits) -> list[dict[str, Any]]:
    """What a probe child found, as rows: each says whether the layer holds and why."""
    from .isolation import is_active

    report = found.get("report", {})
    if found.get("refused"):
        return [_row("File-system view", False, found["refused"])]
    landlock = report.get("landlock", "unavailable (not reported)")
    abi = found.get("landlock_abi", 0)
    hidden = found.get("read_secret") in ("EACCES", "ENOENT")
    rows = [
        _row(
            "Landlock",
            is_active(landlock),
            f"ABI {abi}: {landlock}" if abi > 0 else f"not in this kernel: {landlock}",
        ),
        _row(
            "Mount namespace (without Landlock)",
            is_active(report.get("mount_ns")),
            report.get("mount_ns", "unavailable (not reported)"),
        ),  # fmt: skip
        _row(
            "Other files hidden",
            hidden,
            f"reading a file outside the run: {found.get('read_secret')}",
        ),
        _row(
            "Own uid",
            is_active(report.get("uid")) and found.get("uid") != found.get("parent_uid"),
            f"uid {found.get('uid')} (the worker runs as {found.get('parent_uid')}); "
            f"{report.get('uid', '')}",
        ),
        _row(
            "seccomp",
            is_active(report.get("seccomp")) and found.get("fork") == "EPERM",
            f"{report.get('seccomp', '')}; fork: {found.get('fork')}, "
            f"signal the worker: {found.get('kill_parent')}",
        ),
        _row(
            "No network (own namespace)",
            found.get("network") == "namespace" and found.get("udp") != "done",
            f"{found.get('network')}; reaching 192.0.2.1: {found.get('udp')}",
        ),
        _row(
            "Memory limit",
            found.get("memory_limit") == limits.memory_bytes,
            f"address space limited to {_bytes(found.get('memory_limit'))} "
            f"(a run's limit: {human_bytes(limits.memory_bytes)})",
        ),
    ]
    return rows


def _bytes(value: Any) -> str:
    if not isinstance(value, int) or value < 0:
        return "no limit"
    return human_bytes(value)


# --- the child ------------------------------------------------------------------------------


def _attempt(action) -> str:
    try:
        action()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, str(exc.errno))
    return "done"


def _fork() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def _udp() -> None:
    # connect() on UDP only picks a route: nothing is sent, either way.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1


def main(workdir: str, secret: str) -> int:
    from . import isolation
    from ._child import apply_rlimits, isolate_network
    from .landlock import landlock_abi

    job = json.loads(sys.stdin.read())
    os.chdir(workdir)
    parent_uid = os.getuid()
    apply_rlimits(job["limits"])
    network = isolate_network()
    out: dict[str, Any] = {
        "network": network,
        "parent_uid": parent_uid,
        "landlock_abi": landlock_abi(),
    }
    try:
        out["report"] = isolation.apply(workdir, [], audit=False)
    except isolation.WeakIsolation as refused:
        out["refused"] = str(refused)
        print(json.dumps(out))
        return 0
    out["uid"] = os.getuid()
    out["read_secret"] = _attempt(lambda: open(secret, "rb").close())
    out["fork"] = _attempt(_fork)
    out["kill_parent"] = _attempt(lambda: os.kill(os.getppid(), 0))
    out["udp"] = _attempt(_udp)
    out["memory_limit"] = resource.getrlimit(resource.RLIMIT_AS)[0]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
