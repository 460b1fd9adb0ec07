"""Store errors. Exit status 1 for runtime failures (no such image, corrupt blob), 2 for bad input.

We follow docker here: `docker rmi nosuch` exits 1, because the request was well formed but the
store does not have what it names; a malformed reference or size is bad input and exits 2.
"""
from __future__ import annotations

from ..errors import PybuildError


class StoreError(PybuildError):
    """A store operation failed at run time (exit status 1)."""

    exit_code = 1

    def location(self) -> str:
        # Store errors rarely point into a file; "pybuild: error: ..." reads better than "<input>".
        return self.path or "pybuild"


class InvalidInput(StoreError):
    """A malformed reference, digest, size, duration or filter given by the user (exit status 2)."""

    exit_code = 2


class ImageNotFound(StoreError):
    """No image matches the name, digest or ID the user gave."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"No such image: {name}",
            hint="`pybuild images` lists the images in the store; "
            "`pybuild import`, `pybuild load` or `pybuild pull` add one",
        )
        self.name = name


class BlobNotFound(StoreError):
    """A blob the caller asked for is not in the store."""

    def __init__(self, digest: str) -> None:
        super().__init__(
            f"blob {digest} is not in the store",
            hint="`pybuild fsck` checks the store; `pybuild fsck --repair` drops what is broken",
        )
        self.digest = digest


class DigestMismatch(StoreError):
    """Content did not hash to the digest it was expected to have."""

    def __init__(self, expected: str, actual: str, what: str = "content") -> None:
        super().__init__(
            f"{what} has digest {actual}, expected {expected}",
            hint="the source is corrupt or truncated; nothing was written to the store",
        )
        self.expected = expected
        self.actual = actual
