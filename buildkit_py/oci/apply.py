"""Unpacking a layer onto a root filesystem, honouring whiteouts, without ever leaving the root.

Every path is resolved one component at a time from a descriptor of the root with O_NOFOLLOW;
a symlink met on the way is expanded by us, inside the root (absolute targets mean the root,
as in a chroot), and climbing above the root is an error. Nothing asks the kernel to resolve
a path of more than one component, so a symlink already in the root cannot redirect a write.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
import tarfile
from collections.abc import Callable
from typing import BinaryIO, TypeVar

from buildkit_py.oci import mediatypes as mt
from buildkit_py.oci import tarentry as te
from buildkit_py.oci.compress import LayerReader
from buildkit_py.oci.layerbase import LayerError
from buildkit_py.oci.tarstream import TarStream

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_T = TypeVar("_T")
_OVERLAY_OPAQUE = "trusted.overlay.opaque"
_MAX_LINKS = 40  # as the kernel's own limit on symlinks followed in one lookup
_CACHE_MAX = 256


class _Root:
    """Directory descriptors inside one root, resolved safely and cached by layer path."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        try:
            self.fd = os.open(root, _DIR_FLAGS)
        except OSError as exc:
            raise LayerError(f"cannot open the root {str(root)!r}: {exc.strerror}") from None
        self._cache: dict[str, int] = {"": self.fd}

    def close(self) -> None:
        self.forget()
        os.close(self.fd)

    def forget(self, keep: int | None = None) -> None:
        """Drop cached descriptors (after a removal one may name a directory no longer there),
        except `keep`, which the caller is using."""
        kept = {"": self.fd}
        for key, fd in self._cache.items():
            if fd == keep:
                kept[key] = fd
            elif key:
                os.close(fd)
        self._cache = kept

    def trim(self) -> None:
        if len(self._cache) > _CACHE_MAX:
            self.forget()

    def dir(self, path: str, entry: str, *, create: bool) -> int | None:
        """The descriptor of directory `path` (a clean layer path); None if missing and not `create`."""
        fd = self._cache.get(path)
        if fd is None:
            fd = self._child_of_cached(path)
            if fd is None:
                fd = self._resolve(path, entry, create)
            if fd is not None:
                self._cache[path] = fd
        return fd

    def _child_of_cached(self, path: str) -> int | None:
        """The common case cheaply: a real directory (no symlink) inside a cached one."""
        parent, _, base = path.rpartition("/")
        pfd = self._cache.get(parent)
        if pfd is None or base in ("", ".", ".."):
            return None
        try:
            return os.open(base, _DIR_FLAGS, dir_fd=pfd)
        except OSError:
            return None  # missing, a symlink or not a directory: the careful walk decides

    def _resolve(self, path: str, entry: str, create: bool) -> int | None:
        todo = path.split("/")[::-1]  # components still to walk, next one last
        stack: list[int] = []  # descriptors opened on the way; the root is below them
        links = 0
        via_link: str | None = None
        try:
            while todo:
                comp = todo.pop()
                if comp in ("", "."):
                    continue
                cur = stack[-1] if stack else self.fd
                if comp == "..":
                    if not stack:
                        raise LayerError(f"entry {entry!r}: the path leads above the root "
                                         f"(through the symlink {via_link!r})")
                    os.close(stack.pop())
                    continue
                try:
                    stack.append(os.open(comp, _DIR_FLAGS, dir_fd=cur))
                    continue
                except FileNotFoundError:
                    if not create or via_link is not None:
                        if via_link is not None:
                            raise LayerError(
                                f"entry {entry!r}: goes through the symlink {via_link!r}, whose "
                                f"target does not exist inside the root") from None
                        return None
                    os.mkdir(comp, 0o755, dir_fd=cur)
                    stack.append(os.open(comp, _DIR_FLAGS, dir_fd=cur))
                    continue
                except OSError as exc:
                    if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                        raise
                st = os.stat(comp, dir_fd=cur, follow_symlinks=False)
                if not stat.S_ISLNK(st.st_mode):
                    raise LayerError(f"entry {entry!r}: {comp!r} on its path is not a directory")
                links += 1
                if links > _MAX_LINKS:
                    raise LayerError(f"entry {entry!r}: too many levels of symlinks on its path")
                target = os.readlink(comp, dir_fd=cur)
                via_link = f"{comp} -> {target}"
                if target.startswith("/"):
                    while stack:
                        os.close(stack.pop())
                todo.extend(reversed(target.split("/")))
            return os.dup(stack[-1]) if stack else os.dup(self.fd)
        finally:
            for fd in stack:
                os.close(fd)


