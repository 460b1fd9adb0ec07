"""USER resolution with docker's semantics, as pure functions over the text of /etc/passwd and /etc/group.

Follows BuildKit's GetUser (a numeric "uid:gid" needs no files) and moby/sys/user's GetExecUser
(names looked up, numeric ids need no entry, supplementary groups only when no group is given),
and like containerd puts the primary gid first in the group list.
"""
from __future__ import annotations

import os
import re
import stat

from buildkit_py.executor import ExecError
from buildkit_py.executor.linux import open_in_root
from buildkit_py.records import dataclass

MAX_ID = 2**31 - 1
MAX_USER_FILE = 10 << 20  # as BuildKit: a bigger passwd or group file is refused
_NUMERIC = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class PasswdEntry:
    name: str
    uid: int
    gid: int
    home: str


@dataclass(frozen=True)
class GroupEntry:
    name: str
    gid: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class ExecUser:
    uid: int
    gid: int
    groups: tuple[int, ...]  # setgroups(2) list, primary gid first
    home: str


def _int(field: str) -> int:
    # Go's Atoi with the error ignored: junk reads as 0, as moby/sys/user does.
    return int(field) if _NUMERIC.fullmatch(field) and abs(int(field)) < 2**63 else 0


def parse_passwd(text: str) -> list[PasswdEntry]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        f = line.split(":") + [""] * 7
        out.append(PasswdEntry(f[0], _int(f[2]), _int(f[3]), f[5]))
    return out


def parse_group(text: str) -> list[GroupEntry]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split(":") + [""] * 4
        out.append(GroupEntry(f[0], _int(f[2]), tuple(f[3].split(",")) if f[3] else ()))
    return out


def _numeric(value: str) -> int | None:
    """The id a numeric user or group argument names; None for a name."""
    if not _NUMERIC.fullmatch(value):
        return None
    n = int(value)
    if not 0 <= n <= MAX_ID:
        raise ExecError(f"invalid user {value!r}: uids and gids must be in range 0-{MAX_ID}")
    return n


def _fast_uid_gid(spec: str) -> tuple[int, int] | None:
    """BuildKit's shortcut: "uid:gid" (or "root") on both sides needs no file at all."""
    parts = spec.split(":", 1)
    if len(parts) != 2:
        return None
    ids = []
    for p in parts:
        if p == "root":
            ids.append(0)
        elif p.isascii() and p.isdigit() and int(p) <= 2**32 - 1:
            ids.append(int(p))
        else:
            return None
    return ids[0], ids[1]


def home_of(uid: int, passwd: str | None) -> str:
    """HOME as runc sets it when the env lacks one: the first passwd entry of the uid, else "/"."""
    for e in parse_passwd(passwd or ""):
        if e.uid == uid:
            return e.home
    return "/"


def resolve_user(spec: str, passwd: str | None, group: str | None) -> ExecUser:
    """uid, gid, groups and home for a USER value; `passwd`/`group` are None when the file is absent."""
    if spec == "":
        try:
            return resolve_user("0", passwd, group)
        except ExecError:
            return ExecUser(0, 0, (0,), "/")
    fast = _fast_uid_gid(spec)
    if fast is not None:
        uid, gid = fast
        return ExecUser(uid, gid, (gid,), home_of(uid, passwd))
    user_arg, _, rest = spec.partition(":")
    group_arg = rest.split(":", 1)[0]
    uid_arg, gid_arg = _numeric(user_arg), _numeric(group_arg)

    uid, gid, home, matched = 0, 0, "/", ""
    users = [
        e for e in parse_passwd(passwd or "")
        if (e.uid == uid_arg if uid_arg is not None else e.name == user_arg)
    ] if user_arg else [e for e in parse_passwd(passwd or "") if e.uid == 0]
    if users:
        matched, uid, gid, home = users[0].name, users[0].uid, users[0].gid, users[0].home
    elif user_arg:
        if uid_arg is None:
            if user_arg == "root":  # so that the default "root" works on images without /etc/passwd
                uid = 0
            else:
                raise ExecError(
                    f"unable to find user {user_arg}: no matching entries in passwd file",
                    hint="add the user to /etc/passwd in an earlier step, or use a numeric uid",
                )
        else:
            uid = uid_arg

    sgids: list[int] = []
    if group_arg or matched:
        groups = parse_group(group or "")
        if group_arg:
            found = [g for g in groups if (g.gid == gid_arg if gid_arg is not None else g.name == group_arg)]
            if found:
                gid = found[0].gid
            elif gid_arg is not None:
                gid = gid_arg
            else:
                raise ExecError(
                    f"unable to find group {group_arg}: no matching entries in group file",
                    hint="add the group to /etc/group in an earlier step, or use a numeric gid",
                )
        else:
            sgids = [g.gid for g in groups if matched in g.members]
    ordered = sgids if gid in sgids else [gid, *sgids]
    return ExecUser(uid, gid, tuple(ordered), home)


def read_user_file(rootfd: int, path: str) -> str | None:
    """The text of /etc/passwd or /etc/group inside the root `rootfd`; None when absent or unusable.

    Opened with links confined to the root, without blocking on a FIFO; like BuildKit, a file
    that is not regular or is over 10 MiB counts as absent.
    """
    try:
        fd = open_in_root(rootfd, path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_USER_FILE:
            return None
        chunks, size = [], 0
        while size <= MAX_USER_FILE:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_USER_FILE:
            return None
        return b"".join(chunks).decode("utf-8", "surrogateescape")
    finally:
        os.close(fd)
