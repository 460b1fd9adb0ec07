"""What every layer module shares: the result record, the error, and the tar format rules."""
from __future__ import annotations

import zlib

from buildkit_py.errors import PybuildError
from buildkit_py.records import dataclass

BLOCK = 512
# Chunks handed between the tar thread and the compression thread; a few in flight at a time
# bound the memory a layer takes to a few MiB whatever its size.
CHUNK = 1 << 20
COMPRESSIONS = ("gzip", "zstd", "none")


def block_sum(block: bytes) -> int:
    """The sum of a 512-byte header block's bytes, which its checksum is made of.

    Adler-32's low half is 1 + the byte sum modulo 65521, exact for 256 bytes (at most 65280):
    two C calls instead of a Python loop over 512 bytes, which costs more than the rest of a
    header together."""
    return (zlib.adler32(block[:256]) & 0xFFFF) + (zlib.adler32(block[256:512]) & 0xFFFF) - 2


class LayerError(PybuildError):
    """A layer that cannot be written or applied; the message names the entry."""

    def location(self) -> str:
        return super().location() if self.path else "layer"


@dataclass(frozen=True)
class LayerInfo:
    """What a written layer is: blob digest and size, diff_id (uncompressed) and media type."""

    digest: str
    diff_id: str
    size: int
    media_type: str
    uncompressed_size: int


def check_compression(compression: str) -> str:
    if compression not in COMPRESSIONS:
        raise LayerError(f"unknown compression {compression!r}", hint="use gzip, zstd or none")
    return compression