class _Applier:
    def __init__(self, root: str | os.PathLike[str], same_owner: bool, overlay: bool) -> None:
        self.root = _Root(root)
        self.same_owner = same_owner
        self.overlay = overlay
        self.created: set[str] = set()  # what this layer made: opaque markers keep these
        self.dirs: list[tuple[str, int, int]] = []  # modes and mtimes, set last (children change them)

    def entry(self, ti: tarfile.TarInfo, stream: TarStream) -> None:
        name = te.clean_name(ti.name)
        if not name:
            return  # the root itself: its metadata belongs to the image below
        parent, _, base = name.rpartition("/")
        self.root.trim()
        if base.startswith(te.WHITEOUT_PREFIX):
            try:
                self._whiteout(name, parent, base)
            except OSError as exc:
                raise LayerError(f"entry {name!r}: {exc.strerror or exc}") from None
            return
        dfd = self.root.dir(parent, name, create=True)
        assert dfd is not None
        try:
            self._make(ti, name, dfd, base, stream)
        except OSError as exc:
            raise LayerError(f"entry {name!r}: {exc.strerror or exc}") from None
        self.created.add(name)

    def _whiteout(self, name: str, parent: str, base: str) -> None:
        """Apply a whiteout to what is below, or with `overlay` record it as overlayfs does."""
        if base.startswith(te.WHITEOUT_PREFIX * 2) and base != te.OPAQUE_MARKER:
            return  # other aufs metadata (.wh..wh.plnk, ...) has no meaning here
        victim = base[len(te.WHITEOUT_PREFIX):]
        if base != te.OPAQUE_MARKER and victim in ("", ".", ".."):
            raise LayerError(f"entry {name!r}: a whiteout must name a file, not {victim!r}")
        dfd = self.root.dir(parent, name, create=self.overlay)
        if dfd is None:
            return  # nothing below to hide
        if base == te.OPAQUE_MARKER:
            if self.overlay:
                os.setxattr(dfd, _OVERLAY_OPAQUE, b"y")
                return
            for child in os.listdir(dfd):
                if (f"{parent}/{child}" if parent else child) not in self.created:
                    self._remove(dfd, child)
            return
        if (f"{parent}/{victim}" if parent else victim) in self.created:
            return  # whiteouts hide lower layers only, never this layer's own entries
        if not self.overlay:
            self._remove(dfd, victim)
            return
        try:
            self._fresh(dfd, victim, lambda: os.mknod(victim, stat.S_IFCHR, 0, dir_fd=dfd))
        except PermissionError:
            raise LayerError(f"entry {name!r}: overlayfs whiteouts are device nodes, which need "
                             "root (CAP_MKNOD)") from None

    def _remove(self, dfd: int, name: str) -> None:
        try:
            st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(name, dir_fd=dfd)  # fd-based, never follows symlinks
            self.root.forget(keep=dfd)
        else:
            os.unlink(name, dir_fd=dfd)

    def _make(self, ti: tarfile.TarInfo, name: str, dfd: int, base: str, stream: TarStream) -> None:
        xattrs = te.xattrs_of(ti) if ti.pax_headers else {}
        if ti.type in tarfile.REGULAR_TYPES:  # the usual entry first
            try:
                fd = os.open(base, _NEW_FILE_FLAGS, 0o600, dir_fd=dfd)
            except FileExistsError:  # whatever is there goes: the entry replaces it
                self._remove(dfd, base)
                fd = os.open(base, _NEW_FILE_FLAGS, 0o600, dir_fd=dfd)
            try:
                stream.write_to(fd, name)
                self._meta_fd(fd, ti, xattrs, set_mode=True)
            finally:
                os.close(fd)
        elif ti.isdir():
            try:
                os.mkdir(base, 0o700, dir_fd=dfd)
            except FileExistsError:  # a directory stays (lower children too); anything else goes
                if not stat.S_ISDIR(os.stat(base, dir_fd=dfd, follow_symlinks=False).st_mode):
                    self._remove(dfd, base)
                    os.mkdir(base, 0o700, dir_fd=dfd)
            self._with_fd(dfd, base, _DIR_FLAGS, ti, xattrs, set_mode=False)
            self.dirs.append((name, ti.mode, ti.mtime))
        elif ti.issym():
            self._fresh(dfd, base, lambda: os.symlink(ti.linkname, base, dir_fd=dfd))
            self._meta_at(dfd, base, ti, xattrs, set_mode=False)
        elif ti.islnk():
            self._hardlink(ti, name, dfd, base)
        elif ti.ischr() or ti.isblk() or ti.isfifo():
            self._special(ti, name, dfd, base, xattrs)
        else:
            raise LayerError(f"entry {name!r}: unsupported tar entry type {ti.type!r}")

    def _fresh(self, dfd: int, base: str, create: Callable[[], _T]) -> _T:
        """`create()`; if the name is taken, whatever is there (a whole tree for a directory)
        goes first, as the entry replaces it. Trying first saves a stat per entry."""
        try:
            return create()
        except FileExistsError:
            self._remove(dfd, base)
            return create()

    def _hardlink(self, ti: tarfile.TarInfo, name: str, dfd: int, base: str) -> None:
        target = te.clean_name(ti.linkname, f"entry {name!r}: hardlink target")
        tparent, _, tbase = target.rpartition("/")
        tfd = self.root.dir(tparent, name, create=False) if target else None
        try:
            st = os.stat(tbase, dir_fd=tfd, follow_symlinks=False) if tfd is not None else None
        except FileNotFoundError:
            st = None
        if st is None:
            raise LayerError(f"entry {name!r}: hardlink target {ti.linkname!r} does not exist "
                             "in the root")
        if stat.S_ISDIR(st.st_mode):
            raise LayerError(f"entry {name!r}: hardlink to the directory {ti.linkname!r}")
        self._fresh(dfd, base, lambda: os.link(tbase, base, src_dir_fd=tfd, dst_dir_fd=dfd,
                                                follow_symlinks=False))

    def _special(self, ti: tarfile.TarInfo, name: str, dfd: int, base: str,
                 xattrs: dict[str, bytes]) -> None:
        if ti.isfifo():
            self._fresh(dfd, base, lambda: os.mkfifo(base, 0o600, dir_fd=dfd))
        else:
            kind = stat.S_IFCHR if ti.ischr() else stat.S_IFBLK
            dev = os.makedev(ti.devmajor, ti.devminor)
            try:
                self._fresh(dfd, base, lambda: os.mknod(base, kind | 0o600, dev, dir_fd=dfd))
            except PermissionError:
                raise LayerError(f"entry {name!r}: creating device nodes needs root (CAP_MKNOD)",
                                 hint="apply this layer as root, or use an image without "
                                      "device files") from None
        self._meta_at(dfd, base, ti, xattrs, set_mode=True)

    # -- metadata -------------------------------------------------------------------------
    def _with_fd(self, dfd: int, base: str, flags: int, ti: tarfile.TarInfo,
                 xattrs: dict[str, bytes], *, set_mode: bool) -> None:
        fd = os.open(base, flags, dir_fd=dfd)
        try:
            self._meta_fd(fd, ti, xattrs, set_mode=set_mode)
        finally:
            os.close(fd)

    def _meta_fd(self, fd: int, ti: tarfile.TarInfo, xattrs: dict[str, bytes], *,
                 set_mode: bool) -> None:
        if self.same_owner:
            os.fchown(fd, ti.uid, ti.gid)
        if set_mode:  # after chown, which clears setuid/setgid
            os.fchmod(fd, ti.mode & 0o7777)
        for key, value in xattrs.items():
            _setxattr(lambda: os.setxattr(fd, key, value), key, ti, self.same_owner)
        if set_mode:
            os.utime(fd, ns=(ti.mtime * 10**9, ti.mtime * 10**9))

    def _meta_at(self, dfd: int, base: str, ti: tarfile.TarInfo, xattrs: dict[str, bytes], *,
                 set_mode: bool) -> None:
        """Metadata of something we must not open (symlink, device, fifo), by name in its dir."""
        if self.same_owner:
            os.chown(base, ti.uid, ti.gid, dir_fd=dfd, follow_symlinks=False)
        if set_mode:  # only for non-symlinks, which we just created ourselves
            os.chmod(base, ti.mode & 0o7777, dir_fd=dfd)
        path = f"/proc/self/fd/{dfd}/{base}"
        for key, value in xattrs.items():
            _setxattr(lambda: os.setxattr(path, key, value, follow_symlinks=False), key, ti,
                      self.same_owner)
        ns = ti.mtime * 10**9
        os.utime(base, ns=(ns, ns), dir_fd=dfd, follow_symlinks=False)

    def finish(self) -> None:
        for name, mode, mtime in reversed(self.dirs):
            try:
                fd = self.root.dir(name, name, create=False)
            except LayerError:
                fd = None  # replaced by a file later in the same layer: nothing to set
            if fd is None:
                continue  # removed again later in the same layer
            try:
                os.fchmod(fd, mode & 0o7777)
                os.utime(fd, ns=(mtime * 10**9, mtime * 10**9))
            except OSError as exc:
                raise LayerError(f"entry {name!r}: {exc.strerror}") from None
            self.root.trim()


