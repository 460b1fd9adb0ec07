"""Deterministic tar streams for archives (owner 0, mtime fixed), and files replaced atomically."""
from __future__ import annotations

import io
import os
import secrets
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..store.errors import StoreError


class ArchiveWriter:
    """Writes entries to a tar stream; the same calls give the same bytes."""

    def __init__(self, out: BinaryIO, mtime: int = 0) -> None:
        self._tar = tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT,
                                 bufsize=1 << 20)
        self._mtime = mtime
        self._dirs: set[str] = set()

    def _info(self, path: str, kind: bytes, mode: int, size: int = 0) -> tarfile.TarInfo:
        ti = tarfile.TarInfo(path)
        ti.type, ti.mode, ti.size, ti.mtime = kind, mode, size, self._mtime
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = ""
        return ti

    def add_dir(self, path: str) -> None:
        path = path.rstrip("/")
        if path in self._dirs:
            return
        parent = path.rpartition("/")[0]
        if parent:
            self.add_dir(parent)
        self._dirs.add(path)
        self._tar.addfile(self._info(path, tarfile.DIRTYPE, 0o755))

    def _parents(self, path: str) -> None:
        parent = path.rpartition("/")[0]
        if parent:
            self.add_dir(parent)

    def add_bytes(self, path: str, data: bytes) -> None:
        self._parents(path)
        self._tar.addfile(self._info(path, tarfile.REGTYPE, 0o644, len(data)), io.BytesIO(data))

    def add_stream(self, path: str, size: int, src: BinaryIO) -> None:
        """Copy exactly `size` bytes of `src` as a file (an error if `src` ends early)."""
        self._parents(path)
        try:
            self._tar.addfile(self._info(path, tarfile.REGTYPE, 0o644, size), src)
        except OSError as err:
            if "unexpected end of data" in str(err):
                raise StoreError(f"{path}: source ended before {size} bytes") from None
            raise

    def add_symlink(self, path: str, target: str) -> None:
        self._parents(path)
        ti = self._info(path, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self._tar.addfile(ti)

    def close(self) -> None:
        self._tar.close()


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A file that appears at `path` only once the block completes (temp file, fsync, rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        f = open(tmp, "xb")
    except OSError as err:
        raise StoreError(f"cannot write {path}: {err.strerror}") from None
    try:
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
