"""Store verification: every blob re-hashed, every image and cache record checked for what it needs.

`repair` deletes corrupt blobs and then the image records and cache records that can no longer
be served, under the exclusive lock; a check alone runs under the shared lock beside writers.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import field

from ..records import dataclass
from .core import Store
from .errors import BlobNotFound

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str      # corrupt-blob, stray-file, missing-blob, bad-size, invalid-manifest, invalid-config
    subject: str   # the blob digest, image name/digest or cache key the problem is about
    message: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "subject": self.subject, "message": self.message}


@dataclass
class FsckReport:
    blobs_checked: int = 0
    bytes_checked: int = 0
    images_checked: int = 0
    cache_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)   # what --repair removed
    remaining: list[Problem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.remaining

    def to_json(self) -> dict[str, object]:
        return {
            "blobs_checked": self.blobs_checked,
            "bytes_checked": self.bytes_checked,
            "images_checked": self.images_checked,
            "cache_records_checked": self.cache_checked,
            "problems": [p.to_json() for p in self.problems],
            "repaired": self.repaired,
            "remaining": [p.to_json() for p in self.remaining],
            "clean": self.clean,
        }


def _hash_file(store: Store, digest: str) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with store.blobs.open(digest) as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            n += len(chunk)
    return "sha256:" + h.hexdigest(), n


def check_blobs(store: Store, report: FsckReport) -> set[str]:
    """Re-hash every blob; returns the digests of the corrupt ones."""
    corrupt: set[str] = set()
    for digest in store.blobs:
        try:
            actual, size = _hash_file(store, digest)
        except BlobNotFound:
            continue  # removed by a concurrent rmi/GC between listing and reading
        report.blobs_checked += 1
        report.bytes_checked += size
        if actual != digest:
            corrupt.add(digest)
            report.problems.append(Problem("corrupt-blob", digest, f"content hashes to {actual}"))
    for name in store.blobs.strays():
        report.problems.append(Problem("stray-file", name, "file in the blob directory is not named by a digest"))
    return corrupt


def _validate(kind: str, data: bytes) -> str | None:
    """Why a manifest/index/config blob is not valid, or None."""
    from ..oci.image import ImageConfig, ImageSpecError, load_json, parse_manifest_or_index

    try:
        if kind == "config":
            ImageConfig.from_json(load_json(data, "image config"))
        else:
            parse_manifest_or_index(data)
    except ImageSpecError as err:
        return err.message
    return None


def check_image(store: Store, digest: str, media_type: str, corrupt: set[str]) -> list[Problem]:
    """What is wrong with one image: missing or corrupt blobs, sizes, unparsable manifests/configs."""
    out: list[Problem] = []
    for node in store.walk(digest, media_type):
        if node.role in ("manifest", "index") and not node.present and node.digest != digest:
            continue  # an index may name platforms that were never pulled
        if not node.present:
            out.append(Problem("missing-blob", node.digest, f"{node.role} is not in the store"))
            continue
        if node.digest in corrupt:
            out.append(Problem("corrupt-blob", node.digest, f"{node.role} does not match its digest"))
            continue
        actual = store.blobs.size(node.digest)
        if node.size >= 0 and actual != node.size:
            out.append(Problem("bad-size", node.digest,
                               f"{node.role} is {actual} bytes, its descriptor says {node.size}"))
            continue
        if node.role in ("manifest", "index", "config") and (
            node.role != "config" or node.media_type in ("", *CONFIG_TYPES)
        ):
            why = _validate(node.role, store.blobs.read_bytes(node.digest))
            if why:
                out.append(Problem(f"invalid-{node.role}", node.digest, why))
    return out


CONFIG_TYPES = ("application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json")


def fsck(store: Store, *, repair: bool = False, on_wait: Callable[[], None] | None = None) -> FsckReport:
    """Check the whole store; with `repair`, remove what is broken and what depended on it."""
    report = FsckReport()
    ctx = store.lock.exclusive(on_wait) if repair else store.lock.shared()
    with ctx:
        if repair:
            store.blobs.clean_ingest()
        corrupt = check_blobs(store, report)
        broken_images: dict[str, list[Problem]] = {}
        for row in store.db.images():
            report.images_checked += 1
            names = store.db.refs_of(row.digest) or [row.digest]
            problems = check_image(store, row.digest, row.media_type, corrupt)
            for p in problems:
                report.problems.append(Problem(p.kind, p.subject, f"{p.message} (needed by image {', '.join(names)})"))
            if problems:
                broken_images[row.digest] = problems
        broken_cache: list[str] = []
        for rec in store.db.cache_records():
            report.cache_checked += 1
            for pin in rec.pins:
                try:
                    present = store.blobs.has(pin)
                except Exception:
                    present = False
                if not present or pin in corrupt:
                    why = "missing" if not present else "corrupt"
                    report.problems.append(Problem(f"{why}-blob", pin, f"pinned by cache record {rec.key} is {why}"))
                    broken_cache.append(rec.key)
                    break
        if not repair:
            report.remaining = list(report.problems)
            return report
        for digest in sorted(corrupt):
            store.blobs.delete(digest)
            report.repaired.append(f"deleted corrupt blob {digest}")
        for name in store.blobs.strays():
            store.blobs.delete_stray(name)
            report.repaired.append(f"deleted stray file {name}")
        with store.db.transaction() as c:
            for digest in broken_images:
                names = [r[0] for r in c.execute("SELECT name FROM refs WHERE digest = ?", (digest,))]
                c.execute("DELETE FROM images WHERE digest = ?", (digest,))
                report.repaired.append(f"removed image {digest}" + (f" ({', '.join(names)})" if names else ""))
            for key in broken_cache:
                c.execute("DELETE FROM cache WHERE key = ?", (key,))
                report.repaired.append(f"removed cache record {key}")
        # Re-check what is left so the exit status reflects the store as it is now.
        # Blobs left were hashed above, so only the records need looking at again.
        remaining: list[Problem] = []
        for row in store.db.images():
            remaining += check_image(store, row.digest, row.media_type, set())
        report.remaining = remaining
    return report
