"""Content-addressed blobs: `blobs/sha256/<hex>`, written whole or not at all.

A blob is streamed into `ingest/<random>` (same filesystem), hashed as it goes, checked against
the expected digest, fsynced, renamed into place, and the directory fsynced. The writer holds an
flock on its ingest file, so a cleaner can tell a live writer's file from a dead one's.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import BlobNotFound, DigestMismatch, InvalidInput

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-f]{64}")
_BUFSIZE = 1 << 20


def check_digest(digest: str) -> str:
    """Return `digest` if it is a sha256 digest we can store, else raise InvalidInput."""
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise InvalidInput(f"invalid digest: {digest!r}", hint="expected sha256:<64 hex digits>")
    return digest


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobWriter:
    """A file-like sink that becomes a blob on `commit()`; dropped if the block exits without it."""

    def __init__(self, blobs: BlobStore, expected: str | None, producer_hashes: bool = False) -> None:
        self._blobs = blobs
        self.expected = check_digest(expected) if expected else None
        # A producer that hashes every byte it writes here (the layer writer) names the digest at
        # commit; hashing the same bytes twice cost a full pass over every layer a build made.
        self._hash = None if producer_hashes else hashlib.sha256()
        self.size = 0
        self.digest: str | None = None
        # Content we already have is only hashed (to verify the source), never written again.
        self._discard = self.expected is not None and blobs.has(self.expected)
        self._path: Path | None = None
        self._file: BinaryIO | None = None
        if not self._discard:
            self._path, self._file = blobs._new_ingest()

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._hash is not None:
            self._hash.update(data)
        n = len(data)
        self.size += n
        if self._file is not None:
            self._file.write(data)
        return n

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def tell(self) -> int:
        return self.size

    def copy_from(self, src: BinaryIO, limit: int | None = None) -> int:
        """Copy `src` (at most `limit` bytes) into the blob; returns bytes copied."""
        copied = 0
        while limit is None or copied < limit:
            chunk = src.read(_BUFSIZE if limit is None else min(_BUFSIZE, limit - copied))
            if not chunk:
                break
            self.write(chunk)
            copied += len(chunk)
        return copied

    def commit(self, produced: str | None = None) -> str:
        """Verify, fsync and move the blob into place; returns its digest.

        `produced`: the digest the producer computed, required (and only allowed) for a writer
        opened with producer_hashes=True.
        """
        if self.digest is not None:
            return self.digest
        if (produced is None) != (self._hash is not None):
            raise ValueError("commit(produced) goes with writer(producer_hashes=True), and only with it")
        digest = "sha256:" + self._hash.hexdigest() if self._hash is not None else check_digest(produced)
        if self.expected is not None and digest != self.expected:
            self.abort()
            raise DigestMismatch(self.expected, digest)
        if self._file is not None and self._path is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            os.fchmod(self._file.fileno(), 0o444)
            final = self._blobs.path(digest)
            if final.exists():
                os.unlink(self._path)  # same content, already durable
            else:
                os.rename(self._path, final)
                _fsync_dir(final.parent)
            self._file.close()  # releases the ingest flock only now that the path is gone
            self._file = None
        self.digest = digest
        return digest

    def abort(self) -> None:
        if self._file is not None:
            if self._path is not None:
                try:
                    os.unlink(self._path)
                except FileNotFoundError:
                    pass
            self._file.close()
            self._file = None

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.digest is None:
            self.abort()


class BlobStore:
    """The blob directory of one store root."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "blobs" / "sha256"
        self.ingest = root / "ingest"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ingest.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        return self.dir / check_digest(digest)[len("sha256:"):]

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def size(self, digest: str) -> int:
        try:
            return self.path(digest).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(digest) from None

    def open(self, digest: str) -> BinaryIO:
        try:
            return open(self.path(digest), "rb")
        except FileNotFoundError:
            raise BlobNotFound(digest) from None

    def read_bytes(self, digest: str, max_size: int = 64 << 20) -> bytes:
        """A small blob (manifest, config) in memory; refuses anything over `max_size`."""
        with self.open(digest) as f:
            data = f.read(max_size + 1)
        if len(data) > max_size:
            raise InvalidInput(f"blob {digest} is larger than {max_size} bytes; not a manifest or config")
        return data

    def writer(self, expected: str | None = None, *, producer_hashes: bool = False) -> BlobWriter:
        """Stream a blob in: `with blobs.writer() as w: w.write(...); digest = w.commit()`."""
        return BlobWriter(self, expected, producer_hashes)

    def put_bytes(self, data: bytes, expected: str | None = None) -> str:
        with self.writer(expected) as w:
            w.write(data)
            return w.commit()

    def put_file(self, src: BinaryIO, expected: str | None = None, limit: int | None = None) -> tuple[str, int]:
        """Stream `src` into a blob; returns (digest, size)."""
        with self.writer(expected) as w:
            w.copy_from(src, limit)
            return w.commit(), w.size

    def delete(self, digest: str) -> bool:
        try:
            os.unlink(self.path(digest))
            return True
        except FileNotFoundError:
            return False

    def __iter__(self) -> Iterator[str]:
        """Every digest-named file in the blob directory (contents not checked)."""
        for name in sorted(os.listdir(self.dir)):
            if _HEX.fullmatch(name):
                yield "sha256:" + name

    def strays(self) -> list[str]:
        """Names in the blob directory that are not digests (never written by us)."""
        return sorted(n for n in os.listdir(self.dir) if not _HEX.fullmatch(n))

    def delete_stray(self, name: str) -> int:
        """Remove a stray entry; returns its size."""
        path = self.dir / name
        try:
            size = path.lstat().st_size
            if path.is_dir() and not path.is_symlink():
                import shutil
                shutil.rmtree(path)
            else:
                os.unlink(path)
            return size
        except FileNotFoundError:
            return 0

    def _new_ingest(self) -> tuple[Path, BinaryIO]:
        while True:
            path = self.ingest / f"{secrets.token_hex(16)}.tmp"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            # A cleaner may have taken the lock between open and flock and removed the file.
            if os.fstat(fd).st_nlink > 0:
                return path, os.fdopen(fd, "wb", buffering=_BUFSIZE)
            os.close(fd)

    def clean_ingest(self) -> int:
        """Remove ingest files whose writer is gone (their flock is free); returns bytes freed."""
        freed = 0
        for name in os.listdir(self.ingest):
            path = self.ingest / name
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as err:
                    if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                        continue  # a live writer
                    raise
                st = os.fstat(fd)
                try:
                    same = os.stat(path).st_ino == st.st_ino
                except FileNotFoundError:
                    same = False  # committed or removed meanwhile
                if same:
                    os.unlink(path)
                    freed += st.st_size
            finally:
                os.close(fd)
        return freed
