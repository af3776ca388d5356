"""Landlock for the sandbox child: its run folder read-write, the Python install and a few
public system files read-only, TCP and signals to other processes refused (ABI 4 and 6)."""

from __future__ import annotations

import ctypes
import os
import platform

from .syscalls import SYS as _SYS
from .syscalls import check as _check
from .syscalls import libc as _libc
from .syscalls import no_new_privs as _no_new_privs

_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_ALL_V1 = (1 << 13) - 1
_FS_REFER = 1 << 13  # ABI 2
_FS_TRUNCATE = 1 << 14  # ABI 3
_FS_IOCTL_DEV = 1 << 15  # ABI 5
_NET_TCP = (1 << 0) | (1 << 1)  # bind, connect (ABI 4)
_SCOPE_ALL = (1 << 0) | (1 << 1)  # abstract unix sockets, signals (ABI 6)
_FILE_RIGHTS = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 without Landlock (or off x86_64)."""
    if platform.machine() != "x86_64":
        return 0
    return max(_libc.syscall(_SYS["landlock_create_ruleset"], None, 0, 1), 0)


def _landlock(workdir: str, readable: list[str]) -> str | None:
    if platform.machine() != "x86_64":
        return "unavailable (Landlock numbers known for x86_64 only)"
    abi = _libc.syscall(_SYS["landlock_create_ruleset"], None, 0, 1)
    if abi < 1:
        return f"unavailable (kernel {platform.release()}: {os.strerror(ctypes.get_errno())})"
    fs = _FS_ALL_V1
    fs |= _FS_REFER if abi >= 2 else 0
    fs |= _FS_TRUNCATE if abi >= 3 else 0
    fs |= _FS_IOCTL_DEV if abi >= 5 else 0
    attr = _RulesetAttr(fs, _NET_TCP if abi >= 4 else 0, _SCOPE_ALL if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _check(
        _libc.syscall(_SYS["landlock_create_ruleset"], ctypes.byref(attr), size, 0),
        "landlock_create_ruleset",
    )
    read = _FS_READ_FILE | _FS_READ_DIR
    try:
        _allow(ruleset, workdir, fs)
        for path in readable:
            _allow(ruleset, path, read)
        # DuckDB sizes itself from these when its database opens (after isolation).
        for info in ("/proc/meminfo", "/proc/cpuinfo", "/sys/fs/cgroup", "/sys/devices/system/cpu"):
            _allow(ruleset, info, read)
        _allow(ruleset, f"/proc/{os.getpid()}", read)
        # Public system files the readers need: shared libraries loaded late (pyarrow's
        # librt), the MIME table openpyxl's import reads, time zones.
        for data in (
            "/etc/ld.so.cache", "/lib", "/lib64", "/usr/lib", "/usr/lib64",
            "/etc/mime.types", "/etc/localtime", "/usr/share/zoneinfo",
        ):  # fmt: skip
            _allow(ruleset, data, read)
        for dev in ("/dev/null", "/dev/zero", "/dev/urandom"):
            _allow(ruleset, dev, _FS_READ_FILE | _FS_WRITE_FILE)
        _no_new_privs()  # restrict_self needs it; also its own layer
        _check(_libc.syscall(_SYS["landlock_restrict_self"], ruleset, 0), "landlock_restrict")
    finally:
        os.close(ruleset)
    return None if abi >= 6 else f"active (ABI {abi}: signals not scoped)"


def _allow(ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except (FileNotFoundError, PermissionError):
        return  # absent, or out of this uid's reach anyway
    try:
        if not os.path.isdir(path):
            access &= _FILE_RIGHTS
        rule = _PathBeneath(access, fd)
        _check(
            _libc.syscall(_SYS["landlock_add_rule"], ruleset, 1, ctypes.byref(rule), 0),
            f"landlock_add_rule({path})",
        )
    finally:
        os.close(fd)
