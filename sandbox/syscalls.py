"""The few Linux system calls the child's isolation makes through libc (x86_64 numbers)."""

from __future__ import annotations

import ctypes
import os

PR_SET_NO_NEW_PRIVS = 38

SYS = {  # x86_64 system call numbers
    "capset": 126,
    "landlock_create_ruleset": 444,
    "landlock_add_rule": 445,
    "landlock_restrict_self": 446,
}

libc = ctypes.CDLL(None, use_errno=True)


def check(rc: int, what: str) -> int:
    if rc < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return rc


def no_new_privs() -> None:
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
