"""Garbage collection: keep what image records and retained cache records reach, delete the rest.

Which cache records to drop is a pure decision (`plan`); `prune` applies it under the exclusive
store lock, so no writer is between writing a blob and recording what uses it.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable

from ..records import dataclass
from .core import Store
from .db import CacheRecord, ImageRow
from .errors import BlobNotFound


@dataclass(frozen=True, slots=True)
class PrunePolicy:
    """What `pybuild prune` may drop besides unreachable blobs."""

    all: bool = False                 # every cache record
    keep_storage: int | None = None   # least recently used cache records until the store fits
    until: float | None = None        # cache records (and dangling images) unused since this time
    dangling: bool = True             # images without a name, as `docker image prune` does

    def describe(self) -> str:
        parts = ["unreferenced blobs"]
        if self.dangling:
            parts.append("dangling images")
        if self.all:
            parts.append("all build cache")
        else:
            if self.until is not None:
                parts.append("build cache unused since " + time.strftime("%Y-%m-%d %H:%M", time.localtime(self.until)))
            if self.keep_storage is not None:
                parts.append("least recently used build cache beyond the storage limit")
        return ", ".join(parts)


@dataclass(frozen=True)
class PruneReport:
    cache_removed: tuple[str, ...] = ()
    images_removed: tuple[str, ...] = ()
    blobs_removed: tuple[tuple[str, int], ...] = ()
    ingest_freed: int = 0
    kept_size: int = 0

    @property
    def reclaimed(self) -> int:
        return sum(s for _, s in self.blobs_removed) + self.ingest_freed

    def to_json(self) -> dict[str, object]:
        return {
            "CachesDeleted": list(self.cache_removed),
            "ImagesDeleted": list(self.images_removed),
            "BlobsDeleted": [{"digest": d, "size": s} for d, s in self.blobs_removed],
            "SpaceReclaimed": self.reclaimed,
            "SizeKept": self.kept_size,
        }


def plan(
    records: list[CacheRecord],
    policy: PrunePolicy,
    now: float,
    pinned_by: Callable[[CacheRecord], set[str]],
    image_blobs: set[str],
    size_of: Callable[[str], int],
) -> list[str]:
    """Keys of the cache records to drop under `policy`."""
    if policy.all:
        return [r.key for r in records]
    drop = [r.key for r in records if policy.until is not None and r.last_used < policy.until]
    if policy.keep_storage is None:
        return drop
    dropped = set(drop)
    kept = sorted((r for r in records if r.key not in dropped), key=lambda r: (r.last_used, r.key))
    # A blob stays while any image or kept record needs it; count holders so drops are incremental.
    holders: Counter[str] = Counter()
    pins = {r.key: pinned_by(r) for r in kept}
    for r in kept:
        holders.update(pins[r.key])
    total = sum(size_of(d) for d in set(holders) | image_blobs)
    for r in kept:
        if total <= policy.keep_storage:
            break
        drop.append(r.key)
        for d in pins[r.key]:
            holders[d] -= 1
            if holders[d] == 0 and d not in image_blobs:
                total -= size_of(d)
    return drop


def _reach(store: Store, digests: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for d in digests:
        if d not in out:
            out.update(n.digest for n in store.walk(d))
    return out


def image_blobs(store: Store, images: Iterable[ImageRow]) -> set[str]:
    out: set[str] = set()
    for row in images:
        out.update(n.digest for n in store.walk(row.digest, row.media_type))
    return out


def prune(store: Store, policy: PrunePolicy, *, on_wait: Callable[[], None] | None = None,
          now: float | None = None) -> PruneReport:
    """Drop what the policy allows, then every blob nothing reaches; returns what went."""
    now = time.time() if now is None else now
    with store.lock.exclusive(on_wait):
        ingest_freed = store.blobs.clean_ingest()
        images = store.db.images()
        named = {d for _, d in store.db.refs()}
        drop_images = [
            r.digest for r in images
            if policy.dangling and r.digest not in named
            and (policy.until is None or r.added < policy.until)
        ]
        kept_images = [r for r in images if r.digest not in set(drop_images)]
        records = store.db.cache_records()
        held_by_images = image_blobs(store, kept_images)
        drop_cache = plan(records, policy, now, lambda r: _reach(store, r.pins), held_by_images,
                          _size_or_zero(store))
        with store.db.transaction() as c:
            c.executemany("DELETE FROM cache WHERE key = ?", [(k,) for k in drop_cache])
            c.executemany("DELETE FROM images WHERE digest = ?", [(d,) for d in drop_images])
        removed, kept_size = _sweep(store)
    return PruneReport(tuple(drop_cache), tuple(drop_images), tuple(removed), ingest_freed, kept_size)


def collect(store: Store, *, blocking: bool = False) -> list[tuple[str, int]] | None:
    """Delete unreachable blobs only (after `rmi`); None when another process holds the store."""
    with store.lock.exclusive(blocking=blocking) as got:
        if not got:
            return None
        store.blobs.clean_ingest()
        return _sweep(store)[0]


def _size_or_zero(store: Store) -> Callable[[str], int]:
    def size(d: str) -> int:
        try:
            return store.blobs.size(d)
        except BlobNotFound:
            return 0
    return size


def _sweep(store: Store) -> tuple[list[tuple[str, int]], int]:
    """Delete every blob not reached from an image or cache record. Caller holds the lock exclusive."""
    live = image_blobs(store, store.db.images())
    for rec in store.db.cache_records():
        live |= _reach(store, rec.pins)
    removed: list[tuple[str, int]] = []
    kept = 0
    for digest in list(store.blobs):
        try:
            size = store.blobs.size(digest)
        except BlobNotFound:
            continue
        if digest in live:
            kept += size
        elif store.blobs.delete(digest):
            removed.append((digest, size))
    for name in store.blobs.strays():
        removed.append((f"stray:{name}", store.blobs.delete_stray(name)))
    if removed:
        with store.db.transaction() as c:
            c.executemany("DELETE FROM blobs WHERE digest = ?", [(d,) for d, _ in removed])
    return removed, kept
