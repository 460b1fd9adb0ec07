"""Writing layers: from a directory tree, from programmatic entries, from any tar stream.

All three produce the same normal form (see tarentry) through one LayerSink, so a tree, the same
tree built entry by entry, and `tar -c` of it imported all give the same digests.
"""
from __future__ import annotations

import copy
import errno
import os
import stat
import tarfile
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, Union

from buildkit_py.oci import tarentry as te
from buildkit_py.oci.compress import LayerReader, LayerSink, OutputError
from buildkit_py.oci.layerbase import LayerError, LayerInfo
from buildkit_py.oci.tarstream import TarStream

# Content of a programmatic entry: bytes, or a function opening a binary file, or None.
Source = Union[bytes, Callable[[], BinaryIO], None]
_OPAQUE_XATTRS = ("trusted.overlay.opaque", "user.overlay.opaque")
# Set by overlayfs when a directory was renamed or a file's data stayed below: an upper dir
# with them is not a self-contained diff.
_PARTIAL_XATTRS = ("overlay.redirect", "overlay.metacopy")


def _finish(sink: LayerSink, body: Callable[[], None]) -> LayerInfo:
    try:
        body()
        sink.write(te.END_OF_ARCHIVE)
        return sink.close()
    except OutputError as exc:
        sink.abort()
        raise exc.error from None
    except BaseException:
        sink.abort()
        raise


def _copy_exact(sink: LayerSink, readinto: Callable[[memoryview], int], size: int, name: str) -> None:
    if sink.copy_from(readinto, size) != size:
        raise LayerError(f"entry {name!r}: the file became shorter while it was read",
                         hint="do not change the tree while a layer is written from it")
    sink.write(te.padding(size))


# -- from a directory --------------------------------------------------------------------

