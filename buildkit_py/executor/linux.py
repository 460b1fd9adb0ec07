"""Thin ctypes wrappers for the Linux calls Python's os module lacks (mount, pivot_root, openat2, prctl).

Every wrapper raises OSError with errno and the path(s) involved, like the os module does.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import struct

# <linux/mount.h>
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_MOVE = 0x2000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MNT_DETACH = 0x2

# <sched.h> (os.unshare and these constants arrive only in Python 3.12)
CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

# <linux/openat2.h>
RESOLVE_NO_MAGICLINKS = 0x02
RESOLVE_NO_SYMLINKS = 0x04
RESOLVE_IN_ROOT = 0x10

# <linux/prctl.h>
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36

_SYSCALLS = {  # (pivot_root, openat2) by machine; both are in the generic table on arm64/riscv
    "x86_64": (155, 437),
    "aarch64": (41, 437),
    "riscv64": (41, 437),
    "ppc64le": (203, 437),
    "s390x": (217, 437),
}

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.syscall.restype = ctypes.c_long
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _b(s: str | bytes | None) -> bytes | None:
    return os.fsencode(s) if s is not None else None


def _check(ret: int, *paths: str | bytes | None) -> None:
    if ret < 0:
        err = ctypes.get_errno()
        shown = [p for p in paths if p]
        raise OSError(err, os.strerror(err), *(shown[:2] if shown else ()))


def mount(source: str | bytes | None, target: str | bytes, fstype: str | None = None,
          flags: int = 0, data: str | None = None) -> None:
    _check(_libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)), target)


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags))


def umount2(target: str | bytes, flags: int = 0) -> None:
    _check(_libc.umount2(_b(target), flags), target)


def _nr(index: int) -> int:
    nrs = _SYSCALLS.get(platform.machine())
    if nrs is None:
        raise OSError(38, f"no syscall table for {platform.machine()}")
    return nrs[index]


def pivot_root(new_root: str, put_old: str) -> None:
    _check(_libc.syscall(_nr(0), _b(new_root), _b(put_old)), new_root)


def openat2(dirfd: int, path: str, flags: int, resolve: int, mode: int = 0) -> int:
    """openat2(2): open `path` below `dirfd` with RESOLVE_* rules (e.g. symlinks cannot leave the root)."""
    how = struct.pack("QQQ", flags, mode, resolve)
    buf = ctypes.create_string_buffer(how, len(how))
    fd = _libc.syscall(_nr(1), ctypes.c_int(dirfd), _b(path), buf, ctypes.c_size_t(len(how)))
    _check(fd, path)
    return fd


def open_in_root(rootfd: int, path: str, flags: int, mode: int = 0) -> int:
    """Open `path` as if `rootfd` were "/": absolute links and ".." stay inside it."""
    return openat2(rootfd, path.lstrip("/") or ".", flags | os.O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, mode)


def set_pdeathsig(sig: int) -> None:
    _check(_libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0))


def set_child_subreaper() -> None:
    _check(_libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))


def drop_bounding_caps(keep: frozenset[int], last: int) -> None:
    """Remove every capability up to `last` not in `keep` from the bounding set (root gets only these at exec)."""
    for cap in range(last + 1):
        if cap not in keep:
            _check(_libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))


_CAP_V3 = 0x20080522
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4


def clear_inheritable_caps() -> None:
    """Empty the inheritable and ambient sets, so that only the bounding set decides what exec grants."""
    header = (ctypes.c_uint32 * 2)(_CAP_V3, 0)
    data = (ctypes.c_uint32 * 6)()  # two {effective, permitted, inheritable} words
    _check(_libc.capget(header, data))
    data[2] = data[5] = 0
    _check(_libc.capset(header, data))
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
