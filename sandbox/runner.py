"""Runs one job in a locked-down child process and turns whatever happens into an outcome."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .isolation import ISOLATION_SETTINGS, read_paths_for
from .limits import Limits, human_bytes

_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
MAX_OUTPUT = 64 * 1024 * 1024
HEARTBEAT_EVERY = 1.0


@dataclass
class Outcome:
    ok: bool
    result: dict[str, Any] | None = None
    category: str = ""
    message: str = ""
    sandbox: dict[str, Any] = field(default_factory=dict)
    stderr: str = ""
    code: str = ""  # the error's short code, for errors the job raised itself


def _child_env(limits: Limits) -> dict[str, str]:
    # A clean environment: the web app's secrets never reach recipe code. The child points
    # HOME and TMPDIR at its run's own folder once it has its job.
    threads = str(limits.threads)
    # The isolation settings are the only ones passed on (see sandbox.isolation).
    settings = {k: os.environ[k] for k in ISOLATION_SETTINGS if k in os.environ}
    return {
        **settings,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, *(p for p in sys.path if p)]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": threads,
        "ARROW_DEFAULT_MEMORY_POOL": "system",
    }


# --- warm children ---------------------------------------------------------------------------
# Starting Python and loading DuckDB and the recipes takes a child about 0.1 s before it can
# look at any data. A long-lived worker keeps one child started ahead, idle and waiting for
# its job on stdin, so a run does not wait for that. It holds no job, no data and no limits
# yet: it gets all three only when a run takes it, exactly like a freshly started child.
_spares: dict[int, list[subprocess.Popen]] = {}
_spares_lock = threading.Lock()


def _spawn(limits: Limits) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sandbox._child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd="/",
        env=_child_env(limits),
        start_new_session=True,
        close_fds=True,
    )


def prestart(limits: Limits, count: int = 1) -> None:
    """Have ``count`` children waiting for the next jobs with these limits' thread count
    (start the missing ones now). ``python -m sandbox run`` asks for two: one reads the file,
    the other runs the recipe, and neither waits for a start-up."""
    with _spares_lock:
        waiting = _spares.setdefault(limits.threads, [])
        dead = [p for p in waiting if p.poll() is not None]
        waiting[:] = [p for p in waiting if p.poll() is None]
        while len(waiting) < count:
            waiting.append(_spawn(limits))
    for proc in dead:
        _discard(proc)


def discard_spares() -> None:
    """Stop the children started ahead (a worker shutting down)."""
    with _spares_lock:
        spares = [p for waiting in _spares.values() for p in waiting]
        _spares.clear()
    for spare in spares:
        _discard(spare)


atexit.register(discard_spares)


def _take_spare(limits: Limits) -> subprocess.Popen | None:
    with _spares_lock:
        waiting = _spares.get(limits.threads) or []
        spare = waiting.pop(0) if waiting else None
    if spare is not None and spare.poll() is not None:  # died while it waited
        _discard(spare)
        return None
    return spare


def _discard(proc: subprocess.Popen) -> None:
    _kill(proc)
    proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def _send(proc: subprocess.Popen, job: dict[str, Any]) -> bool:
    """Hand ``job`` to the child; False if it is gone."""
    try:
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
    except BrokenPipeError:
        return False
    return True


def run_child(
    job: dict[str, Any],
    limits: Limits,
    workdir: Path,
    on_progress: Callable[[str, int], None] = lambda step, pct: None,
    on_beat: Callable[[dict[str, Any]], None] = lambda sandbox: None,
    *,
    warm: bool = False,
) -> Outcome:
    """Run ``job`` in a ``python -m sandbox._child`` process and enforce the wall-clock limit.

    With ``warm``, a child started ahead by :func:`prestart` is used when one waits."""
    spill = workdir / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    job = {**job, "limits": limits.to_dict(), "spill_dir": str(spill), "workdir": str(workdir)}
    job["read_paths"] = [*job.get("read_paths", []), *read_paths_for(job)]
    proc = _take_spare(limits) if warm else None
    if proc is not None and not _send(proc, job):
        _discard(proc)
        proc = None
    if proc is None:
        proc = _spawn(limits)
        _send(proc, job)  # a child gone already ends as a failed run below
    sandbox: dict[str, Any] = {"child_pid": proc.pid}
    deadline = time.monotonic() + limits.wall_seconds
    try:
        messages, err_buf, timed_out, too_big = _read_child(
            proc, deadline, sandbox, on_progress, on_beat
        )
    except BaseException:  # a callback failed (or we are stopping): no child outlives its run
        _kill(proc)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        raise
    if timed_out or too_big:
        _kill(proc)
    delivered = not (timed_out or too_big) and any(m["type"] == "result" for m in messages)
    if delivered:
        # A child closes its pipes once its result is out. Ending a process that used a lot
        # of memory takes the system a while: reap it in the background, not on the run's time.
        threading.Thread(target=proc.wait, name="sandbox-reap", daemon=True).start()
        returncode = 0
    else:
        returncode = proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    sandbox["returncode"] = returncode
    stderr = err_buf.decode("utf-8", "replace")
    return _outcome(messages, returncode, timed_out, too_big, limits, sandbox, stderr)


def _read_child(
    proc: subprocess.Popen,
    deadline: float,
    sandbox: dict[str, Any],
    on_progress: Callable[[str, int], None],
    on_beat: Callable[[dict[str, Any]], None],
) -> tuple[list[dict[str, Any]], bytearray, bool, bool]:
    """Read the child's messages until it hangs up, the deadline passes or it says too much.

    Returns (messages, stderr bytes, timed out, too big)."""
    messages: list[dict[str, Any]] = []
    out_buf, err_buf = bytearray(), bytearray()
    timed_out = too_big = False
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "out")
    sel.register(proc.stderr, selectors.EVENT_READ, "err")
    last_beat = 0.0
    while sel.get_map() and not too_big:
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            break
        if now - last_beat >= HEARTBEAT_EVERY:
            on_beat(sandbox)
            last_beat = now
        for key, _ in sel.select(timeout=min(HEARTBEAT_EVERY, max(deadline - now, 0.01))):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                continue
            if key.data == "err":
                err_buf.extend(chunk[: max(0, 65536 - len(err_buf))])
                continue
            out_buf.extend(chunk)
            if len(out_buf) > MAX_OUTPUT:
                too_big = True
                break
            while b"\n" in out_buf:
                line, _, rest = out_buf.partition(b"\n")
                out_buf[:] = rest
                msg = json.loads(line)
                if msg["type"] == "progress":
                    on_progress(msg["step"], msg["percent"])
                elif msg["type"] == "meta":
                    sandbox["network"] = msg["network"]
                    sandbox["isolation"] = msg.get("isolation", {})
                    sandbox["nice"] = msg.get("nice")
                else:
                    messages.append(msg)
    sel.close()
    return messages, err_buf, timed_out, too_big


def _outcome(
    messages: list[dict[str, Any]],
    returncode: int,
    timed_out: bool,
    too_big: bool,
    limits: Limits,
    sandbox: dict[str, Any],
    stderr: str,
) -> Outcome:
    if timed_out:
        message = f"The demo took longer than {limits.wall_seconds} s."
        return Outcome(False, None, "timeout", message, sandbox, stderr)
    if too_big:
        message = "The demo produced a result that is too large to show."
        return Outcome(False, None, "internal", message, sandbox, stderr)
    for msg in messages:
        if msg["type"] == "result" and returncode == 0:
            return Outcome(True, msg["result"], sandbox=sandbox, stderr=stderr)
        if msg["type"] == "error":
            category, message, code = msg["category"], msg["message"], msg.get("code", "")
            return Outcome(False, None, category, message, sandbox, stderr, code)
    category, message = _from_signal(returncode, limits)
    return Outcome(False, None, category, message, sandbox, stderr)


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _from_signal(returncode: int, limits: Limits) -> tuple[str, str]:
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL) and _cpu_exhausted(returncode):
        return "timeout", f"The demo used more than {limits.cpu_seconds} s of processor time."
    if returncode == -signal.SIGKILL:
        return "memory", (
            "The demo was stopped by the system, most likely because it needed more than "
            f"{human_bytes(limits.memory_bytes)} of memory."
        )
    if returncode == -signal.SIGXFSZ:
        return "disk", f"The demo tried to write more than {human_bytes(limits.write_bytes)}."
    return "internal", (
        f"The demo stopped unexpectedly (exit status {returncode}). Please try again; if it "
        "keeps happening, tell us the run id."
    )


def _cpu_exhausted(returncode: int) -> bool:
    # SIGXCPU is only ever sent for RLIMIT_CPU; a SIGKILL we did not send may be its hard cap.
    return returncode == -signal.SIGXCPU
