"""The local store: content-addressed blobs, a metadata database (sqlite), locks, GC and fsck.

Public API (what the build engine and registry client use):

    store = Store()                       # $PYBUILD_ROOT, else ~/.local/share/pybuild
    with store.writing():                 # shared lock, reentrant: GC waits for the whole block,
        with store.blobs.writer(expected=None) as w:   # so write blobs AND the records that
            w.write(chunk); digest = w.commit()        # use them inside one block
        digest = store.blobs.put_bytes(data, expected=None)
        digest, size = store.blobs.put_file(fileobj, expected=None)
        row = store.add_image(manifest_or_index_digest, names=["app:1.0"])   # ImageRow
        store.db.cache_put(key, {"pins": [blob digests it needs], ...}, size=n)
    store.resolve("busybox")              # ImageRow, by name, name@digest, digest, ID or ID prefix
    store.read_json(digest); store.walk(digest)   # a blob as JSON; every blob an image reaches
    store.blobs.open/has/path/size/delete(digest)
    store.db.cache_get(key)               # CacheRecord or None; a hit refreshes last_used
    store.tag(digest, name); store.untag(full_name); store.delete_image(digest)
    images.open_image(store, row)         # manifest (host platform of an index) and config

Errors: StoreError (exit 1), ImageNotFound ("No such image: NAME", exit 1), InvalidInput (exit 2).
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
