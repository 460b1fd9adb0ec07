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


class _Shim:
    """The few TarFile attributes TarInfo.fromtarfile uses."""

    def __init__(self, fileobj: _Source) -> None:
        self.fileobj = fileobj
        self.offset = 0
        self.encoding = "utf-8"
        self.errors = "surrogateescape"
        self.pax_headers: dict[str, str] = {}


class TarStream:
    """Iterate entries with `for ti in stream`; read the current file with `copy_to`."""

    def __init__(self, source: _Source, what: str = "layer") -> None:
        self._src = source
        self._shim = _Shim(source)
        self._what = what
        self._left = 0  # unread content bytes of the current entry
        self._scratch = memoryview(bytearray(CHUNK))

    def __iter__(self) -> Iterator[tarfile.TarInfo]:
        while True:
            self._skip_to(self._shim.offset)
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
        while self._left:
            n = self._src.readinto(self._scratch[:min(self._left, len(self._scratch))])
            if not n:
                raise LayerError(f"{self._what}: entry {name!r}: the tar stream ends inside its data")
            write(self._scratch[:n])
            self._left -= n
            total += n
        return total
