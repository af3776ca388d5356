"""Recipes that attack the operating system from inside the sandbox child (tests only).

Each one tries one forbidden action and, if it worked, returns what it got as a KPI: the
tests assert the run fails instead."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from sandbox.recipes.base import Recipe

APP_DB = "/tmp/sandbox_hostile_app.db"  # stands for the app's SQLite (password hashes)
PROJECT_FILE = str(Path(__file__).resolve().parents[2] / "pyproject.toml")


class _Hostile(Recipe):
    title = "Hostile"
    description = "A recipe that attacks its sandbox on purpose."

    def ok(self, ctx, **kpis):
        res = self.builder(ctx)
        for label, value in kpis.items():
            res.kpi(label, value)
        return res.to_dict()


class ReadAppDatabase(_Hostile):
    name = "read_app_db"
    path = APP_DB

    def run(self, ctx):
        with open(self.path, "rb") as fh:
            return self.ok(ctx, got=fh.read(64).hex())


class ReadProjectFile(ReadAppDatabase):
    path = PROJECT_FILE


class ListProjectDir(_Hostile):
    name = "list_project"

    def run(self, ctx):
        return self.ok(ctx, got=",".join(os.listdir(Path(PROJECT_FILE).parent)))


class Fork(_Hostile):
    name = "fork"

    def run(self, ctx):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        return self.ok(ctx, child=pid)


class ForkExec(_Hostile):
    """Straight to the C helper subprocess uses, past subprocess.Popen's audit event."""

    name = "fork_exec"

    def run(self, ctx):
        import sys

        helper = sys.modules["_posixsubprocess"]  # already loaded: no import event
        pid = helper.fork_exec(
            [b"/bin/true"], [b"/bin/true"], True, (), None, None,
            -1, -1, -1, -1, -1, -1, *os.pipe(), False, False, -1, None, None, None, -1, None,
            False,
        )  # fmt: skip
        return self.ok(ctx, child=pid)


class System(_Hostile):
    name = "system"

    def run(self, ctx):
        return self.ok(ctx, status=os.system("/bin/true"))


class Subprocess(_Hostile):
    name = "subprocess"

    def run(self, ctx):
        import subprocess

        return self.ok(ctx, out=subprocess.run(["/bin/true"], check=False).returncode)


class KillParent(_Hostile):
    name = "kill_parent"

    def run(self, ctx):
        os.kill(os.getppid(), signal.SIGTERM)
        return self.ok(ctx, killed=os.getppid())


class PidfdParent(_Hostile):
    """A signal through a pidfd: no audit event on the way."""

    name = "pidfd_parent"

    def run(self, ctx):
        fd = os.pidfd_open(os.getppid())
        signal.pidfd_send_signal(fd, signal.SIGTERM)
        return self.ok(ctx, killed=os.getppid())


class OpenSqlite(_Hostile):
    name = "open_sqlite"

    def run(self, ctx):
        import sqlite3

        rows = sqlite3.connect(APP_DB).execute("SELECT secret FROM users").fetchall()
        return self.ok(ctx, got=str(rows))


class SecondDuckdb(_Hostile):
    name = "second_duckdb"

    def run(self, ctx):
        import duckdb

        con = duckdb.connect()
        return self.ok(ctx, got=str(con.sql(f"SELECT * FROM read_blob('{APP_DB}')").fetchall()))


class DefaultDuckdb(_Hostile):
    """``duckdb.sql`` runs on the module's default connection: it must be the locked one."""

    name = "default_duckdb"

    def run(self, ctx):
        import duckdb

        return self.ok(ctx, got=str(duckdb.sql(f"SELECT * FROM read_blob('{APP_DB}')").fetchall()))


class Probe(_Hostile):
    """Reports what the child sees of itself: its descriptors and its privileges."""

    name = "os_probe"

    def run(self, ctx):
        fds = {}
        for name in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):  # the listing's own descriptor
                fds[name] = os.readlink(f"/proc/self/fd/{name}")
        with open("/proc/self/status") as fh:
            status = dict(line.split(":\t", 1) for line in fh.read().splitlines() if ":\t" in line)
        return self.ok(
            ctx,
            fds=";".join(f"{k}={v}" for k, v in sorted(fds.items())),
            no_new_privs=status["NoNewPrivs"].strip(),
            seccomp=status["Seccomp"].strip(),
            uid=os.getuid(),
            cwd=os.getcwd(),
            nice=os.getpriority(os.PRIO_PROCESS, 0),
            thread_nices=",".join(sorted(_thread_nices())),
            threads=len(os.listdir("/proc/self/task")),
        )


def _thread_nices() -> set[str]:
    """The niceness of every thread of this process (field 19 of its stat line)."""
    found = set()
    for task in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError), open(f"/proc/self/task/{task}/stat") as fh:
            found.add(fh.read().rsplit(")", 1)[1].split()[16])
    return found


class ListProcesses(_Hostile):
    """Lists the processes the child can see (the worker's command line would be next)."""

    name = "list_processes"

    def run(self, ctx):
        pids = sorted(int(n) for n in os.listdir("/proc") if n.isdigit())
        return self.ok(ctx, got=",".join(map(str, pids)), me=os.getpid(), parent=os.getppid())
