"""The sandbox child: ``python -m sandbox._child`` runs one recipe on one dataset.

Protocol: the parent writes a JSON job to stdin; the child writes JSON lines to its original
stdout: ``{"type": "meta"|"progress"|"result"|"error", ...}``. Anything a recipe prints
goes to stderr instead. The child may be started ahead of its run (see ``runner.prestart``):
it loads DuckDB and the product's recipes, then waits for its job. Everything that touches
the job (the recipe's module, the data) happens after the limits are applied.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import importlib
import json
import os
import resource
import signal
import sys
import traceback
from typing import Any

from sandbox import isolation
from sandbox.isolation import SandboxViolation

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1


def main() -> int:
    _die_with_parent()
    nice = isolation.lower_priority()  # first: DuckDB's threads inherit it
    _preload()
    text = sys.stdin.read()  # a child started ahead waits here, idle, for its job
    if not text:
        return 0  # started ahead and never used: the worker closed it
    job = json.loads(text)
    workdir = job["workdir"]
    os.chdir(workdir)
    os.environ["HOME"] = os.environ["TMPDIR"] = workdir
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    def emit(message: dict[str, Any]) -> None:
        proto.write(json.dumps(message, default=str) + "\n")
        proto.flush()

    limits = job["limits"]
    apply_rlimits(limits)
    network = isolate_network()  # needs root: before isolation drops it
    try:
        layers = isolation.apply(workdir, job.get("read_paths", []), keep_fds=[proto.fileno()])
    except isolation.WeakIsolation as refused:  # no job code has run: say why, and stop
        emit({"type": "error", "category": "unavailable", "message": str(refused), "code": ""})
        return 1
    meta = {"network": network, "isolation": layers, "pid": os.getpid(), "nice": nice}
    emit({"type": "meta", **meta})
    try:
        # After isolation, so DuckDB's threads are isolated too. An ingest job makes its own
        # connection (with its spill folder): the child allows only one.
        con = None if job.get("kind") == "ingest" else _connect()
        result = _run(job, emit, con)
        emit({"type": "result", "result": result})
        _hang_up(proto)
        return 0
    except BaseException as exc:
        category, message = classify(exc, limits)
        if category == "internal":
            traceback.print_exc()
        code = getattr(exc, "code", "") if category == "bad_data" else ""
        emit({"type": "error", "category": category, "message": message, "code": code})
        return 1


def _hang_up(proto) -> None:
    """Close every pipe to the parent once the result is out: the parent takes the run as
    done on end-of-file, without waiting for DuckDB and the system to free the memory."""
    sys.stdout.flush()
    sys.stderr.flush()
    proto.close()
    os.close(1)
    os.close(2)


def _preload() -> None:
    """Load what every job needs before it arrives: DuckDB, the product's recipes and the
    file readers (our own code), and every module of the package (``import sandbox`` loads
    them on first use; isolation refuses some of the standard modules they load, such as
    ``subprocess``, once it is on). The job's recipe module, its data and its limits come
    after."""
    import duckdb  # noqa: F401

    import sandbox.ingest.job
    import sandbox.ingest.read
    import sandbox.interpret
    import sandbox.mapping
    import sandbox.prepare
    import sandbox.queue
    import sandbox.recipes
    import sandbox.result
    import sandbox.samples  # noqa: F401


def _connect():
    """The run's DuckDB connection, an empty in-memory database."""
    import duckdb

    return duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )


