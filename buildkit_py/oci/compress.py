"""Streams of layer bytes: a sink that hashes and compresses tar bytes, a reader that
decompresses a blob of any common format. Both run the codec in a second thread (zlib, zstd and
hashlib release the GIL), so tar work and compression overlap as in `tar | gzip`.
"""
from __future__ import annotations

import hashlib
import io
import queue
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from buildkit_py.oci import mediatypes as mt
from buildkit_py.oci.layerbase import CHUNK, LayerError, LayerInfo, check_compression

# gzip member header: magic, deflate, no flags, mtime 0, no extra flags, OS "unknown" (255).
# Written by hand so that the bytes do not depend on the platform zlib was built for.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_QUEUE_DEPTH = 4
_STOP = object()


class _Worker:
    """A thread consuming items from a bounded queue; its first exception is re-raised later."""

    def __init__(self, handle: Callable[[object], None], name: str) -> None:
        self._handle = handle
        self._queue: queue.Queue[object] = queue.Queue(_QUEUE_DEPTH)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self.error is None:
                try:
                    self._handle(item)
                except BaseException as exc:  # handed to the producer thread
                    self.error = exc

    def put(self, item: object) -> None:
        self.check()
        self._queue.put(item)

    def join(self) -> None:
        self._queue.put(_STOP)
        self._thread.join()
        self.check()

    def check(self) -> None:
        if self.error is not None:
            raise self.error


class OutputError(Exception):
    """An OSError writing the output (a full disk), carried past the handlers that name
    entries for errors reading the input; `layerwrite` re-raises the OSError itself."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


def _write_out(out: BinaryIO, data: bytes | memoryview) -> None:
    try:
        out.write(data)
    except OSError as exc:
        raise OutputError(exc) from exc


class LayerSink:
    """File-like target for tar bytes: computes diff_id, compresses, computes the blob digest."""

    def __init__(self, out: BinaryIO, compression: str = "gzip", level: int | None = None) -> None:
        self._out = out
        self.compression = check_compression(compression)
        self._raw_hash = hashlib.sha256()
        self._blob_hash = hashlib.sha256()
        self._crc = 0
        self.raw_size = 0
        self._blob_size = 0
        self._buf = bytearray(CHUNK)
        self._fill = 0
        # Chunks the compression thread is done with: reused, as new ones are zeroed and faulted in
        self._spare: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self._worker: _Worker | None = None
        if compression == "gzip":
            self._codec = zlib.compressobj(6 if level is None else level, zlib.DEFLATED, -15, 9)
            self._emit(GZIP_HEADER)
        elif compression == "zstd":
            import zstandard

            cctx = zstandard.ZstdCompressor(level=3 if level is None else level, write_checksum=True)
            self._codec = cctx.compressobj()
        if compression != "none":
            self._worker = _Worker(self._compress, "layer-compress")

    # -- the compression thread ---------------------------------------------------------
    def _emit(self, data: bytes) -> None:
        if data:
            self._blob_hash.update(data)
            _write_out(self._out, data)
            self._blob_size += len(data)

    def _compress(self, item: object) -> None:
        buf, n = item  # type: ignore[misc]
        self._emit(self._codec.compress(memoryview(buf)[:n]))  # the codec keeps no reference
        if n:
            self._spare.put(buf)

    # -- the tar thread -------------------------------------------------------------------
    def _submit(self) -> None:
        n = self._fill
        if not n:
            return
        view = memoryview(self._buf)[:n]
        self._raw_hash.update(view)
        if self._worker is None:  # no compression: the blob is the tar, one hash serves both
            _write_out(self._out, view)
            self._blob_size += n
        else:
            if self.compression == "gzip":
                self._crc = zlib.crc32(view, self._crc)
            self._worker.put((self._buf, n))
            try:
                self._buf = self._spare.get_nowait()
            except queue.Empty:
                self._buf = bytearray(CHUNK)
        self.raw_size += n
        self._fill = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        fill = self._fill
        end = fill + len(data)
        if end < CHUNK:  # the usual case (headers, padding): it fits in the current chunk
            self._buf[fill:end] = data
            self._fill = end
            return len(data)
        view = memoryview(data)
        total = len(view)
        while view:
            room = CHUNK - self._fill
            take = min(room, len(view))
            self._buf[self._fill:self._fill + take] = view[:take]
            self._fill += take
            view = view[take:]
            if self._fill == CHUNK:
                self._submit()
        return total

    def copy_from(self, readinto: Callable[[memoryview], int], size: int) -> int:
        """Copy up to `size` bytes from `readinto` straight into the chunk buffer; returns the count."""
        left = size
        while left:
            if self._fill == CHUNK:
                self._submit()
            end = min(CHUNK, self._fill + left)
            n = readinto(memoryview(self._buf)[self._fill:end])
            if not n:
                break
            self._fill += n
            left -= n
        return size - left

    def tell(self) -> int:
        return self.raw_size + self._fill

    def close(self) -> LayerInfo:
        """Flush everything, finish the compressed stream and return what was written."""
        self._submit()
        if self._worker is not None:
            self._worker.put((b"", 0))
            self._worker.join()
            self._emit(self._codec.flush())
            if self.compression == "gzip":
                self._emit(struct.pack("<II", self._crc & 0xFFFFFFFF, self.raw_size & 0xFFFFFFFF))
        diff_id = "sha256:" + self._raw_hash.hexdigest()
        return LayerInfo(
            digest="sha256:" + self._blob_hash.hexdigest() if self._worker else diff_id,
            diff_id=diff_id,
            size=self._blob_size,
            media_type=mt.layer_media_type(self.compression),
            uncompressed_size=self.raw_size,
        )

    def abort(self) -> None:
        """Stop the compression thread after a failure; the output is to be discarded."""
        if self._worker is not None:
            self._worker.error = self._worker.error or LayerError("aborted")
            try:
                self._worker.join()
            except BaseException:
                pass


# ---------------------------------------------------------------------------------------
# Reading

_MAGIC = ((b"\x1f\x8b", "gzip"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"\xfd7zXZ\x00", "xz"),
          (b"BZh", "bzip2"))


def detect_compression(head: bytes) -> str:
    """The compression of a stream from its first bytes: gzip, zstd, xz, bzip2 or none."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return "none"


