"""The seccomp filter of the sandbox child (x86_64): a classic BPF program that refuses new
processes, exec, tracing, namespaces and signals to any process but the child itself, while
threads (clone with ``CLONE_THREAD``) stay allowed. :mod:`sandbox.isolation` installs it."""

from __future__ import annotations

import ctypes

CLONE_THREAD = 0x00010000

_AUDIT_ARCH_X86_64 = 0xC000003E
_RET_ALLOW = 0x7FFF0000
_RET_KILL = 0x80000000
_RET_EPERM = 0x00050000 | 1
_RET_ENOSYS = 0x00050000 | 38
_LD_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RET = 0x06  # BPF_RET | BPF_K

_DENIED = {
    "fork": 57,
    "vfork": 58,
    "execve": 59,
    "execveat": 322,
    "ptrace": 101,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "unshare": 272,
    "setns": 308,
    "mount": 165,
    "pivot_root": 155,
    "chroot": 161,
    # With CAP_DAC_READ_SEARCH (kept to read the install) a file handle opens any file on the
    # same file system, whatever the mount view shows ("shocker").
    "open_by_handle_at": 304,
    "name_to_handle_at": 303,
    "tkill": 200,
    "pidfd_open": 434,
    "pidfd_send_signal": 424,
    "pidfd_getfd": 438,
    "io_uring_setup": 425,
    "bpf": 321,
    "perf_event_open": 298,
    "keyctl": 250,
    "add_key": 248,
    "request_key": 249,
}
_SELF_SIGNAL = {"kill": 62, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297}
_CLONE, _CLONE3 = 56, 435


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def seccomp_program(pid: int) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k): threads yes, new processes and foreign signals no."""
    prog = [
        (_LD_ABS, 0, 0, 4),  # arch
        (_JEQ, 1, 0, _AUDIT_ARCH_X86_64),
        (_RET, 0, 0, _RET_KILL),
        (_LD_ABS, 0, 0, 0),  # syscall number
        (_JGE, 0, 1, 0x40000000),  # the x32 ABI
        (_RET, 0, 0, _RET_EPERM),
        (_JEQ, 0, 1, _CLONE3),  # flags out of reach: make glibc fall back to clone
        (_RET, 0, 0, _RET_ENOSYS),
    ]
    for nr in _DENIED.values():
        prog += [(_JEQ, 0, 1, nr), (_RET, 0, 0, _RET_EPERM)]
    for nr in _SELF_SIGNAL.values():
        # if nr matches: load the target pid; itself -> allow, else refuse; then reload nr.
        prog += [
            (_JEQ, 0, 4, nr),
            (_LD_ABS, 0, 0, 16),
            (_JEQ, 0, 1, pid),
            (_RET, 0, 0, _RET_ALLOW),
            (_RET, 0, 0, _RET_EPERM),
        ]
    prog += [
        (_JEQ, 0, 4, _CLONE),
        (_LD_ABS, 0, 0, 16),  # clone flags (low word)
        (_JSET, 1, 0, CLONE_THREAD),
        (_RET, 0, 0, _RET_EPERM),
        (_RET, 0, 0, _RET_ALLOW),
        (_RET, 0, 0, _RET_ALLOW),
    ]
    return prog


def filter_for(pid: int) -> _SockFprog:
    """The filter for the child ``pid``, ready for ``prctl(PR_SET_SECCOMP, ...)``."""
    prog = seccomp_program(pid)
    filters = (_SockFilter * len(prog))(*(_SockFilter(*ins) for ins in prog))
    return _SockFprog(len(prog), filters)
