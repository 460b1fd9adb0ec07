"""COPY and ADD into a step's upper directory, with docker's destination rules.

The step starts from a stack of layers (read through LayeredFS); what it adds is written to a
fresh upper directory, which then becomes the step's layer. Directories that already exist
below are recreated in the upper directory with their metadata ("copy-up"), as overlayfs does.
"""
from __future__ import annotations

import os
import posixpath
import re
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path

from ..errors import PybuildError
from ..records import dataclass
from .layeredfs import LayeredFS


class CopyError(PybuildError):
    """A COPY/ADD that cannot be done (missing source, bad destination, bad --chmod/--chown)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to copy: a file, symlink or directory at `host` (its contents for a dir)."""

    name: str  # the base name it gets when copied into a directory
    host: str  # where to read it (a real path on the host)
    st: os.stat_result
    keep_owner: bool  # from another stage: owners kept unless --chown


@dataclass(frozen=True, slots=True)
class Ownership:
    uid: int
    gid: int


def parse_chmod(text: str) -> tuple[int | None, str | None]:
    """An octal mode (0755) or a symbolic one (u+x,go-w); BuildKit's errors for bad values."""
    if re.fullmatch(r"[0-7]+", text):
        value = int(text, 8)
        if value > 0o7777:
            raise CopyError(f"invalid chmod parameter: '{text}'. it should be octal string and between 0 and 07777")
        return value, None
    if re.fullmatch(r"\d+", text):
        raise CopyError(f"invalid chmod parameter: '{text}'. it should be octal string and between 0 and 07777")
    if not re.fullmatch(r"([ugoa]*[-+=][rwxXst]*)(,[ugoa]*[-+=][rwxXst]*)*", text):
        raise CopyError(f"invalid chmod parameter: '{text}'", hint="use an octal mode such as 0755 or a symbolic one such as u+x,go-w")
    return None, text


def apply_symbolic(mode: int, spec: str, is_dir: bool) -> int:
    perm = mode & 0o7777
    for clause in spec.split(","):
        m = re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        assert m is not None
        who, op, what = m.groups()
        who = who or "a"
        bits = 0
        for w in ("ugo" if "a" in who else who):
            shift = {"u": 6, "g": 3, "o": 0}[w]
            for p in what:
                if p == "r":
                    bits |= 4 << shift
                elif p == "w":
                    bits |= 2 << shift
                elif p == "x" or (p == "X" and (is_dir or perm & 0o111)):
                    bits |= 1 << shift
                elif p == "s" and w in "ug":
                    bits |= 0o4000 if w == "u" else 0o2000
                elif p == "t":
                    bits |= 0o1000
        if op == "+":
            perm |= bits
        elif op == "-":
            perm &= ~bits
        else:
            mask = 0
            for w in ("ugo" if "a" in who else who):
                mask |= 0o7 << {"u": 6, "g": 3, "o": 0}[w]
            perm = (perm & ~mask) | bits
    return perm


def resolve_chown(spec: str, fs: LayeredFS) -> Ownership:
    """`user[:group]` by name or number, through the destination's /etc/passwd and /etc/group."""
    user, _, group = spec.partition(":")
    uid = _lookup_id(user, fs.read_text("/etc/passwd") or "", 2, "user", spec)
    if group:
        gid = _lookup_id(group, fs.read_text("/etc/group") or "", 2, "group", spec)
    else:
        gid = uid  # docker: a user without group gets the same number as group
    return Ownership(uid, gid)


def _lookup_id(name: str, table: str, field: int, what: str, spec: str) -> int:
    if name.isdigit():
        return int(name)
    for line in table.splitlines():
        parts = line.split(":")
        if len(parts) > field and parts[0] == name:
            try:
                return int(parts[field])
            except ValueError:
                break
    raise CopyError(f"unable to convert uid/gid chown string to host mapping: can't find {what} {name!r} for --chown={spec}",
                    hint=f"use a numeric id, or create the {what} in an earlier RUN")