def _gunzip(read: Callable[[int], bytes]) -> Iterator[bytes]:
    """Decompress concatenated gzip members, never more than CHUNK bytes of output per step."""
    d = None
    buf = b""
    while True:
        if not buf:
            buf = read(CHUNK)
            if not buf:
                if d is not None and not d.eof:
                    raise LayerError("the gzip stream is truncated")
                return
        if d is None or d.eof:
            buf = buf.lstrip(b"\0")  # zero padding between or after members, as gzip allows
            if not buf:
                continue
            d = zlib.decompressobj(31)
        try:
            out = d.decompress(buf, CHUNK)
            while len(out) == CHUNK:
                yield out
                out = d.decompress(d.unconsumed_tail, CHUNK)
        except zlib.error as exc:
            raise LayerError(f"the gzip stream is corrupt: {exc}") from None
        if out:
            yield out
        buf = d.unused_data if d.eof else b""


def _file_chunks(f: BinaryIO) -> Iterator[bytes]:
    while True:
        out = f.read(CHUNK)
        if not out:
            return
        yield out


def _decompressed_chunks(blob: BinaryIO, kind: str) -> Iterator[bytes]:
    if kind == "none":
        return _file_chunks(blob)
    if kind == "gzip":
        return _gunzip(blob.read)
    if kind == "zstd":
        import zstandard

        dctx = zstandard.ZstdDecompressor()
        return _file_chunks(dctx.stream_reader(blob, read_size=CHUNK, read_across_frames=True))
    if kind == "xz":
        import lzma

        return _file_chunks(lzma.LZMAFile(blob))  # type: ignore[arg-type]
    import bz2

    return _file_chunks(bz2.BZ2File(blob))  # type: ignore[arg-type]


