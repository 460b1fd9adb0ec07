"""A read-only view of a stack of layer directories in overlayfs format, without mounting.

COPY and WORKDIR need to look at the filesystem a step starts from (does the destination
exist? is it a directory? what does a symlink point to?) and COPY --from reads another
stage's files. Each layer directory holds that layer's changes as overlayfs keeps them:
a deleted path is a 0/0 character device, a directory whose lower contents are hidden has
the xattr trusted.overlay.opaque=y. Paths are always resolved inside the root.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

OPAQUE_XATTRS = ("trusted.overlay.opaque", "user.overlay.opaque")
_MAX_LINKS = 40


class PathEscape(Exception):
    pass


def is_whiteout(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def is_opaque(path: str) -> bool:
    for key in OPAQUE_XATTRS:
        try:
            if os.getxattr(path, key, follow_symlinks=False) == b"y":
                return True
        except OSError:
            continue
    return False


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p and p != "."]


class LayeredFS:
    """Layers top-most first (the order overlayfs takes lowerdir in)."""

    def __init__(self, layers: Sequence[Path | str]) -> None:
        self.layers = [os.fspath(p) for p in layers]

    # ---- finding entries -------------------------------------------------------------

    @staticmethod
    def _probe(layer: str, parts: list[str]) -> tuple[str, os.stat_result | None, bool]:
        """In one layer: ("present"|"absent"|"blocked", lstat, opaque-above-or-at).

        blocked: an ancestor is a whiteout or not a directory, or the path is a whiteout:
        nothing below this layer can be seen at the path.
        """
        cur = layer
        opaque = False
        for i, name in enumerate(parts):
            cur = os.path.join(cur, name)
            st = _lstat(cur)
            if st is None:
                return "absent", None, opaque
            if is_whiteout(st):
                return "blocked", None, opaque
            if i < len(parts) - 1 and not stat.S_ISDIR(st.st_mode):
                return "blocked", None, opaque
            if stat.S_ISDIR(st.st_mode) and is_opaque(cur):
                opaque = True
        st = _lstat(cur)
        return ("present", st, opaque) if st is not None else ("absent", None, opaque)

    def entry(self, path: str) -> tuple[str, os.stat_result] | None:
        """The host path and lstat of a path with no symlinks before its last component."""
        parts = _parts(path)
        for layer in self.layers:
            state, st, opaque = self._probe(layer, parts)
            if state == "present":
                return os.path.join(layer, *parts) if parts else layer, st  # type: ignore[return-value]
            if state == "blocked" or opaque:
                return None
        return None

    def lstat(self, path: str) -> os.stat_result | None:
        e = self.entry(self.resolve(path, follow_last=False))
        return e[1] if e else None

    def exists(self, path: str) -> bool:
        try:
            return self.entry(self.resolve(path)) is not None or self.resolve(path) == "/"
        except PathEscape:
            return False

    def is_dir(self, path: str) -> bool:
        if self.resolve(path) == "/":
            return True
        e = self.entry(self.resolve(path))
        return e is not None and stat.S_ISDIR(e[1].st_mode)

    def resolve(self, path: str, *, follow_last: bool = True) -> str:
        """The canonical path: symlinks followed as if the stack were the root (never outside)."""
        todo = _parts(path)
        done: list[str] = []
        links = 0
        while todo:
            name = todo.pop(0)
            if name == "..":
                if done:
                    done.pop()
                continue
            candidate = "/" + "/".join(done + [name])
            if not todo and not follow_last:
                done.append(name)
                break
            e = self.entry(candidate)
            if e is not None and stat.S_ISLNK(e[1].st_mode):
                links += 1
                if links > _MAX_LINKS:
                    raise PathEscape(f"too many levels of symbolic links in {path}")
                target = os.readlink(e[0])
                if target.startswith("/"):
                    done = []
                todo = _parts(target) + todo
                continue
            done.append(name)
        return "/" + "/".join(done)

    def listdir(self, path: str) -> list[str]:
        """Names in a directory, merged across layers."""
        parts = _parts(self.resolve(path))
        names: dict[str, bool] = {}  # name -> visible (False: whited out above)
        for layer in self.layers:
            state, st, opaque = self._probe(layer, parts)
            if state == "blocked":
                break
            if state == "present" and st is not None and stat.S_ISDIR(st.st_mode):
                cur = os.path.join(layer, *parts) if parts else layer
                for n in os.listdir(cur):
                    if n not in names:
                        cst = _lstat(os.path.join(cur, n))
                        names[n] = cst is not None and not is_whiteout(cst)
            elif state == "present":
                break
            if opaque:
                break
        return sorted(n for n, v in names.items() if v)

    def walk(self, path: str) -> Iterator[tuple[str, os.stat_result, str]]:
        """(path inside the root, lstat, host path) for `path` and everything below it."""
        canon = self.resolve(path, follow_last=False)
        e = self.entry(canon)
        if e is None:
            return
        stack = [(canon, e)]
        while stack:
            p, (host, st) = stack.pop()
            yield p, st, host
            if stat.S_ISDIR(st.st_mode):
                for name in reversed(self.listdir(p)):
                    child = p.rstrip("/") + "/" + name
                    ce = self.entry(child)
                    if ce is not None:
                        stack.append((child, ce))

    def read_text(self, path: str, limit: int = 1 << 20) -> str | None:
        try:
            canon = self.resolve(path)
        except PathEscape:
            return None
        e = self.entry(canon)
        if e is None or not stat.S_ISREG(e[1].st_mode):
            return None
        with open(e[0], "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
