"""The store as the lean pull and push read it (registry/fastpath.py): sqlite and files, nothing more.

Store objects (store/core.py) bring the blob store, the database layer and dataclasses, which
cost more to import than the lean paths take to run. These are the few reads and writes those
paths need, with the store's own rules: the lock held shared while working (garbage collection
waits), blobs at `blobs/sha256/<hex>`, the metadata and mount-hint databases (store/db.py,
registry/known.py) in WAL mode, one transaction per change.
"""
from __future__ import annotations

import json
import os

# The C module under `sqlite3`, whose Python part adds datetime adapters (~2-3 ms to import)
# that these queries do not use.
import _sqlite3 as sqlite3

from ..locations import store_root
from . import leanref
from .leanhttp import Fallback

SCHEMA_VERSION = "1"  # of the store's database (store/db.py): another one is the full path's to judge


class LeanStore:
    """The store's files read with sqlite and os alone, under the store lock held shared (as writers do)."""

    def __init__(self, root: str, db: sqlite3.Connection, lock_fd: int) -> None:
        self.root, self.db, self._lock_fd = root, db, lock_fd
        self._known_db: sqlite3.Connection | None = None

    @classmethod
    def open(cls) -> LeanStore | None:
        import fcntl

        root = store_root()
        path = os.path.join(root, "metadata.db")
        if not os.path.exists(path):
            return None
        fd = os.open(os.path.join(root, "lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # garbage collection waits, as for the full path
            db = sqlite3.connect(path, timeout=60.0, isolation_level=None)
        except BaseException:
            os.close(fd)  # the full path may run next, in this process
            raise
        store = cls(root, db, fd)
        try:
            version = store.one("SELECT value FROM meta WHERE key = 'schema_version'", ())
        except sqlite3.Error:
            version = None
        if version != SCHEMA_VERSION:
            store.__exit__()
            return None
        return store

    def __enter__(self) -> LeanStore:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._known_db is not None:
            self._known_db.close()
        self.db.close()
        os.close(self._lock_fd)  # closing the descriptor releases the flock

    def one(self, sql: str, args: tuple) -> object:
        row = self.db.execute(sql, args).fetchone()
        return row[0] if row else None

    def count(self, sql: str, args: list) -> int:
        return int(self.db.execute(sql, args).fetchone()[0])

    def blob_path(self, digest: str) -> str:
        if not leanref.is_digest(digest):
            raise Fallback(f"not a digest: {digest!r}")
        return os.path.join(self.root, "blobs", "sha256", digest[7:])

    def has_blob(self, digest: str) -> bool:
        return os.path.isfile(self.blob_path(digest))

    def blob_size(self, digest: str) -> int:
        try:
            return os.stat(self.blob_path(digest)).st_size
        except FileNotFoundError:
            raise Fallback(f"{digest} is not in the store") from None

    def blob_bytes(self, digest: str) -> bytes:
        try:
            with open(self.blob_path(digest), "rb") as f:
                return f.read()
        except FileNotFoundError:
            raise Fallback(f"{digest} is not in the store") from None

    def json_blob(self, digest: str) -> dict:
        doc = json.loads(self.blob_bytes(digest))
        if not isinstance(doc, dict):
            raise Fallback(f"{digest} is not a JSON object")
        return doc

    def touch_cache(self, key: str) -> None:
        """What store.db.cache_get does on a hit (prune --until goes by it)."""
        import time

        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("UPDATE cache SET last_used = ? WHERE key = ?", (time.time(), key))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # registry.db: which repositories had which blobs (registry/known.py)

    def _known(self) -> sqlite3.Connection:
        con = self._known_db
        if con is None:
            con = self._known_db = sqlite3.connect(os.path.join(self.root, "registry.db"), timeout=30.0,
                                                   isolation_level=None)
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("CREATE TABLE IF NOT EXISTS remote_blobs (registry TEXT NOT NULL, repository TEXT NOT NULL, "
                        "digest TEXT NOT NULL, seen REAL NOT NULL, PRIMARY KEY (registry, digest, repository))")
        return con

    def mount_sources(self, registry: str, digest: str, exclude: str) -> list[str]:
        rows = self._known().execute(
            "SELECT repository FROM remote_blobs WHERE registry = ? AND digest = ? AND repository != ? "
            "ORDER BY seen DESC LIMIT 3", (registry, digest, exclude)).fetchall()
        return [r[0] for r in rows]

    def remember(self, registry: str, repository: str, digests: list[str]) -> None:
        """known.add's rows. When all are there already, their `seen` time is left as it is:
        a write costs an fsync or two (~5-15 ms), and the order of mount hints is all it changes."""
        import time

        con = self._known()
        marks = ",".join("?" * len(set(digests)))
        have = con.execute(f"SELECT COUNT(*) FROM remote_blobs WHERE registry = ? AND repository = ? AND digest IN "
                           f"({marks})", [registry, repository, *sorted(set(digests))]).fetchone()[0]
        if have == len(set(digests)):
            return
        now = time.time()
        con.execute("BEGIN IMMEDIATE")
        try:
            con.executemany("INSERT INTO remote_blobs VALUES (?, ?, ?, ?) ON CONFLICT (registry, digest, repository) "
                            "DO UPDATE SET seen = excluded.seen", [(registry, repository, d, now) for d in digests])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