def _setxattr(call: object, key: str, ti: tarfile.TarInfo, privileged: bool) -> None:
    try:
        call()  # type: ignore[operator]
    except OSError as exc:
        # Filesystems without xattrs, unprivileged users and user.* on symlinks cannot hold
        # them; that loses metadata the way `tar -x` as a user does, not content.
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP) or (
                exc.errno == errno.EPERM and (not privileged or ti.issym())):
            return
        raise LayerError(f"entry {ti.name!r}: cannot set xattr {key!r}: {exc.strerror}") from None


def apply_layer(blob: BinaryIO, root: str | os.PathLike[str], *, media_type: str | None = None,
                max_size: int | None = None, same_owner: bool | None = None,
                expected_diff_id: str | None = None, overlay_whiteouts: bool = False) -> None:
    """Unpack a layer blob (compression detected from its bytes) onto `root`, safely.

    `max_size` limits the uncompressed bytes; `same_owner` (default: running as root) restores
    owners; device nodes need root. `expected_diff_id`, when given, is checked at the end.
    With `overlay_whiteouts`, whiteouts are not applied but kept in overlayfs form (a 0/0
    character device, the xattr trusted.overlay.opaque=y): for unpacking a layer into a
    directory of its own that serves as an overlay lowerdir.
    """
    if media_type is not None and not mt.is_layer(media_type):
        raise LayerError(f"{media_type!r} is not a layer media type")
    if same_owner is None:
        same_owner = os.geteuid() == 0
    reader = LayerReader(blob, max_size=max_size, digest=expected_diff_id is not None)
    applier = _Applier(root, same_owner, overlay_whiteouts)
    try:
        stream = TarStream(reader)
        for ti in stream:
            applier.entry(ti, stream)
        applier.finish()
        diff_id = reader.drain()
        if expected_diff_id is not None and diff_id != expected_diff_id:
            raise LayerError(f"layer content does not match its diff_id: expected "
                             f"{expected_diff_id}, got {diff_id}")
    finally:
        reader.close()
        applier.root.close()
