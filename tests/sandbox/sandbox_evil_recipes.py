"""Misbehaving recipes, registered only by the tests (never in the product registry)."""

from __future__ import annotations

import socket
import time

from sandbox.recipes.base import Recipe

WRITE_TARGET = "/tmp/sandbox_evil_write_test.txt"
OTHER_PARQUET = "/tmp/sandbox_evil_other_dataset.parquet"


class _Evil(Recipe):
    title = "Evil"
    description = "A recipe that breaks the rules on purpose."

    def ok(self, ctx, **kpis):
        res = self.builder(ctx)
        for label, value in kpis.items():
            res.kpi(label, value)
        return res.to_dict()


class MemoryHog(_Evil):
    name = "memory_hog"

    def run(self, ctx):
        hog = [bytearray(256 * 1024 * 1024) for _ in range(64)]
        return self.ok(ctx, size=len(hog))


class EndlessLoop(_Evil):
    name = "endless_loop"

    def run(self, ctx):
        n = 0
        while True:
            n += 1


class Sleeper(_Evil):
    name = "sleeper"

    def run(self, ctx):
        time.sleep(600)


class ReadPasswdText(_Evil):
    name = "read_passwd"
    sql = "SELECT * FROM read_text('/etc/passwd')"

    def run(self, ctx):
        return self.ok(ctx, rows=len(ctx.rows_of(self.sql)))


class SniffPasswd(ReadPasswdText):
    sql = "SELECT * FROM sniff_csv('/etc/passwd')"


class ReadCsvPasswd(ReadPasswdText):
    sql = "SELECT * FROM read_csv('/etc/passwd')"


class ReadOtherParquet(ReadPasswdText):
    """Another Parquet file than the run's own dataset, e.g. someone else's."""

    sql = f"SELECT * FROM read_parquet('{OTHER_PARQUET}')"


class OverwriteOwnDataset(_Evil):
    """The one readable file is the run's own dataset: it must not be writable either."""

    name = "overwrite_own"

    def run(self, ctx):
        (allowed,) = ctx.one("SELECT value FROM duckdb_settings() WHERE name = 'allowed_paths'")
        own = allowed.strip("[]").strip("'\"")
        ctx.con.execute(f"COPY (SELECT 1 AS x) TO '{own}' (FORMAT parquet)")
        return self.ok(ctx, wrote=1)


class EnvProbe(_Evil):
    """Reports what the child's environment holds."""

    name = "env_probe"

    def run(self, ctx):
        import os

        return self.ok(
            ctx,
            leaked=int("TESTDRIVE_PROBE_SECRET" in os.environ),
            home_is_workdir=int(os.environ["HOME"] == os.environ["TMPDIR"] == os.getcwd()),
        )


class WriteFile(_Evil):
    name = "write_file"

    def run(self, ctx):
        with open(WRITE_TARGET, "w") as fh:
            fh.write("escaped")
        return self.ok(ctx, wrote=1)


class OpenSocket(_Evil):
    name = "open_socket"

    def run(self, ctx):
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
        return self.ok(ctx, connected=1)


class NetProbe(_Evil):
    """Reports the network interfaces the child can see (reading is allowed)."""

    name = "net_probe"

    def run(self, ctx):
        with open("/proc/self/net/dev") as fh:
            names = [line.split(":")[0].strip() for line in fh.readlines()[2:]]
        return self.ok(ctx, interfaces=",".join(sorted(names)))


class Boom(_Evil):
    name = "boom"

    def run(self, ctx):
        raise ValueError("secret internal detail")


class SlowSteps(_Evil):
    name = "slow_steps"
    steps = 8

    def run(self, ctx):
        for i in range(self.steps):
            ctx.progress(f"Step {i + 1}", 10 * (i + 1))
            time.sleep(0.4)
        return self.ok(ctx, steps=self.steps)


class VerySlow(SlowSteps):
    steps = 200