class _Prefixed(io.RawIOBase):
    """A stream with bytes already read from its head put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._head:
            out, self._head = (self._head, b"") if n < 0 or n >= len(self._head) else \
                (self._head[:n], self._head[n:])
            return out
        return self._rest.read(n)

    def readinto(self, b: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)


class LayerReader:
    """Decompressed bytes of a layer blob, produced by a second thread, with a size limit.

    `read(n)`/`readinto` give the tar stream; `drain()` reads the rest and returns its sha256.
    """

    def __init__(self, blob: BinaryIO, *, max_size: int | None = None, what: str = "layer",
                 digest: bool = True) -> None:
        head = blob.read(6)
        self.compression = detect_compression(head)
        self.max_size = max_size
        self._what = what
        self._hash = hashlib.sha256() if digest else None
        self._chunks: queue.Queue[object] = queue.Queue(_QUEUE_DEPTH)
        self._stopped = False
        self._error: BaseException | None = None
        self._cur = memoryview(b"")
        self._pos = 0
        self.size = 0  # bytes produced by the decompressor so far
        source = _decompressed_chunks(_Prefixed(head, blob), self.compression)  # type: ignore[arg-type]
        self._thread = threading.Thread(target=self._produce, args=(source,), daemon=True,
                                        name="layer-decompress")
        self._thread.start()

    def _produce(self, source: Iterator[bytes]) -> None:
        try:
            for chunk in source:
                self.size += len(chunk)
                if self.max_size is not None and self.size > self.max_size:
                    raise LayerError(
                        f"{self._what}: more than {self.max_size} bytes once decompressed",
                        hint="the blob may be a decompression bomb; raise the size limit if not",
                    )
                if self._hash is not None:
                    self._hash.update(chunk)
                while not self._stopped:
                    try:
                        self._chunks.put(chunk, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if self._stopped:
                    return
        except BaseException as exc:
            self._error = exc if isinstance(exc, LayerError) else LayerError(
                f"{self._what}: cannot decompress ({self.compression}): {exc}")
        self._chunks.put(None)

    def _next_chunk(self) -> bool:
        if self._cur is None:
            return False
        item = self._chunks.get()
        if item is None:
            self._cur = None  # type: ignore[assignment]
            if self._error is not None:
                raise self._error
            return False
        self._cur = memoryview(item)  # type: ignore[arg-type]
        return True

    def readinto(self, b: memoryview) -> int:
        """Fill as much of `b` as one chunk allows; 0 only at the end of the stream."""
        while self._cur is not None and not len(self._cur):
            if not self._next_chunk():
                return 0
        if self._cur is None:
            return 0
        n = min(len(b), len(self._cur))
        b[:n] = self._cur[:n]
        self._cur = self._cur[n:]
        self._pos += n
        return n

    def read_view(self, n: int) -> memoryview:
        """Up to `n` bytes as a view into the current chunk, without copying; empty at the end."""
        while self._cur is not None and not len(self._cur):
            if not self._next_chunk():
                return memoryview(b"")
        if self._cur is None:
            return memoryview(b"")
        view = self._cur[:n]
        self._cur = self._cur[len(view):]
        self._pos += len(view)
        return view

    def read(self, n: int) -> bytes:
        """Exactly `n` bytes, fewer only at the end of the stream."""
        cur = self._cur
        if cur is not None and len(cur) >= n:  # the usual case: all in the current chunk
            self._cur = cur[n:]
            self._pos += n
            return bytes(cur[:n])
        out = bytearray(n)
        view = memoryview(out)
        got = 0
        while got < n:
            k = self.readinto(view[got:])
            if not k:
                break
            got += k
        return bytes(out[:got]) if got < n else bytes(out)

    def tell(self) -> int:
        return self._pos

    def drain(self) -> str | None:
        """Read to the end (what follows the tar end marker counts too) and return the diff_id
        (None when made with digest=False)."""
        sink = memoryview(bytearray(CHUNK))
        while self.readinto(sink):
            pass
        return None if self._hash is None else "sha256:" + self._hash.hexdigest()

    def close(self) -> None:
        self._stopped = True
        while self._thread.is_alive():
            try:
                self._chunks.get(timeout=0.1)
            except queue.Empty:
                pass
        self._thread.join()
