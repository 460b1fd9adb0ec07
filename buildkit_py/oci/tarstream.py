"""Reading a tar stream one entry at a time without seeking, with stdlib header parsing.

`tarfile.TarInfo.fromtarfile` does the header work (PAX, GNU long names); this module feeds it
from a LayerReader and hands file contents out in large reads instead of tarfile's 10 KiB ones.
"""
from __future__ import annotations

import tarfile
from collections.abc import Callable, Iterator
from typing import Protocol

from buildkit_py.oci.layerbase import CHUNK, LayerError


class _Source(Protocol):
    def read(self, n: int) -> bytes: ...
    def readinto(self, b: memoryview) -> int: ...
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


_PLAIN_TYPES = frozenset(b"01234567\0")
_NUMBERS = ((100, 108), (108, 116), (116, 124), (124, 136), (136, 148), (148, 156),
            (329, 337), (337, 345))  # mode uid gid size mtime chksum devmajor devminor


def _text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def parse_plain_header(buf: bytes) -> tarfile.TarInfo | None:
    """A POSIX ustar header of a plain entry, parsed as tarfile would; None for anything else
    (PAX and GNU extensions, base-256 numbers, a bad checksum), which tarfile then handles.
    Most headers in a layer are plain, and tarfile's general parser costs more than the I/O."""
    if buf[257:263] != b"ustar\0" or buf[156] not in _PLAIN_TYPES:
        return None
    try:
        mode, uid, gid, size, mtime, chksum, major, minor = (
            int(buf[a:b].split(b"\0", 1)[0].strip() or b"0", 8) for a, b in _NUMBERS)
    except ValueError:
        return None
    if chksum != 256 + sum(buf[:148]) + sum(buf[156:]):
        return None
    name = _text(buf[0:100])
    if buf[345]:
        name = _text(buf[345:500]) + "/" + name
    ti = tarfile.TarInfo(name)
    ti.mode, ti.uid, ti.gid, ti.size, ti.mtime, ti.chksum = mode, uid, gid, size, mtime, chksum
    ti.type = buf[156:157]
    if ti.type == tarfile.AREGTYPE and name.endswith("/"):
        ti.type = tarfile.DIRTYPE
    ti.linkname = _text(buf[157:257])
    ti.uname, ti.gname = _text(buf[265:297]), _text(buf[297:329])
    ti.devmajor, ti.devminor = major, minor
    if ti.type == tarfile.DIRTYPE:
        ti.name = name.rstrip("/")
    return ti


class TarStream:
    """Iterate entries with `for ti in stream`; read the current file with `copy_to`."""

    def __init__(self, source: _Source, what: str = "layer") -> None:
        self._src = source
        self._replay = _Replay(source)
        self._shim = _Shim(self._replay)
        self._what = what
        self._left = 0  # unread content bytes of the current entry
        self._scratch = memoryview(bytearray(CHUNK))

    def __iter__(self) -> Iterator[tarfile.TarInfo]:
        while True:
            self._skip_to(self._shim.offset)
            block = self._src.read(tarfile.BLOCKSIZE)
            ti = None if self._shim.pax_headers or len(block) < tarfile.BLOCKSIZE else \
                parse_plain_header(block)
            if ti is not None:
                ti.offset = self._src.tell() - tarfile.BLOCKSIZE
                ti.offset_data = self._src.tell()
                self._shim.offset = ti.offset_data + (-(-ti.size // 512) * 512 if ti.isreg() else 0)
                self._left = ti.size if ti.isreg() else 0
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

    def _skip_to(self, offset: int) -> None:
        while self._src.tell() < offset:
            want = min(offset - self._src.tell(), len(self._scratch))
            if not self._src.readinto(self._scratch[:want]):
                raise LayerError(f"{self._what}: the tar stream ends in the middle of an entry")
        self._left = 0

    def copy_to(self, write: Callable[[memoryview], object], name: str) -> int:
        """Pass the current entry's content to `write` in large pieces; returns the byte count."""
        total = 0
        read_view = getattr(self._src, "read_view", None)
        while self._left:
            if read_view is not None:  # straight from the decompressed chunk, no copy
                view = read_view(self._left)
            else:
                view = self._scratch[:self._src.readinto(self._scratch[:min(self._left, CHUNK)])]
            if not len(view):
                raise LayerError(f"{self._what}: entry {name!r}: the tar stream ends inside its data")
            write(view)
            self._left -= len(view)
            total += len(view)
        return total