def apply_rlimits(limits: dict[str, Any]) -> None:
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["write_bytes"], limits["write_bytes"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the parent's heartbeat check still fails orphaned runs


def isolate_network() -> str:
    """Move into an empty network namespace; say what isolation we actually got."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNET) == 0:
            return "namespace"
        return "blocked-by-hook (unshare failed: " + os.strerror(ctypes.get_errno()) + ")"
    except (OSError, AttributeError):
        return "blocked-by-hook (no unshare on this system)"


def _run(job: dict[str, Any], emit, con) -> dict[str, Any]:
    if job.get("kind") == "ingest":
        return _ingest(job, emit)
    from sandbox.prepare import build_data_view
    from sandbox.recipes.base import RunContext
    from sandbox.sql import literal

    module, _, attr = job["recipe_ref"].partition(":")
    recipe = getattr(importlib.import_module(module), attr)()
    limits = job["limits"]
    emit({"type": "progress", "step": "Loading your data", "percent": 2})
    con.execute(f"SET memory_limit = '{limits['duckdb_memory_bytes'] // (1024 * 1024)}MB'")
    con.execute(f"SET threads = {int(limits['threads'])}")
    con.execute(f"SET temp_directory = {literal(job['spill_dir'])}")
    # The dataset is read where it lies, through views: no copy of every column into memory
    # before the first query. Its one file stays readable after the file system is cut off.
    parquet = literal(job["parquet"])
    con.execute(f"SET allowed_paths = [{parquet}]")
    # data.parquet also holds the raw text of typed columns, for re-typing: hidden here.
    visible = "COLUMNS(lambda c: NOT starts_with(c, chr(31)))"
    con.execute(f"CREATE VIEW raw AS SELECT {visible} FROM read_parquet({parquet})")
    con.execute(
        f"CREATE VIEW raw_numbered AS SELECT {visible}, file_row_number + 1 AS row_number "
        f"FROM read_parquet({parquet}, file_row_number = true)"
    )
    # Order matters: resources first, then cut off the file system, then freeze it all.
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    column_types = {c["name"]: c["type"] for c in job["columns"]}
    emit({"type": "progress", "step": "Checking your columns", "percent": 5})
    build_data_view(con, column_types, recipe, job["mapping"], job["columns"])
    install_audit_hook()
    ctx = RunContext(
        con=con,
        rows=con.execute("SELECT count(*) FROM raw").fetchone()[0],
        mapping=job["mapping"],
        params=job["params"],
        columns=job["columns"],
        notes=job.get("notes", []),
        report=lambda step, pct: emit({"type": "progress", "step": step, "percent": pct}),
    )
    result = recipe.run(ctx)
    return json.loads(json.dumps(result, default=str))


def _ingest(job: dict[str, Any], emit) -> dict[str, Any]:
    """Read an uploaded file (or re-read a dataset) inside the job's folder: it may write
    there, and nowhere else; no network, no other program."""
    from sandbox.ingest.job import run_job

    install_audit_hook(writable=job["workdir"])
    return run_job(job, emit)


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_BLOCKED = {
    "socket.__new__": "open a network connection",
    "socket.connect": "open a network connection",
    "socket.bind": "open a network connection",
    "socket.getaddrinfo": "open a network connection",
    "subprocess.Popen": "start another program",
    "os.system": "start another program",
    "os.exec": "start another program",
    "os.posix_spawn": "start another program",
    "os.spawn": "start another program",
    "os.fork": "start another program",
    "os.forkpty": "start another program",
    "os.remove": "change files",
    "os.rename": "change files",
    "os.rmdir": "change files",
    "os.mkdir": "change files",
    "os.symlink": "change files",
    "os.link": "change files",
    "os.truncate": "change files",
    "os.chmod": "change files",
    "os.chown": "change files",
    "ctypes.dlopen": "load native code",
    "ctypes.dlsym": "load native code",
}


def install_audit_hook(writable: str | None = None) -> None:
    """Second line of defence after rlimits, the network namespace and DuckDB's lock.

    With ``writable`` (an ingest job's folder), files inside that folder may be written and
    changed; everything else stays blocked."""
    inside = os.path.join(os.path.realpath(writable), "") if writable else None

    def mine(path: Any) -> bool:
        if inside is None or not isinstance(path, str | bytes | os.PathLike):
            return False
        return os.path.join(os.path.realpath(os.fsdecode(path)), "").startswith(inside)

    def hook(event: str, args: tuple) -> None:
        what = _BLOCKED.get(event)
        if what == "change files" and mine(args[0]) and (event != "os.rename" or mine(args[1])):
            what = None
        if what is None and event == "open":
            path, mode, flags = args
            writing = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & _WRITE_FLAGS)
            if writing and not isinstance(path, int) and not mine(path):
                what = "write a file"
        if what is not None:
            raise SandboxViolation(f"The demo tried to {what}, which demos are not allowed to do.")

    sys.addaudithook(hook)


def _hidden_file(exc: BaseException) -> bool:
    """A file outside the run's folder that does not exist for the child: in the mount
    namespace fallback (``sandbox.mount_view``) that is every file the run may not see."""
    if not isinstance(exc, FileNotFoundError) or not exc.filename:
        return False
    here = os.path.join(os.getcwd(), "")
    return not os.path.join(os.path.abspath(os.fsdecode(exc.filename)), "").startswith(here)


def classify(exc: BaseException, limits: dict[str, Any]) -> tuple[str, str]:
    """Map an exception to (category, plain message)."""
    import duckdb

    from sandbox.errors import SandboxError
    from sandbox.limits import human_bytes

    memory = f"The demo needed more than {human_bytes(limits['memory_bytes'])} of memory."
    if isinstance(exc, MemoryError | duckdb.OutOfMemoryException):
        return "memory", memory
    if isinstance(exc, SandboxError):
        return "bad_data", exc.message
    if isinstance(exc, SandboxViolation):
        return "forbidden", str(exc)
    if isinstance(exc, duckdb.PermissionException):
        return "forbidden", (
            "The demo tried to read or write a file outside its own dataset, which demos are "
            "not allowed to do."
        )
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return "disk", (
            f"The demo tried to write more than {human_bytes(limits['write_bytes'])} to disk."
        )
    if (isinstance(exc, PermissionError) and exc.filename is not None) or _hidden_file(exc):
        return "forbidden", (
            "The demo tried to read or write a file outside its own dataset, which demos are "
            "not allowed to do."
        )
    if isinstance(exc, OSError) and exc.errno == errno.EPERM:
        return "forbidden", (
            "The demo tried to start another program or reach another process, which demos "
            "are not allowed to do."
        )
    if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EACCES):
        return "forbidden", "The demo tried to use the network, which demos are not allowed to do."
    if isinstance(exc, duckdb.Error) and "memory" in str(exc).lower():
        return "memory", memory
    return "internal", (
        f"The demo stopped on an unexpected error ({type(exc).__name__}). Please try again; "
        "if it keeps happening, tell us the run id."
    )


if __name__ == "__main__":
    code = main()
    # The outcome is out: skip tearing down the interpreter.
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)
