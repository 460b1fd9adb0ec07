"""The metadata database: image references, images, cache records, blob use. sqlite in WAL mode.

Every change runs in one `BEGIN IMMEDIATE` transaction, so several processes can share a store:
sqlite serializes writers, readers never block, and a killed process leaves no partial change.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..records import dataclass
from .errors import StoreError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- One row per image (a manifest or an index). An image without refs is dangling (<none>).
CREATE TABLE IF NOT EXISTS images (
    digest TEXT PRIMARY KEY,       -- manifest or index digest
    media_type TEXT NOT NULL,
    image_id TEXT NOT NULL,        -- config digest (index digest for an index), as docker shows it
    created TEXT,                  -- the config's `created`, RFC 3339
    size INTEGER NOT NULL,         -- bytes of every distinct blob the image reaches
    added REAL NOT NULL            -- when it entered this store (unix time)
);
CREATE INDEX IF NOT EXISTS images_by_id ON images(image_id);
CREATE TABLE IF NOT EXISTS refs (
    name TEXT PRIMARY KEY,         -- full reference: docker.io/library/busybox:latest
    digest TEXT NOT NULL REFERENCES images(digest) ON DELETE CASCADE,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS refs_by_digest ON refs(digest);
CREATE TABLE IF NOT EXISTS cache (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,           -- JSON object, whose "pins" list names the blobs it keeps alive
    created REAL NOT NULL,
    last_used REAL NOT NULL,
    size INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS blobs (
    digest TEXT PRIMARY KEY,
    last_used REAL NOT NULL,
    diff_id TEXT,                  -- for layers: digest of the uncompressed tar, when known
    uncompressed_size INTEGER
);
"""


@dataclass(frozen=True, slots=True)
class ImageRow:
    digest: str
    media_type: str
    image_id: str
    created: str | None
    size: int
    added: float


@dataclass(frozen=True, slots=True)
class CacheRecord:
    key: str
    value: dict[str, Any]
    created: float
    last_used: float
    size: int

    @property
    def pins(self) -> list[str]:
        pins = self.value.get("pins", [])
        return [p for p in pins if isinstance(p, str)]


class Metadata:
    """One connection to the store database, shared by the threads of a process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            path, timeout=60.0, isolation_level=None, check_same_thread=False
        )
        self._conn.execute("PRAGMA busy_timeout = 60000")
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _migrate(self) -> None:
        with self.transaction() as c:
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    c.execute(stmt)
            row = c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                c.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(
                    f"the store at {self.path.parent} has schema version {row[0]}; "
                    f"this pybuild knows up to {SCHEMA_VERSION}",
                    hint="upgrade pybuild, or point PYBUILD_ROOT at another directory",
                )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it or none of it."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    def query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, tuple(args)).fetchall()

    # images and references -------------------------------------------------

    def images(self) -> list[ImageRow]:
        return [ImageRow(*r) for r in self.query("SELECT * FROM images ORDER BY added DESC, digest")]

    def image(self, digest: str) -> ImageRow | None:
        rows = self.query("SELECT * FROM images WHERE digest = ?", (digest,))
        return ImageRow(*rows[0]) if rows else None

    def images_by_id_prefix(self, prefix: str) -> list[ImageRow]:
        """Images whose ID or manifest digest starts with `prefix` (full `sha256:...` form)."""
        like = prefix.replace("%", "").replace("_", "") + "%"
        return [ImageRow(*r) for r in self.query(
            "SELECT * FROM images WHERE image_id LIKE ? OR digest LIKE ?", (like, like))]

    def refs(self) -> list[tuple[str, str]]:
        """(name, digest) of every reference."""
        return [(r[0], r[1]) for r in self.query("SELECT name, digest FROM refs ORDER BY name")]

    def ref(self, name: str) -> str | None:
        rows = self.query("SELECT digest FROM refs WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def refs_of(self, digest: str) -> list[str]:
        return [r[0] for r in self.query("SELECT name FROM refs WHERE digest = ? ORDER BY name", (digest,))]

    # cache records ------------------------------------------------------------

    def cache_get(self, key: str, *, touch: bool = True) -> CacheRecord | None:
        rows = self.query("SELECT * FROM cache WHERE key = ?", (key,))
        if not rows:
            return None
        if touch:
            with self.transaction() as c:
                c.execute("UPDATE cache SET last_used = ? WHERE key = ?", (time.time(), key))
        k, value, created, last_used, size = rows[0]
        return CacheRecord(k, json.loads(value), created, last_used, size)

    def cache_put(self, key: str, value: dict[str, Any], size: int = 0) -> None:
        now = time.time()
        with self.transaction() as c:
            c.execute(
                "INSERT INTO cache VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "value = excluded.value, last_used = excluded.last_used, size = excluded.size",
                (key, json.dumps(value, sort_keys=True), now, now, size),
            )

    def cache_delete(self, key: str) -> bool:
        with self.transaction() as c:
            return c.execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount > 0

    def cache_records(self) -> list[CacheRecord]:
        return [
            CacheRecord(k, json.loads(v), cr, lu, sz)
            for k, v, cr, lu, sz in self.query("SELECT * FROM cache ORDER BY last_used, key")
        ]

    # blobs ----------------------------------------------------------------------

    def touch_blobs(self, digests: Iterable[str], when: float | None = None) -> None:
        now = time.time() if when is None else when
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO blobs (digest, last_used) VALUES (?, ?) "
                "ON CONFLICT(digest) DO UPDATE SET last_used = excluded.last_used",
                [(d, now) for d in digests],
            )

    def set_layer_info(self, digest: str, diff_id: str, uncompressed_size: int | None) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO blobs VALUES (?, ?, ?, ?) ON CONFLICT(digest) DO UPDATE SET "
                "diff_id = excluded.diff_id, uncompressed_size = excluded.uncompressed_size",
                (digest, time.time(), diff_id, uncompressed_size),
            )

    def layer_info(self, digest: str) -> tuple[str | None, int | None]:
        rows = self.query("SELECT diff_id, uncompressed_size FROM blobs WHERE digest = ?", (digest,))
        return (rows[0][0], rows[0][1]) if rows else (None, None)
