"""The local store: content-addressed blobs, a metadata database (sqlite), locks, GC and fsck.

Public API (what the build engine uses):

    store = Store()                      # $PYBUILD_ROOT, else ~/.local/share/pybuild
    with store.writing():                # shared lock: GC waits until records are committed
        with store.blobs.writer(expected=None) as w:
            w.write(chunk); digest = w.commit()
        digest = store.blobs.put_bytes(data)
        store.add_image(manifest_digest, names=["app:1.0"])
        store.db.cache_put(key, {"pins": [digests...], ...}, size=n)
    store.resolve("busybox")             # by name, name@digest, digest, image ID or ID prefix
    store.db.cache_get(key)              # CacheRecord or None; refreshes last_used
"""
from __future__ import annotations

from .core import Node, Store
from .db import CacheRecord, ImageRow
from .errors import BlobNotFound, DigestMismatch, ImageNotFound, InvalidInput, StoreError
from .reference import Reference, familiar, parse

__all__ = [
    "Store", "Node", "CacheRecord", "ImageRow", "StoreError", "ImageNotFound", "BlobNotFound",
    "DigestMismatch", "InvalidInput", "Reference", "parse", "familiar",
]