class Writer:
    """Writes into `upper`, seeing the step's starting filesystem through `lower`."""

    def __init__(self, upper: Path, lower: LayeredFS, *, owner: Ownership | None, chmod: str | None,
                 mtime: float | None = None) -> None:
        self.upper = os.fspath(upper)
        self.lower = lower
        self.view = LayeredFS([self.upper] + lower.layers)
        self.owner = owner
        self.mode, self.symbolic = parse_chmod(chmod) if chmod else (None, None)
        self.mtime = mtime
        self.dir_times: list[tuple[str, float]] = []
        self._made: dict[str, str] = {}  # directories already ensured -> their canonical path

    def _host(self, path: str) -> str:
        return os.path.join(self.upper, path.lstrip("/"))

    def ensure_dir(self, path: str, *, created_owner: Ownership | None = None) -> str:
        """Make sure a directory exists at `path` (canonical) in the upper dir; returns its path."""
        done = self._made.get(path)
        if done is not None:
            return done
        result = self._ensure_dir(path, created_owner)
        self._made[path] = result
        return result

    def _ensure_dir(self, path: str, created_owner: Ownership | None) -> str:
        parts = [p for p in path.split("/") if p]
        cur = ""
        for name in parts:
            cur = f"{cur}/{name}"
            canon = self.view.resolve(cur)
            if canon != cur:  # a symlink on the way: continue at its target
                cur = canon
            host = self._host(cur)
            if os.path.isdir(host) and not os.path.islink(host):
                continue
            below = self.lower.entry(cur)
            if below is not None and stat.S_ISDIR(below[1].st_mode):
                st = below[1]
                os.makedirs(host, exist_ok=True)
                os.chmod(host, stat.S_IMODE(st.st_mode))
                os.lchown(host, st.st_uid, st.st_gid)
                self.dir_times.append((host, st.st_mtime))
            elif below is not None:
                raise CopyError(f"cannot copy to {path}: {cur} exists and is not a directory")
            else:
                os.makedirs(host, exist_ok=True)
                os.chmod(host, 0o755)
                o = created_owner or Ownership(0, 0)
                os.lchown(host, o.uid, o.gid)
        return cur or "/"

    def is_dir(self, path: str) -> bool:
        return self.view.is_dir(path)

    def _meta(self, host: str, st: os.stat_result, keep_owner: bool, is_dir: bool) -> None:
        if self.owner is not None:
            uid, gid = self.owner.uid, self.owner.gid
        elif keep_owner:
            uid, gid = st.st_uid, st.st_gid
        else:
            uid, gid = 0, 0
        os.lchown(host, uid, gid)
        if not stat.S_ISLNK(st.st_mode):
            perm = stat.S_IMODE(st.st_mode)
            if self.mode is not None:
                perm = self.mode
            elif self.symbolic is not None:
                perm = apply_symbolic(perm, self.symbolic, is_dir)
            os.chmod(host, perm)
        t = self.mtime if self.mtime is not None else st.st_mtime
        if is_dir:
            self.dir_times.append((host, t))
        else:
            os.utime(host, (t, t), follow_symlinks=False)

    def put(self, dest: str, item: Item) -> None:
        """Copy one file or symlink to the exact path `dest`."""
        parent = posixpath.dirname(dest) or "/"
        parent = self.ensure_dir(parent, created_owner=self.owner)
        target = self._host(posixpath.join(parent, posixpath.basename(dest)))
        if os.path.lexists(target):
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
                self._made = {k: v for k, v in self._made.items() if not k.startswith(dest.rstrip("/") + "/")}
            else:
                os.unlink(target)
        st = item.st
        if stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(item.host), target)
        elif stat.S_ISREG(st.st_mode):
            shutil.copyfile(item.host, target)  # sendfile/copy_file_range: no bytes through Python
        elif stat.S_ISDIR(st.st_mode):
            os.mkdir(target)
        else:
            return  # sockets, devices and fifos are not copied from a context
        self._meta(target, st, item.keep_owner, stat.S_ISDIR(st.st_mode))

    def put_dir_meta(self, dest: str, st: os.stat_result, keep_owner: bool) -> None:
        path = self.ensure_dir(dest, created_owner=self.owner)
        self._meta(self._host(path), st, keep_owner, True)

    def finish(self) -> None:
        """Directory mtimes last, after their contents were written."""
        for host, t in reversed(self.dir_times):
            try:
                os.utime(host, (t, t), follow_symlinks=False)
            except FileNotFoundError:
                pass


def copy_tree(w: Writer, dest_dir: str, entries: Iterable[tuple[str, str, os.stat_result]], keep_owner: bool) -> None:
    """Copy (relative path, host path, lstat) triples, parents before children, under dest_dir."""
    for rel, host, st in entries:
        target = posixpath.join(dest_dir, rel)
        if stat.S_ISDIR(st.st_mode):
            w.put_dir_meta(target, st, keep_owner)
        else:
            w.put(target, Item(posixpath.basename(rel), host, st, keep_owner))
