"""Operating-system isolation of the sandbox child, beyond DuckDB's own lock.

:func:`apply` runs in the child once it has its job and before any of the job's code runs.
Each layer is tried on its own and degrades to "unavailable" where the system lacks it; the
returned report says which layers are active (the child sends it in its "meta" message):

- ``no_new_privs``: ``PR_SET_NO_NEW_PRIVS``, so nothing can regain privileges.
- ``fds``: every descriptor except stdin, stdout and stderr (the protocol pipes) is closed.
- ``landlock``: the file system shrinks to the run's workdir (read and write), the files the
  job names (read), and the Python and DuckDB install (read); no TCP; no signals to
  processes outside the sandbox (Landlock ABI 6+).
- ``mount_ns``: where Landlock is missing (or turned off with ``SANDBOX_LANDLOCK=off``), a
  private mount namespace whose root shows only the same paths (``sandbox.mount_view``); it
  needs root. With neither, :func:`apply` raises ``WeakIsolation`` unless
  ``SANDBOX_ALLOW_WEAK_ISOLATION=1`` says an administrator accepts a child that can read
  whatever its uid can (the app's database, for one).
- ``uid``: when started as root, the child becomes a uid of its own (``UID_BASE + pid``), so
  it cannot signal the worker, and ``RLIMIT_NPROC`` (ignored for root) caps its tasks. It
  keeps only ``CAP_DAC_READ_SEARCH``, which lets it read the Python install under a private
  home; Landlock bounds what it may read.
- ``seccomp``: a BPF filter refuses fork, vfork, execve, non-thread clone, ptrace,
  namespaces and mounts, and signals to any process but itself.
- ``duckdb_module``: after the child's own connection, ``duckdb.connect`` refuses; the
  module's default connection (``duckdb.sql``) is the run's own, locked.
- ``audit``: a Python audit hook refuses process creation, ``sqlite3`` and signals, with a
  plain message.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import platform
import resource
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import mount_view, seccomp
from .landlock import _landlock
from .syscalls import SYS as _SYS
from .syscalls import check as _check
from .syscalls import libc as _libc
from .syscalls import no_new_privs as _no_new_privs

UID_BASE = 1_000_000
EXTRA_TASKS = 64  # threads beyond one per core (DuckDB's pool) the child may start

PR_SET_PDEATHSIG = 1
PR_SET_KEEPCAPS = 8
PR_SET_SECCOMP = 22
PR_GET_NO_NEW_PRIVS = 39
SECCOMP_MODE_FILTER = 2
CAP_DAC_READ_SEARCH = 2
CAPABILITY_VERSION_3 = 0x20080522


class SandboxViolation(PermissionError):
    """Raised by the audit hook when recipe code does something demos may not do."""


class WeakIsolation(RuntimeError):
    """Neither Landlock nor a mount namespace could hide the rest of the file system."""

    message = (
        "Demos are switched off on this server: it cannot keep a demo away from other files "
        "(no Landlock in the kernel, no mount namespace). An administrator can allow weaker "
        "isolation with SANDBOX_ALLOW_WEAK_ISOLATION=1."
    )


ISOLATION_SETTINGS = ("SANDBOX_LANDLOCK", "SANDBOX_ALLOW_WEAK_ISOLATION", "SANDBOX_NICE")
DEFAULT_NICE = 10  # a demo child's CPU niceness (see lower_priority)


def _setting(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip().lower()


def landlock_wanted() -> bool:
    """``SANDBOX_LANDLOCK=off`` makes the child act as on a kernel without Landlock (to
    use, and test, the mount-namespace fallback)."""
    return _setting("SANDBOX_LANDLOCK", "on") not in ("off", "0", "false", "no")


def lower_priority() -> int:
    """Give this process (and every thread it starts later: DuckDB's pool) the niceness
    ``SANDBOX_NICE`` (default 10, 0-19); return the niceness it now has.

    A demo works for seconds on every core it may use; the web requests on the same machine
    take milliseconds. At niceness 10 the scheduler gives a request's thread about ten times
    a child's share when both want a core, so pages stay quick while demos run, and a demo
    still gets every idle cycle. Only ever raises the niceness (lowering it needs privilege)."""
    try:
        wanted = min(19, max(0, int(_setting("SANDBOX_NICE", str(DEFAULT_NICE)))))
    except ValueError:
        wanted = DEFAULT_NICE
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if wanted > current:
        os.setpriority(os.PRIO_PROCESS, 0, wanted)
    return os.getpriority(os.PRIO_PROCESS, 0)


def weak_isolation_allowed() -> bool:
    return _setting("SANDBOX_ALLOW_WEAK_ISOLATION") in ("1", "true", "yes", "on")


def is_active(value: Any) -> bool:
    """A layer's report entry says it holds ("active", or "active (…)" with a caveat)."""
    return isinstance(value, str) and value.startswith("active")


def apply(
    workdir: str,
    read_paths: Iterable[str] = (),
    *,
    keep_fds: Iterable[int] = (),
    audit: bool = True,
) -> dict[str, Any]:
    """Isolate this process for a run in ``workdir`` that may also read ``read_paths``;
    descriptors other than 0, 1, 2 and ``keep_fds`` (the protocol pipes) are closed.

    Returns ``{layer: "active" | "unavailable (...)"}`` plus ``uid_number``. Raises
    ``WeakIsolation`` when no layer can hide the file system and that is not allowed."""
    report: dict[str, Any] = {}
    report["no_new_privs"] = _layer(_no_new_privs)
    report["fds"] = _layer(lambda: _close_fds({0, 1, 2, *keep_fds}))
    readable = [*_python_paths(), *read_paths]
    if os.geteuid() == 0:
        _give_workdir(workdir, UID_BASE + os.getpid())
    if landlock_wanted():
        report["landlock"] = _layer(lambda: _landlock(workdir, readable))
    else:
        report["landlock"] = "unavailable (off: SANDBOX_LANDLOCK=off)"
    if is_active(report["landlock"]):
        report["mount_ns"] = "unavailable (not needed: Landlock holds)"
    else:
        report["mount_ns"] = _layer(lambda: mount_view.confine(workdir, readable))
        if not is_active(report["mount_ns"]) and not weak_isolation_allowed():
            raise WeakIsolation(WeakIsolation.message)
    report["uid"] = _layer(_drop_root)
    report["seccomp"] = _layer(_seccomp)
    report["duckdb_module"] = _layer(_lock_duckdb_module)
    report["audit"] = _layer(_install_audit_hook) if audit else "unavailable (off)"
    report["uid_number"] = os.getuid()
    return report


def active(report: dict[str, Any]) -> list[str]:
    """The names of the layers ``report`` says are active."""
    return sorted(k for k, v in report.items() if v == "active")


def read_paths_for(job: dict[str, Any]) -> list[str]:
    """What a job needs to read besides its workdir and the install: its dataset, and the
    recipe's module when it lives outside the installed packages (found in the parent,
    where importing it is safe)."""
    paths = [p for p in (job.get("parquet"),) if p]
    module = job.get("recipe_ref", "").partition(":")[0]
    try:
        spec = importlib.util.find_spec(module) if module else None
    except (ImportError, ValueError):
        spec = None  # the child reports the missing recipe
    if spec is not None and spec.origin and os.path.isabs(spec.origin):
        paths.append(os.path.dirname(spec.origin))
    return paths


def _layer(step) -> str:
    try:
        outcome = step()
    except Exception as exc:  # a layer the system lacks is reported, not fatal
        return f"unavailable ({type(exc).__name__}: {exc})"
    return outcome or "active"


# --- privileges and descriptors ------------------------------------------------------------


def _close_fds(keep: set[int]) -> None:
    """Close everything but the protocol pipes. The runner already spawns with ``close_fds``;
    this also covers a child started any other way."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            with contextlib.suppress(OSError):  # the listing's own descriptor, already gone
                os.close(fd)


def _give_workdir(workdir: str, uid: int) -> None:
    for root, dirs, files in os.walk(workdir):
        os.chown(root, uid, uid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _drop_root() -> str | None:
    """Become ``UID_BASE + pid`` with only CAP_DAC_READ_SEARCH; cap the task count."""
    if os.geteuid() != 0:
        return f"unavailable (not root: stays uid {os.getuid()})"
    uid = UID_BASE + os.getpid()
    tasks = len(os.listdir("/proc/self/task"))
    parent = os.getppid()
    _check(_libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(KEEPCAPS)")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    # A change of uid clears the parent-death signal: set it again, then make sure the
    # parent did not go in between.
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    if os.getppid() != parent:
        os._exit(1)
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    data[0].effective = data[0].permitted = 1 << CAP_DAC_READ_SEARCH
    _check(_libc.syscall(_SYS["capset"], ctypes.byref(header), data), "capset")
    # Root is exempt from RLIMIT_NPROC; this uid is the child's own, so it counts only its
    # own tasks: the ones it has, DuckDB's threads (one per core at first), and some more.
    cap = tasks + (os.cpu_count() or 1) + EXTRA_TASKS
    resource.setrlimit(resource.RLIMIT_NPROC, (cap, cap))
    return None


def _python_paths() -> list[str]:
    """The interpreter, its standard library and installed packages, and our own package:
    not the rest of the project (the app's database lives beside it)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.add(str(Path(__file__).resolve().parent))
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    return sorted(roots)


def _seccomp() -> str | None:
    if platform.machine() != "x86_64":
        return "unavailable (filter written for x86_64 only)"
    fprog = seccomp.filter_for(os.getpid())
    _no_new_privs()
    _check(
        _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
        "prctl(SECCOMP)",
    )
    return None


# --- audit hook ----------------------------------------------------------------------------

_PROCESS_EVENTS = {
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
}
_BLOCKED_IMPORTS = {"sqlite3", "_sqlite3", "_posixsubprocess", "multiprocessing", "pty"}


def _refuse(what: str) -> SandboxViolation:
    return SandboxViolation(f"The demo tried to {what}, which demos are not allowed to do.")


def _install_audit_hook() -> None:
    me = os.getpid()

    def hook(event: str, args: tuple) -> None:
        if event in _PROCESS_EVENTS:
            raise _refuse("start another program")
        if event == "import" and args[0].partition(".")[0] in _BLOCKED_IMPORTS:
            raise _refuse(f"load {args[0]}")
        if event == "sqlite3.connect":
            raise _refuse("open a database")
        if event in ("os.kill", "os.killpg", "signal.pthread_kill") and args[0] != me:
            raise _refuse("signal another process")

    sys.addaudithook(hook)


def _lock_duckdb_module() -> None:
    """One DuckDB connection per child: the next ``duckdb.connect`` (the child's own, made
    right after isolation, so DuckDB's threads start isolated) becomes the module's default
    (``duckdb.sql`` uses it, locked like the run's); any further one is refused."""
    import duckdb

    real = duckdb.connect
    made: list[Any] = []

    def connect(*args: Any, **kwargs: Any) -> Any:
        if made:
            raise _refuse("open a second database connection")
        made.append(real(*args, **kwargs))
        duckdb.set_default_connection(made[0])
        return made[0]

    for module in (duckdb, sys.modules.get("_duckdb")):
        if module is not None and hasattr(module, "connect"):
            module.connect = connect
