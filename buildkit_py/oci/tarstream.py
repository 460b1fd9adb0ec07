"""Reading a tar stream one entry at a time without seeking, with stdlib header parsing.

`tarfile.TarInfo.fromtarfile` does the header work (PAX, GNU long names); this module feeds it
from a LayerReader and hands file contents out in large reads instead of tarfile's 10 KiB ones.
"""
from __future__ import annotations

import os
import struct
import tarfile
from collections.abc import Callable, Iterator
from typing import Protocol

from buildkit_py.oci.layerbase import BLOCK, LayerError, block_sum


class _Source(Protocol):
    def read(self, n: int) -> bytes: ...
    def read_view(self, n: int) -> memoryview: ...
    def tell(self) -> int: ...


class _Replay:
    """The source, with one header block put back in front for tarfile to read again."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.pending = b""

    def read(self, n: int) -> bytes:
        if self.pending:
            head, self.pending = self.pending[:n], self.pending[n:]
            return head + self.source.read(n - len(head)) if n > len(head) else head
        return self.source.read(n)

    def tell(self) -> int:
        return self.source.tell() - len(self.pending)


class _Shim:
    """The few TarFile attributes TarInfo.fromtarfile uses."""

    def __init__(self, fileobj: _Replay) -> None:
        self.fileobj = fileobj
        self.offset = 0
        self.encoding = "utf-8"
        self.errors = "surrogateescape"
        self.pax_headers: dict[str, str] = {}


_PLAIN_TYPES = frozenset(bytes((c,)) for c in b"01234567\0")
# name mode uid gid size mtime chksum type linkname magic+version uname gname major minor prefix
_USTAR = struct.Struct("100s8s8s8s12s12s8sc100s8s32s32s8s8s155s")


def _text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape") if field[0] else ""


def _octal(field: bytes) -> int:
    return int(field.rstrip(b"\0 ") or b"0", 8) if field[0] else 0


def parse_plain_header(buf: bytes) -> tarfile.TarInfo | None:
    """A POSIX ustar header of a plain entry, parsed as tarfile would; None for anything else
    (PAX and GNU extensions, base-256 numbers, a bad checksum), which tarfile then handles.
    Most headers in a layer are plain, and tarfile's general parser costs more than the I/O."""
    kind = buf[156:157]
    if buf[257:263] != b"ustar\0" or kind not in _PLAIN_TYPES:
        return None
    (name, mode, uid, gid, size, mtime, chksum, _, link, _, uname, gname, major, minor,
     prefix) = _USTAR.unpack_from(buf)
    try:  # octal digits ended by NULs or spaces; anything stranger goes to tarfile
        chk = _octal(chksum)
        ti = tarfile.TarInfo(_text(name) if not prefix[0] else _text(prefix) + "/" + _text(name))
        ti.mode, ti.uid, ti.gid = _octal(mode), _octal(uid), _octal(gid)
        ti.size, ti.mtime = _octal(size), _octal(mtime)
        if major[0] or minor[0]:
            ti.devmajor, ti.devminor = _octal(major), _octal(minor)
    except ValueError:
        return None
    if chk != block_sum(buf) - sum(chksum) + 256:
        return None
    ti.chksum = chk
    ti.type = kind
    if kind == tarfile.AREGTYPE and ti.name.endswith("/"):  # old tars: a directory by its name
        ti.type = tarfile.DIRTYPE
    ti.linkname, ti.uname, ti.gname = _text(link), _text(uname), _text(gname)
    if ti.type == tarfile.DIRTYPE:
        ti.name = ti.name.rstrip("/")
    return ti


class TarStream:
    """Iterate entries with `for ti in stream`; read the current file with `copy_to` or
    `write_to`. Whatever of an entry is not read is skipped without copying."""

    def __init__(self, source: _Source, what: str = "layer") -> None:
        self._src = source
        self._replay = _Replay(source)
        self._shim = _Shim(self._replay)
        self._what = what
        self._left = 0  # unread content bytes of the current entry

    def __iter__(self) -> Iterator[tarfile.TarInfo]:
        src, shim = self._src, self._shim
        while True:
            gap = shim.offset - src.tell()  # content not read, and the padding after it
            if gap > 0:
                self._skip(gap)
            self._left = 0
            block = src.read(BLOCK)
            ti = None if shim.pax_headers or len(block) < BLOCK else parse_plain_header(block)
            if ti is not None:
                ti.offset_data = data = src.tell()
                ti.offset = data - BLOCK
                if ti.type in tarfile.REGULAR_TYPES:
                    self._left = ti.size
                    data += -(-ti.size // BLOCK) * BLOCK
                shim.offset = data
                yield ti
                continue
            self._replay.pending = block
            try:
                ti = tarfile.TarInfo.fromtarfile(self._shim)  # type: ignore[arg-type]
            except (tarfile.EOFHeaderError, tarfile.EmptyHeaderError):
                return
            except tarfile.HeaderError as exc:
                raise LayerError(f"{self._what}: not a valid tar stream at byte "
                                 f"{self._src.tell()}: {exc}") from None
            if ti.sparse is not None:
                raise LayerError(f"{self._what}: entry {ti.name!r}: sparse files are not supported")
            self._left = ti.size if ti.isreg() else 0
            yield ti

    def _skip(self, n: int) -> None:
        while n:
            got = len(self._src.read_view(n))
            if not got:
                raise LayerError(f"{self._what}: the tar stream ends in the middle of an entry")
            n -= got

    def _views(self, name: str) -> Iterator[memoryview]:
        """The current entry's content as views into the decompressed chunks (no copy)."""
        read_view = self._src.read_view
        while self._left:
            view = read_view(self._left)
            if not view:
                raise LayerError(f"{self._what}: entry {name!r}: the tar stream ends inside its data")
            self._left -= len(view)
            yield view

    def copy_to(self, write: Callable[[memoryview], object], name: str) -> int:
        """Pass the current entry's content to `write` in large pieces; returns the byte count."""
        total = 0
        for view in self._views(name):
            write(view)
            total += len(view)
        return total

    def write_to(self, fd: int, name: str) -> None:
        """Write the current entry's content to the file descriptor `fd`."""
        for view in self._views(name):
            done = os.write(fd, view)
            while done < len(view):  # short writes are rare (a signal, a full disk)
                view = view[done:]
                done = os.write(fd, view)
