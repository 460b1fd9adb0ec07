"""What a blob references: a manifest its config and layers, an index its manifests. Pure.

Garbage collection must keep anything it cannot understand, so this reads descriptors leniently;
strict validation against the image spec is fsck's job.
"""
from __future__ import annotations

import json

from ..records import dataclass

MANIFEST_TYPES = frozenset({
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
})
INDEX_TYPES = frozenset({
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
})
# Larger JSON than this is not a manifest we wrote or accepted; it is never parsed for children.
MAX_MANIFEST_SIZE = 4 << 20


@dataclass(frozen=True, slots=True)
class Edge:
    """A descriptor found inside a manifest or index."""

    digest: str
    media_type: str
    size: int
    role: str  # "config", "layer", "manifest" or "blob"


def is_walkable(media_type: str | None) -> bool:
    return media_type in MANIFEST_TYPES or media_type in INDEX_TYPES


def sniff_media_type(data: bytes) -> str | None:
    """The media type of a manifest or index blob from its contents, None if it is neither."""
    if not data.lstrip().startswith(b"{"):
        return None
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict):
        return None
    mt = doc.get("mediaType")
    if is_walkable(mt):
        return mt
    if isinstance(doc.get("manifests"), list):
        return "application/vnd.oci.image.index.v1+json"
    if isinstance(doc.get("config"), dict) and isinstance(doc.get("layers"), list):
        return "application/vnd.oci.image.manifest.v1+json"
    return None


def _edge(d: object, role: str) -> Edge | None:
    if not isinstance(d, dict):
        return None
    digest, mt, size = d.get("digest"), d.get("mediaType"), d.get("size")
    if not isinstance(digest, str):
        return None
    return Edge(digest, mt if isinstance(mt, str) else "", size if isinstance(size, int) else -1, role)


def children(data: bytes) -> list[Edge]:
    """Descriptors a manifest or index blob points to (subjects are not owned, so not followed)."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(doc, dict):
        return []
    out: list[Edge] = []
    if isinstance(doc.get("manifests"), list):
        out += [e for e in (_edge(d, "manifest") for d in doc["manifests"]) if e]
    if "config" in doc:
        e = _edge(doc["config"], "config")
        if e:
            out.append(e)
    if isinstance(doc.get("layers"), list):
        out += [e for e in (_edge(d, "layer") for d in doc["layers"]) if e]
    if isinstance(doc.get("blobs"), list):  # artifact manifests
        out += [e for e in (_edge(d, "blob") for d in doc["blobs"]) if e]
    return out
