"""The file-system view of the sandbox child where the kernel has no Landlock: a private
mount namespace whose root is an empty tmpfs holding only bind mounts of what a run may see.

Paths keep their names (``/usr/lib/...``, the run's workdir, its dataset), so nothing in the
child needs to know; everything else (the project folder with the app's database, the
instance folder, other runs, ``/etc``, ``/home``) does not exist there. The workdir is
writable, all else read-only. It needs root (``CAP_SYS_ADMIN`` for ``unshare`` and
``mount``), which the child drops right after; seccomp then refuses ``mount``, ``chroot``,
``unshare`` and ``open_by_handle_at``, so the view cannot be undone.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable

CLONE_NEWNS = 0x00020000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

# What the readers need besides Python: DuckDB sizes itself from /sys (and /proc, mounted
# apart below), late-loaded
# shared libraries, openpyxl's MIME table, time zones (the same list Landlock allows).
SYSTEM_READ = (
    "/sys/fs/cgroup", "/sys/devices/system/cpu",
    "/etc/ld.so.cache", "/lib", "/lib64", "/usr/lib", "/usr/lib64",
    "/etc/mime.types", "/etc/localtime", "/usr/share/zoneinfo",
)  # fmt: skip
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")
ROOT_NAME = ".view"  # the new root, a mount point inside the workdir (gone with the run)

_libc = ctypes.CDLL(None, use_errno=True)


def _call(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = ""):
    _call(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount({target})",
    )


def confine(workdir: str, readable: Iterable[str]) -> None:
    """Make the child's root a view of ``workdir`` (read-write), ``readable`` and the
    system files above (read-only), then ``chroot`` into it. Needs root."""
    if os.geteuid() != 0:
        raise PermissionError("needs root for a mount namespace")
    workdir = os.path.realpath(workdir)
    _call(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    # Nothing done here may reach the host's mounts.
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = os.path.join(workdir, ROOT_NAME)
    os.makedirs(root, mode=0o755, exist_ok=True)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    # The workdir without its submounts (the new root is one of them).
    _bind(root, workdir, writable=True, recursive=False)
    bound = [workdir]
    # Parents before children, so a path inside one already bound is not bound twice.
    for path in sorted({os.path.abspath(p) for p in [*readable, *SYSTEM_READ]}, key=len):
        if not any(path == b or path.startswith(b.rstrip("/") + "/") for b in bound):
            _bind(root, path, writable=False)
            bound.append(path)
    for device in DEVICES:
        _bind(root, device, writable=True)
    _mount_proc(root + "/proc")
    os.chroot(root)
    os.chdir(workdir)


def _bind(root: str, path: str, *, writable: bool, recursive: bool = True) -> None:
    if not os.path.lexists(path):
        return
    target = root + path
    if os.path.islink(path):  # /lib -> usr/lib on merged-/usr systems: the link, as it is
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(os.readlink(path), target)
        return
    if os.path.isdir(path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w"):
            pass
    _mount(path, target, None, MS_BIND | (MS_REC if recursive else 0))
    if not writable:
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)


def _mount_proc(target: str) -> None:
    """A /proc of our own in which other uids' processes are invisible (the child gets a uid
    of its own next): DuckDB reads /proc/meminfo and /proc/cpuinfo, nobody needs the
    worker's command line. Kernels before 5.8 know ``hidepid=2`` only."""
    os.makedirs(target, exist_ok=True)
    for options in ("hidepid=invisible", "hidepid=2"):
        try:
            _mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, options)
            return
        except OSError:
            continue
    raise OSError("could not mount a private /proc")
