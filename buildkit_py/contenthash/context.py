"""The build context: which files it has (after .dockerignore), and digests of their content.

A digest covers names, types, modes, owners, sizes, link targets and bytes — never mtimes, so
`touch` does not invalidate the cache. A stat cache remembers each file's content hash by
(inode, size, mtime, ctime) so that an unchanged file is not read again on a rebuild.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable

# This module is on the path of every cached rebuild (solver/memo.py): it imports nothing heavy
# (no dataclasses, no pathlib), which is why Entry is a plain slotted class.


class Entry:
    """One path of the context: relative, "/"-separated, no leading "./"."""

    __slots__ = ("path", "mode", "uid", "gid", "size", "link")

    def __init__(self, path: str, mode: int, uid: int, gid: int, size: int, link: str) -> None:
        self.path, self.mode, self.uid, self.gid, self.size, self.link = path, mode, uid, gid, size, link

    def __repr__(self) -> str:
        return f"Entry({self.path!r}, {self.mode:o})"

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)

    @property
    def is_link(self) -> bool:
        return stat.S_ISLNK(self.mode)


class StatCache:
    """Content hashes keyed by file identity; a JSON file, rewritten only when it changed."""

    def __init__(self, path: str | os.PathLike | None) -> None:
        self.path = os.fspath(path) if path is not None else None
        self.data: dict[str, list] = {}
        self.dirty = False
        if self.path is not None:
            try:
                with open(self.path, "rb") as f:
                    self.data = json.loads(f.read())
            except (OSError, ValueError):
                self.data = {}

    def sha256(self, host_path: str, st: os.stat_result) -> str:
        ident = [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        hit = self.data.get(host_path)
        if hit is not None and hit[:4] == ident:
            return hit[4]
        h = hashlib.sha256()
        with open(host_path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        digest = h.hexdigest()
        self.data[host_path] = ident + [digest]
        self.dirty = True
        return digest

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        tmp = f"{self.path}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(json.dumps(self.data, separators=(",", ":")))
        os.replace(tmp, self.path)
        self.dirty = False


class BuildContext:
    """A context directory, filtered by an exclusion predicate (the .dockerignore rules)."""

    def __init__(self, root: str | os.PathLike, excluded: Callable[[str], bool] | None = None,
                 cache: StatCache | None = None) -> None:
        self.root = os.path.realpath(root)
        self.excluded = excluded or (lambda p: False)
        self.cache = cache or StatCache(None)
        self._entries: dict[str, Entry] | None = None

    @property
    def entries(self) -> dict[str, Entry]:
        """Every included path (directories too), scanned once."""
        if self._entries is None:
            self._entries = self._scan()
        return self._entries

    def _scan(self) -> dict[str, Entry]:
        out: dict[str, Entry] = {}
        root = self.root
        stack = [""]
        while stack:
            rel = stack.pop()
            host = os.path.join(root, rel) if rel else root
            try:
                it = os.scandir(host)
            except (NotADirectoryError, FileNotFoundError, PermissionError):
                continue
            with it:
                for de in it:
                    child = f"{rel}/{de.name}" if rel else de.name
                    st = de.stat(follow_symlinks=False)
                    is_dir = stat.S_ISDIR(st.st_mode)
                    if self.excluded(child):
                        if is_dir:
                            stack.append(child)  # `!` patterns may re-include something below
                        continue
                    link = os.readlink(de.path) if stat.S_ISLNK(st.st_mode) else ""
                    out[child] = Entry(child, st.st_mode, st.st_uid, st.st_gid, st.st_size, link)
                    if is_dir:
                        stack.append(child)
        return out

    def host_path(self, rel: str) -> str:
        return os.path.join(self.root, rel) if rel else self.root

    def lookup(self, rel: str) -> Entry | None:
        rel = normalize(rel)
        if rel == "":
            st = os.lstat(self.root)
            return Entry("", st.st_mode, st.st_uid, st.st_gid, 0, "")
        return self.entries.get(rel)

    def children(self, rel: str) -> list[Entry]:
        """Everything below a directory (recursively), sorted by path."""
        rel = normalize(rel)
        prefix = rel + "/" if rel else ""
        return sorted((e for p, e in self.entries.items() if p.startswith(prefix) and p != rel),
                      key=lambda e: e.path)

    def glob(self, pattern: str) -> list[str]:
        """Paths matching a COPY source pattern (Go filepath.Match per component)."""
        import fnmatch

        pattern = normalize(pattern)
        if not has_magic(pattern):
            return [pattern] if self.lookup(pattern) is not None else []
        parts = pattern.split("/")
        out = []
        for p in self.entries:
            segs = p.split("/")
            if len(segs) == len(parts) and all(fnmatch.fnmatchcase(s, q) for s, q in zip(segs, parts)):
                out.append(p)
        return sorted(out)

    def digest(self, paths: Iterable[str]) -> str:
        """The content digest of these paths and everything below them."""
        h = hashlib.sha256()
        seen: set[str] = set()
        for rel in sorted(normalize(p) for p in paths):
            entries = ([self.lookup(rel)] if rel else []) + (self.children(rel) if self._is_dir(rel) else [])
            for e in entries:
                if e is None or e.path in seen:
                    continue
                seen.add(e.path)
                content = ""
                if stat.S_ISREG(e.mode):
                    content = self.cache.sha256(self.host_path(e.path), os.lstat(self.host_path(e.path)))
                h.update(f"{e.path}\0{e.mode:o}\0{e.uid}\0{e.gid}\0{e.size if not e.is_dir else 0}\0"
                         f"{e.link}\0{content}\n".encode("utf-8", "surrogateescape"))
        return "sha256:" + h.hexdigest()

    def _is_dir(self, rel: str) -> bool:
        if rel == "":
            return True
        e = self.lookup(rel)
        return e is not None and e.is_dir


def normalize(path: str) -> str:
    """A context-relative path: no leading `/` or `./`, no `..` above the root."""
    parts: list[str] = []
    for p in path.replace("\\", "/").split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            if parts:
                parts.pop()
            continue
        parts.append(p)
    return "/".join(parts)


def has_magic(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")
