"""Mount points inside the root: found with links confined to the root, made when missing, removed after.

A mount point the stub layer cannot provide (the image has a symlinked or opaque parent) is made
through the merged view, so it lands in the upper dir, and so may the copy-up of its parent.
Both are noted and undone after the run when still empty and unchanged, as BuildKit does for its
mount stubs, so the step's layer does not show them.
"""
from __future__ import annotations

import errno
import os
import posixpath
import stat
from dataclasses import field
from pathlib import Path

from buildkit_py.executor import linux
from buildkit_py.records import dataclass

_NO_LINKS = linux.RESOLVE_IN_ROOT | linux.RESOLVE_NO_SYMLINKS | linux.RESOLVE_NO_MAGICLINKS
_MAX_HOPS = 40


@dataclass
class Made:
    created: list[str] = field(default_factory=list)  # in-root paths, each after its parent
    copied_up: list[str] = field(default_factory=list)  # existing dirs that a creation copied up

    def messages(self) -> list[dict[str, list[str]]]:
        """One control message per path, each well under PIPE_BUF."""
        return [{"created": [p]} for p in self.created] + [{"copied_up": [p]} for p in self.copied_up]


def host_path(fd: int, root: str) -> str:
    """The host-side path of an fd opened inside `root` (no links left in it: safe to mount on)."""
    path = os.readlink(f"/proc/self/fd/{fd}")
    if path != root and not path.startswith(root + "/"):
        raise OSError(errno.EXDEV, "path resolved outside the root filesystem", path)
    return path


def resolve_in_root(rootfd: int, path: str) -> str:
    """`path` with every existing symlink followed as if `rootfd` were "/" (missing parts kept as written)."""
    todo = [c for c in path.split("/") if c]
    done: list[str] = []
    hops = 0
    while todo:
        c = todo.pop(0)
        if c == ".":
            continue
        if c == "..":
            if done:
                done.pop()
            continue
        rel = "/".join([*done, c])
        try:
            st = os.stat(rel, dir_fd=rootfd, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            done.append(c)
            continue
        if stat.S_ISLNK(st.st_mode):
            hops += 1
            if hops > _MAX_HOPS:
                raise OSError(errno.ELOOP, "too many levels of symbolic links", path)
            target = os.readlink(rel, dir_fd=rootfd)
            if target.startswith("/"):
                done = []
            todo = [t for t in target.split("/") if t] + todo
            continue
        done.append(c)
    return "/" + "/".join(done)


def ensure_target(rootfd: int, root: str, upperdir: str, path: str, is_dir: bool, made: Made) -> str:
    """The host path of mount point `path` in the root (links followed inside it), made if absent."""
    try:
        fd = linux.open_in_root(rootfd, path, os.O_PATH)
    except FileNotFoundError:
        fd = _make(rootfd, upperdir, resolve_in_root(rootfd, path), is_dir, made)
    try:
        return host_path(fd, root)
    finally:
        os.close(fd)


def _make(rootfd: int, upperdir: str, resolved: str, is_dir: bool, made: Made) -> int:
    parts = resolved.strip("/").split("/")
    first_missing = 0
    while first_missing < len(parts):
        try:
            os.stat("/".join(parts[: first_missing + 1]), dir_fd=rootfd, follow_symlinks=False)
        except FileNotFoundError:
            break
        first_missing += 1
    parent = "/".join(parts[:first_missing])
    if parent and not os.path.lexists(os.path.join(upperdir, parent)):
        made.copied_up.append("/" + parent)  # making a child below copies the parent up
    for i in range(first_missing, len(parts)):
        pfd = linux.openat2(rootfd, "/".join(parts[:i]) or ".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC, _NO_LINKS)
        try:
            if i < len(parts) - 1 or is_dir:
                os.mkdir(parts[i], 0o755, dir_fd=pfd)
            else:
                os.close(os.open(parts[i], os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o644, dir_fd=pfd))
        finally:
            os.close(pfd)
        made.created.append("/" + "/".join(parts[: i + 1]))
    return linux.openat2(rootfd, resolved.lstrip("/"), os.O_PATH | os.O_CLOEXEC, _NO_LINKS)


def _lower_origin(lowerdirs: list[Path], rel: str) -> os.stat_result | None:
    for lower in lowerdirs:
        try:
            lfd = os.open(lower, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fd = linux.openat2(lfd, rel, os.O_PATH | os.O_CLOEXEC, _NO_LINKS)
            try:
                return os.fstat(fd)
            finally:
                os.close(fd)
        except OSError:
            continue
        finally:
            os.close(lfd)
    return None


def _removable(pfd: int, name: str, st: os.stat_result, lowerdirs: list[Path] | None, rel: str) -> bool:
    if lowerdirs is None:  # something we created: gone if still empty
        return stat.S_ISDIR(st.st_mode) or (stat.S_ISREG(st.st_mode) and st.st_size == 0)
    if not stat.S_ISDIR(st.st_mode):
        return False
    dfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=pfd)
    try:
        if os.listdir(dfd):
            return False
        try:
            os.getxattr(dfd, "trusted.overlay.opaque")
            return False
        except OSError:
            pass
    finally:
        os.close(dfd)
    origin = _lower_origin(lowerdirs, rel)  # None: it came from the stub layer
    return origin is None or (origin.st_mode, origin.st_uid, origin.st_gid) == (st.st_mode, st.st_uid, st.st_gid)


def remove_made(upperdir: Path, lowerdirs: list[Path], made: Made) -> None:
    """After the run: drop what `ensure_target` made (and copied up) when still empty and unchanged.

    Walks the upper dir refusing every symlink (the step may have planted some) and puts the
    parent directory's times back, so the layer does not change.
    """
    upfd = os.open(upperdir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        deepest_first = sorted(set(made.created), key=lambda p: p.count("/"), reverse=True)
        jobs = [(p, None) for p in deepest_first]
        jobs += [(p, lowerdirs) for p in sorted(set(made.copied_up), key=lambda p: p.count("/"), reverse=True)]
        for path, origin_layers in jobs:
            rel = path.strip("/")
            parent, name = posixpath.split(rel)
            try:
                pfd = linux.openat2(upfd, parent or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, _NO_LINKS)
            except OSError:
                continue
            try:
                before = os.fstat(pfd)
                st = os.stat(name, dir_fd=pfd, follow_symlinks=False)
                if not _removable(pfd, name, st, origin_layers, rel):
                    continue
                if stat.S_ISDIR(st.st_mode):
                    os.rmdir(name, dir_fd=pfd)
                else:
                    os.unlink(name, dir_fd=pfd)
                os.utime(pfd, ns=(before.st_atime_ns, before.st_mtime_ns))
            except OSError:
                continue
            finally:
                os.close(pfd)
    finally:
        os.close(upfd)