def _read_xattrs(path: str) -> dict[str, bytes]:
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            return {}
        raise
    out = {}
    for n in names:
        try:
            out[n] = os.getxattr(path, n, follow_symlinks=False)
        except OSError as exc:
            if exc.errno not in (errno.ENODATA, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
                raise
    return out


def _is_whiteout(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def _children(path: str, rel: str, whiteouts: bool) -> list[tuple[bytes, str, str, os.stat_result]]:
    """(sort key, archive name, host path, lstat) of a directory's entries, in layer order."""
    out = []
    with os.scandir(path) as it:
        for e in it:
            st = e.stat(follow_symlinks=False)
            name = e.name
            if whiteouts and _is_whiteout(st):
                name = te.WHITEOUT_PREFIX + name
            elif whiteouts and name.startswith(te.WHITEOUT_PREFIX):
                raise LayerError(f"entry {os.path.join(rel, e.name)!r}: a file named '.wh.*' "
                                 "would read as a whiteout", hint="rename it, or write the layer "
                                 "with whiteouts=False")
            elif stat.S_ISSOCK(st.st_mode):
                continue  # sockets have no tar form; GNU tar skips them too
            out.append((os.fsencode(name), f"{rel}/{name}" if rel else name, e.path, st))
    out.sort(key=lambda c: c[0])
    return out


def _walk(root: str, whiteouts: bool) -> Iterator[tuple[str, str, os.stat_result]]:
    """Depth first, each directory's names sorted as bytes; the root itself is not an entry."""
    stack = [iter(_children(root, "", whiteouts))]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        _, rel, path, st = item
        yield rel, path, st
        if stat.S_ISDIR(st.st_mode):
            stack.append(iter(_children(path, rel, whiteouts)))


def _emit_path(sink: LayerSink, rel: str, path: str, st: os.stat_result, whiteouts: bool,
               sde: int | None, inodes: dict[tuple[int, int], str]) -> None:
    if whiteouts and _is_whiteout(st):
        sink.write(te.header(te.marker_entry(rel, te.clamp(st.st_mtime, sde))))
        return
    xattrs = _read_xattrs(path)
    opaque = False
    if xattrs:  # most files have none
        if whiteouts and any(k.endswith(_PARTIAL_XATTRS) for k in xattrs):
            raise LayerError(f"entry {rel!r}: overlayfs renamed or metadata-only copy-up here; "
                             "the upper directory alone does not hold its content",
                             hint="mount overlayfs with redirect_dir=off,metacopy=off")
        opaque = whiteouts and stat.S_ISDIR(st.st_mode) and any(
            xattrs.get(k) == b"y" for k in _OPAQUE_XATTRS)
        xattrs = {k: v for k, v in xattrs.items() if te.keep_xattr(k)}
    ti = te.from_stat(rel, st, xattrs, sde)
    if ti.issym():
        ti.linkname = os.readlink(path)
    if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
        first = inodes.setdefault((st.st_dev, st.st_ino), rel)
        if first != rel:
            sink.write(te.header(te.link_entry(ti, rel, first)))
            return
    sink.write(te.header(ti))
    if opaque:
        sink.write(te.header(te.marker_entry(f"{rel}/{te.OPAQUE_MARKER}", ti.mtime)))
    if ti.isreg() and ti.size:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            _copy_exact(sink, lambda mv: os.readv(fd, [mv]), ti.size, rel)
        finally:
            os.close(fd)


def write_layer_from_dir(root: str | os.PathLike[str], out: BinaryIO, *, compression: str = "gzip",
                         source_date_epoch: int | None = None, whiteouts: bool = True,
                         level: int | None = None) -> LayerInfo:
    """A layer of `root` as it is on disk; with `whiteouts`, overlayfs whiteouts (0/0 char
    devices) and opaque directories become `.wh.` entries."""
    sink = LayerSink(out, compression, level)

    def body() -> None:
        inodes: dict[tuple[int, int], str] = {}
        rel = ""
        try:
            for rel, path, st in _walk(os.fspath(root), whiteouts):
                _emit_path(sink, rel, path, st, whiteouts, source_date_epoch, inodes)
        except OSError as exc:  # a file that vanished or cannot be read, named for the user
            what = f"entry {rel!r}" if rel else f"directory {os.fspath(root)!r}"
            raise LayerError(f"{what}: {exc.strerror or exc}",
                             hint="is something changing the tree while the layer is written?"
                             ) from None

    return _finish(sink, body)


# -- from entries (and from a tar stream) --------------------------------------------------

class _Rec:
    """One entry waiting to be written; `inode` is the record whose content and metadata it shares."""

    __slots__ = ("ti", "source", "inode")

    def __init__(self, ti: tarfile.TarInfo, source: object, inode: _Rec | None = None) -> None:
        self.ti, self.source = ti, source
        self.inode = inode or self


def _write_sorted(sink: LayerSink, recs: dict[str, _Rec],
                  write_content: Callable[[_Rec, str], None]) -> None:
    """Write records in layer order; of each set of hardlinks the first name carries the data."""
    first: dict[int, str] = {}
    for name in sorted(recs, key=te.sort_key):
        inode = recs[name].inode
        owner = first.setdefault(id(inode), name)
        if owner != name:
            sink.write(te.header(te.link_entry(inode.ti, name, owner)))
            continue
        ti = inode.ti if inode.ti.name == name else _renamed(inode.ti, name)
        sink.write(te.header(ti))
        if ti.isreg() and ti.size:
            write_content(inode, name)


def _renamed(ti: tarfile.TarInfo, name: str) -> tarfile.TarInfo:
    out = copy.copy(ti)
    out.name = name
    return out


def _add_link(recs: dict[str, _Rec], ti: tarfile.TarInfo, what: str) -> _Rec:
    target = recs.get(ti.linkname)
    if target is None:
        raise LayerError(f"{what} {ti.name!r}: hardlink to {ti.linkname!r}, which comes before "
                         "it nowhere in the archive")
    if target.inode.ti.type == tarfile.DIRTYPE:
        raise LayerError(f"{what} {ti.name!r}: hardlink to the directory {ti.linkname!r}")
    return _Rec(ti, None, target.inode)


def write_layer_from_entries(entries: Iterable[tuple[tarfile.TarInfo, Source]], out: BinaryIO, *,
                             compression: str = "gzip", source_date_epoch: int | None = None,
                             level: int | None = None) -> LayerInfo:
    """A layer from (TarInfo, content) pairs; content is bytes, a function opening a binary file,
    or None. Entries are normalized and sorted; a hardlink's target may come in any order."""
    recs: dict[str, _Rec] = {}
    links: list[tarfile.TarInfo] = []
    seen: set[str] = set()
    for ti, source in entries:
        norm = te.normalize(ti, source_date_epoch)
        if not norm.name:
            continue  # the root directory is not an entry of a layer
        if norm.name in seen:
            raise LayerError(f"entry {norm.name!r} is given twice")
        seen.add(norm.name)
        if norm.type == tarfile.LNKTYPE:
            links.append(norm)
        else:
            recs[norm.name] = _Rec(norm, source)
    for ti in links:
        recs[ti.name] = _add_link(recs, ti, "entry")

    sink = LayerSink(out, compression, level)

    def copy_content(rec: _Rec, name: str) -> None:
        size = rec.ti.size
        if isinstance(rec.source, (bytes, bytearray, memoryview)):
            if len(rec.source) != size:
                raise LayerError(f"entry {name!r}: {len(rec.source)} bytes of content for size {size}")
            sink.write(rec.source)
            sink.write(te.padding(size))
            return
        if rec.source is None:
            raise LayerError(f"entry {name!r}: a regular file of {size} bytes without content")
        with rec.source() as f:  # type: ignore[operator]
            _copy_exact(sink, f.readinto, size, name)

    return _finish(sink, lambda: _write_sorted(sink, recs, copy_content))


def rewrite_tar_as_layer(src: BinaryIO, out: BinaryIO, *, compression: str = "gzip",
                         source_date_epoch: int | None = None, level: int | None = None,
                         max_size: int | None = None, spool_dir: str | None = None) -> LayerInfo:
    """A normalized layer from any tar stream (plain, gzip, zstd, xz, bzip2). File contents are
    spooled to a temporary file so that entries can be sorted; only metadata stays in memory.
    A later entry with the same name replaces an earlier one, as when tar extracts."""
    import tempfile

    reader = LayerReader(src, max_size=max_size, what="tarball")
    with tempfile.TemporaryFile(dir=spool_dir, prefix="pybuild-spool-") as spool:
        recs: dict[str, _Rec] = {}
        try:
            stream = TarStream(reader, "tarball")
            for ti in stream:
                if ti.type not in (*te._FILE_TYPES, tarfile.DIRTYPE, tarfile.SYMTYPE,
                                   tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.BLKTYPE,
                                   tarfile.FIFOTYPE):
                    raise LayerError(f"tarball entry {ti.name!r}: unsupported type {ti.type!r}")
                norm = te.normalize(ti, source_date_epoch, "tarball entry")
                if not norm.name:
                    continue
                if norm.type == tarfile.LNKTYPE:
                    rec = _add_link(recs, norm, "tarball entry")
                else:
                    rec = _Rec(norm, spool.tell() if norm.isreg() else None)
                    if norm.isreg():
                        stream.copy_to(spool.write, norm.name)
                recs[norm.name] = rec
        finally:
            reader.close()
        spool.flush()
        fd = spool.fileno()
        sink = LayerSink(out, compression, level)

        def copy_spooled(rec: _Rec, name: str) -> None:
            pos = rec.source

            def readinto(mv: memoryview) -> int:
                nonlocal pos
                n = os.preadv(fd, [mv], pos)  # type: ignore[arg-type]
                pos += n  # type: ignore[operator]
                return n

            _copy_exact(sink, readinto, rec.ti.size, name)

        return _finish(sink, lambda: _write_sorted(sink, recs, copy_spooled))
