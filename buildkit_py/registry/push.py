"""`push_image`: put an image from the store in a registry repository, under a tag.

Blobs first (skipped when the registry has them, mounted from another repository of the same
registry when we know one that has them, else uploaded), then each manifest, the tag last: a
reader never sees a tag pointing at something incomplete.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import field

from ..oci import mediatypes as mt
from ..records import dataclass
from ..store import Store
from ..store.errors import StoreError
from ..store.platforms import select
from . import blobs
from .client import Registry
from .errors import RegistryError
from .known import KnownBlobs
from .parallel import run_all
from .references import parse_remote, target

Report = Callable[[str], None]


@dataclass
class Pushed:
    digest: str = ""
    counts: dict[str, int] = field(default_factory=lambda: {"exists": 0, "mounted": 0, "uploaded": 0})
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, how: str, size: int) -> None:
        with self.lock:
            self.counts[how] += 1
            if how == "uploaded":
                self.bytes += size


def push_image(store: Store, manifest_digest: str, ref: str) -> None:
    """Push the image (manifest or index) `manifest_digest` from the store to `ref`."""
    push(store, manifest_digest, ref)


def push(store: Store, digest: str, ref: str, *, report: Report | None = None) -> Pushed:
    r = parse_remote(ref)
    reg = Registry(r.domain)
    out = Pushed()
    known = KnownBlobs(store.root)
    try:
        # Shared lock: garbage collection waits while we read the image's blobs.
        with store.lock.shared():
            doc, media_type = _document(store, digest)
            if mt.is_index(media_type):
                entries = [d for d in doc.get("manifests", []) if isinstance(d, dict)]
                present = [d for d in entries if isinstance(d.get("digest"), str) and store.blobs.has(d["digest"])]
                if len(present) < len(entries):
                    # A pulled index holds one platform's image: push that one, as an image.
                    chosen = select(present)
                    if chosen is None:
                        raise StoreError(f"image {digest} is an index whose manifests are not in the store",
                                         hint="pull it with --platform, or push a single-platform image")
                    if report is not None:
                        report(f"the store has only part of index {digest}; pushing its "
                               f"{chosen.get('platform', {}).get('architecture', '')} image {chosen['digest']}")
                    digest = chosen["digest"]
                    doc, media_type = _document(store, digest)
                else:
                    for d in entries:
                        child, child_mt = _document(store, d["digest"])
                        _push_manifest(store, reg, r.path, d["digest"], child, child_mt, d["digest"], known, out,
                                       report)
            if r.digest and r.digest != digest:
                raise RegistryError(f"{ref} names digest {r.digest}, but the image is {digest}",
                                    hint="push by tag, or give the image's own digest")
            _push_manifest(store, reg, r.path, digest, doc, media_type, target(r), known, out, report)
    finally:
        known.close()
    out.digest = digest
    return out


def _document(store: Store, digest: str) -> tuple[dict, str]:
    doc = store.read_json(digest)
    if not isinstance(doc, dict):
        raise StoreError(f"blob {digest} is not a manifest")
    row = store.db.image(digest)
    media_type = doc.get("mediaType") or (row.media_type if row else None) or \
        (mt.OCI_INDEX if "manifests" in doc else mt.OCI_MANIFEST)
    return doc, media_type


def _push_manifest(store: Store, reg: Registry, repo: str, digest: str, doc: dict, media_type: str,
                   reference: str, known: KnownBlobs, out: Pushed, report: Report | None) -> None:
    if mt.is_manifest(media_type) or not mt.is_index(media_type):
        descs = [d for d in [doc.get("config"), *(doc.get("layers") or [])] if isinstance(d, dict)]
        push_blobs(store, reg, repo, [(d["digest"], int(d.get("size", -1))) for d in descs], known, out, report)
    data = store.blobs.read_bytes(digest)
    reg.put_manifest(repo, reference, data, media_type)
    if report is not None and not reference.startswith("sha256:"):
        report(f"{reference}: digest: {digest} size: {len(data)}")


def push_blobs(store: Store, reg: Registry, repo: str, descs: list[tuple[str, int]], known: KnownBlobs,
               out: Pushed, report: Report | None = None) -> None:
    """Make every blob in `descs` exist in `repo`, several at a time."""
    unique = list(dict.fromkeys(descs))
    for d, _ in unique:
        if not store.blobs.has(d):
            raise StoreError(f"blob {d} is not in the store", hint="`pybuild fsck` checks the store")

    def one(item: tuple[str, int]) -> None:
        d, size = item
        size = store.blobs.size(d)
        how = blobs.upload(reg, repo, d, size, store, mount_from=known.sources(reg.host, d, repo))
        out.add(how, size)
        if report is not None:
            report(f"{d.removeprefix('sha256:')[:12]}: " +
                   {"exists": "Layer already exists", "mounted": "Mounted", "uploaded": "Pushed"}[how])

    run_all(one, sorted(unique, key=lambda d: -store.blobs.size(d[0])))  # largest first
    known.add(reg.host, repo, [d for d, _ in unique])

