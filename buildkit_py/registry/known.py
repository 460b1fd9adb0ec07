"""Where blobs are known to exist remotely: (registry, repository, digest), for cross-repository mounts.

Pulls and pushes record what they saw; a push to another repository of the same registry asks
the registry to mount the blob from there instead of uploading it. Only a hint: a stale entry
costs one refused mount. Kept in its own sqlite file under the store root.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

_SCHEMA = """CREATE TABLE IF NOT EXISTS remote_blobs (
    registry TEXT NOT NULL, repository TEXT NOT NULL, digest TEXT NOT NULL, seen REAL NOT NULL,
    PRIMARY KEY (registry, digest, repository))"""


class KnownBlobs:
    def __init__(self, root: Path) -> None:
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(Path(root) / "registry.db", timeout=30.0, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def add(self, registry: str, repository: str, digests: Iterable[str]) -> None:
        now = time.time()
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT INTO remote_blobs VALUES (?, ?, ?, ?) ON CONFLICT (registry, digest, repository) DO UPDATE SET seen = excluded.seen",
                    [(registry, repository, d, now) for d in digests])
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def sources(self, registry: str, digest: str, exclude: str) -> list[str]:
        """Repositories of `registry` that had `digest`, most recently seen first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT repository FROM remote_blobs WHERE registry = ? AND digest = ? AND repository != ? "
                "ORDER BY seen DESC LIMIT 3", (registry, digest, exclude)).fetchall()
        return [r[0] for r in rows]
