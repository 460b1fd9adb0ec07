"""The store: blobs, metadata and the lock under one root, and image lookups by name, digest or ID."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..records import dataclass
from . import graph
from .blobs import BlobStore
from .db import ImageRow, Metadata
from .errors import BlobNotFound, ImageNotFound, InvalidInput, StoreError
from .lock import StoreLock
from .paths import default_root
from .reference import Reference, parse

_FULL_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_ID_PREFIX = re.compile(r"(sha256:)?[0-9a-f]{1,64}")


@dataclass(frozen=True, slots=True)
class Node:
    """A blob reached from an image: its descriptor, and whether it is in the store."""

    digest: str
    media_type: str
    size: int
    role: str  # "manifest", "index", "config", "layer", "blob"
    present: bool


class Store:
    """One store root. Use `with store.writing():` around writing blobs and the records that use them."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.blobs = BlobStore(self.root)
            self.lock = StoreLock(self.root / "lock")
            self.db = Metadata(self.root / "metadata.db")
        except PermissionError as err:
            raise StoreError(f"cannot open the store at {self.root}: {err.strerror}",
                             hint="set PYBUILD_ROOT to a directory you can write") from None

    def close(self) -> None:
        self.db.close()
        self.lock.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """Hold the store lock shared: GC waits until the block's blobs are referenced."""
        with self.lock.shared():
            self.blobs.clean_ingest()
            yield self

    # blobs as JSON --------------------------------------------------------------

    def read_json(self, digest: str) -> Any:
        data = self.blobs.read_bytes(digest)
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise StoreError(f"blob {digest} is not valid JSON",
                             hint="`pybuild fsck` checks the store") from None

    def walk(self, digest: str, media_type: str | None = None) -> Iterator[Node]:
        """Every blob an image reaches, depth first, each once; absent blobs are yielded, not followed."""
        seen: set[str] = set()
        stack = [(digest, media_type or "", -1, "root")]
        while stack:
            d, mt, size, role = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            try:
                present = self.blobs.has(d)
            except InvalidInput:
                present = False
            data = b""
            if present and (role == "root" or graph.is_walkable(mt)):
                if size < 0:
                    size = self.blobs.size(d)
                if size <= graph.MAX_MANIFEST_SIZE:
                    data = self.blobs.read_bytes(d, graph.MAX_MANIFEST_SIZE)
                    mt = mt or graph.sniff_media_type(data) or ""
            if role == "root":
                role = "index" if mt in graph.INDEX_TYPES else "manifest"
            elif role == "manifest" and mt in graph.INDEX_TYPES:
                role = "index"
            yield Node(d, mt, size, role, present)
            if data and graph.is_walkable(mt):
                for e in reversed(graph.children(data)):
                    stack.append((e.digest, e.media_type, e.size, e.role))

    # images ------------------------------------------------------------------------

    def describe(self, digest: str, media_type: str | None = None) -> tuple[str, str, str | None, int]:
        """(media type, image ID, created, size) of a manifest or index in the store."""
        if not self.blobs.has(digest):
            raise BlobNotFound(digest)
        nodes = list(self.walk(digest, media_type))
        top = nodes[0]
        mt = top.media_type or "application/vnd.oci.image.manifest.v1+json"
        size = sum(n.size for n in nodes if n.present and n.size > 0)
        image_id, created = digest, None
        if top.role == "manifest":
            config = next((n for n in nodes if n.role == "config"), None)
            if config is None:
                raise StoreError(f"manifest {digest} has no config")
            image_id = config.digest
            if config.present:
                doc = self.read_json(config.digest)
                if isinstance(doc, dict) and isinstance(doc.get("created"), str):
                    created = doc["created"]
        else:
            times = [self.describe(n.digest, n.media_type)[2] for n in nodes
                     if n.role == "manifest" and n.present]
            created = max((t for t in times if t), default=None)
        return mt, image_id, created, size

    def add_image(self, digest: str, names: Iterable[str] = (), media_type: str | None = None) -> ImageRow:
        """Record an image whose blobs are all in the store, and point `names` at it."""
        mt, image_id, created, size = self.describe(digest, media_type)
        missing = [n.digest for n in self.walk(digest, mt) if not n.present and n.role not in ("manifest", "index")]
        if missing:
            raise StoreError(f"image {digest} is incomplete: blob {missing[0]} is not in the store")
        full_names = [str(self._tag_ref(n)) for n in names]
        now = time.time()
        with self.db.transaction() as c:
            c.execute(
                "INSERT INTO images VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(digest) DO UPDATE SET "
                "media_type = excluded.media_type, image_id = excluded.image_id, "
                "created = excluded.created, size = excluded.size",
                (digest, mt, image_id, created, size, now),
            )
            for name in full_names:
                c.execute(
                    "INSERT INTO refs VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                    "digest = excluded.digest, created = excluded.created",
                    (name, digest, now),
                )
        self.db.touch_blobs([n.digest for n in self.walk(digest, mt) if n.present], now)
        row = self.db.image(digest)
        assert row is not None
        return row

    @staticmethod
    def _tag_ref(name: str) -> Reference:
        ref = parse(name)
        if ref.digest:
            raise InvalidInput(f"refusing to create a tag with a digest reference: {name}",
                               hint="give NAME[:TAG] without @sha256:...")
        return ref

    def tag(self, digest: str, name: str) -> str:
        """Point `name` at an image already in the store; returns the full reference."""
        full = str(self._tag_ref(name))
        with self.db.transaction() as c:
            if c.execute("SELECT 1 FROM images WHERE digest = ?", (digest,)).fetchone() is None:
                raise ImageNotFound(digest)
            c.execute("INSERT INTO refs VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                      "digest = excluded.digest, created = excluded.created", (full, digest, time.time()))
        return full

    def untag(self, name: str) -> str | None:
        """Remove one reference; returns the digest it pointed to, or None."""
        with self.db.transaction() as c:
            row = c.execute("SELECT digest FROM refs WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            c.execute("DELETE FROM refs WHERE name = ?", (name,))
            return str(row[0])

    def delete_image(self, digest: str) -> bool:
        """Remove an image record and all its names (blobs go at the next garbage collection)."""
        with self.db.transaction() as c:
            return c.execute("DELETE FROM images WHERE digest = ?", (digest,)).rowcount > 0

    def resolve(self, arg: str) -> ImageRow:
        """The image named by a reference, `name@digest`, manifest digest, image ID or unique ID prefix."""
        s = arg.strip()
        if _FULL_DIGEST.fullmatch(s):
            rows = self.db.query("SELECT digest FROM images WHERE digest = ? OR image_id = ?", (s, s))
            if rows:
                return self._pick([self.db.image(r[0]) for r in rows], s)
            raise ImageNotFound(s)
        ref: Reference | None = None
        try:
            ref = parse(s)
        except InvalidInput:
            if not _ID_PREFIX.fullmatch(s):
                raise
        if ref is not None:
            digest = ref.digest or self.db.ref(str(ref))
            row = self.db.image(digest) if digest else None
            if row is not None:
                return row
        if _ID_PREFIX.fullmatch(s):
            prefix = s if s.startswith("sha256:") else "sha256:" + s
            rows = [r for r in self.db.images_by_id_prefix(prefix) if r.image_id.startswith(prefix)]
            if rows:
                return self._pick(rows, s)
        raise ImageNotFound(ref.familiar() if ref is not None and not ref.digest else s)

    def _pick(self, rows: list[ImageRow | None], arg: str) -> ImageRow:
        found = [r for r in rows if r is not None]
        if len({r.image_id for r in found}) > 1:
            raise InvalidInput(f"multiple IDs found with provided prefix: {arg}",
                               hint="give more characters of the image ID")
        # One config under several manifests (e.g. loaded compressed and uncompressed): prefer a named one.
        found.sort(key=lambda r: (not self.db.refs_of(r.digest), -r.added))
        return found[0]
