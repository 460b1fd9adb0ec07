"""The same image with its layers in another compression.

Builds keep layers uncompressed in the local store, as docker's image store does: writing a
layer then costs a copy, not a gzip pass over every byte. Exports and pushes want compressed
layers: this makes (once, then remembers) an equivalent manifest whose layers are compressed.
The config — and so the image ID and every diff_id — is unchanged.
"""
from __future__ import annotations

import json

from ..oci import mediatypes as mt
from ..oci.compress import LayerReader, LayerSink
from ..store import Store

_CHUNK = 1 << 20


def _layer_type(compression: str, docker: bool) -> str:
    if docker:
        return {"gzip": mt.DOCKER_LAYER_GZIP, "none": mt.DOCKER_LAYER}.get(compression, mt.OCI_LAYER_ZSTD)
    return {"gzip": mt.OCI_LAYER_GZIP, "zstd": mt.OCI_LAYER_ZSTD, "none": mt.OCI_LAYER}[compression]


def recompress_blob(store: Store, digest: str, compression: str) -> tuple[str, int]:
    """A layer blob in `compression`: (digest, size), stored."""
    with store.blobs.open(digest) as src, store.blobs.writer() as w:
        reader = LayerReader(src, digest=False)
        sink = LayerSink(w, compression)
        try:
            while True:
                chunk = reader.read(_CHUNK)
                if not chunk:
                    break
                sink.write(chunk)
            info = sink.close()
        finally:
            reader.close()
        new = w.commit()
    return new, info.size


def with_compression(store: Store, manifest_digest: str, compression: str) -> str:
    """The digest of an image manifest equal to `manifest_digest` but for layer compression."""
    key = f"recompress:{manifest_digest}:{compression}"
    rec = store.db.cache_get(key)
    if rec is not None and store.blobs.has(rec.value.get("manifest", "")):
        return rec.value["manifest"]
    manifest = store.read_json(manifest_digest)
    if "layers" not in manifest:
        return manifest_digest  # an index: left as it is
    docker = manifest.get("mediaType") == mt.DOCKER_MANIFEST
    changed = False
    layers = []
    with store.writing():
        for layer in manifest["layers"]:
            if not mt.is_layer(layer.get("mediaType", "")) or mt.compression_of(layer["mediaType"]) == compression:
                layers.append(layer)
                continue
            digest, size = recompress_blob(store, layer["digest"], compression)
            layers.append(dict(layer, digest=digest, size=size, mediaType=_layer_type(compression, docker)))
            changed = True
        if not changed:
            return manifest_digest
        new = dict(manifest, layers=layers)
        new_digest = store.blobs.put_bytes(json.dumps(new, separators=(",", ":"), ensure_ascii=False).encode())
        store.add_image(new_digest, names=[], media_type=manifest.get("mediaType") or mt.OCI_MANIFEST)
        store.db.cache_put(key, {"manifest": new_digest, "pins": [new_digest] + [l["digest"] for l in layers]})
    return new_digest
