"""An image as the commands see it: its names, manifest (chosen from an index) and config."""
from __future__ import annotations

from typing import Any

from ..records import dataclass
from . import graph
from .core import Store
from .db import ImageRow
from .errors import StoreError
from .platforms import PlatformSpec, host_platform, select


@dataclass(frozen=True)
class ImageView:
    row: ImageRow
    names: tuple[str, ...]          # full references
    manifest_digest: str
    manifest_media_type: str
    manifest: dict[str, Any]
    config_digest: str
    config: dict[str, Any]
    index: dict[str, Any] | None    # the index, when the image is one

    @property
    def layers(self) -> list[dict[str, Any]]:
        layers = self.manifest.get("layers")
        return layers if isinstance(layers, list) else []

    @property
    def diff_ids(self) -> list[str]:
        rootfs = self.config.get("rootfs")
        ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
        return ids if isinstance(ids, list) else []


def _json_object(store: Store, digest: str, what: str) -> dict[str, Any]:
    doc = store.read_json(digest)
    if not isinstance(doc, dict):
        raise StoreError(f"{what} {digest} is not a JSON object", hint="`pybuild fsck` checks the store")
    return doc


def open_image(store: Store, row: ImageRow, platform: PlatformSpec | None = None) -> ImageView:
    """Read an image's manifest and config; for an index, the manifest for `platform` (host default)."""
    index = None
    digest, mt = row.digest, row.media_type
    doc = _json_object(store, digest, "manifest")
    if mt in graph.INDEX_TYPES:
        index = doc
        entries = [d for d in doc.get("manifests", []) if isinstance(d, dict)]
        entries = [d for d in entries if isinstance(d.get("digest"), str) and store.blobs.has(d["digest"])]
        chosen = select(entries, platform)
        if chosen is None:
            want = platform or host_platform()
            have = sorted({"/".join(filter(None, (p.get("os"), p.get("architecture"), p.get("variant"))))
                           for d in entries if isinstance(p := d.get("platform"), dict)})
            raise StoreError(f"image {row.digest} has no manifest for {want}",
                             hint="platforms in the store: " + (", ".join(have) or "none"))
        digest, mt = chosen["digest"], chosen.get("mediaType", "")
        doc = _json_object(store, digest, "manifest")
        if mt in graph.INDEX_TYPES:
            raise StoreError(f"nested index {digest} is not supported here")
    config_desc = doc.get("config")
    if not isinstance(config_desc, dict) or not isinstance(config_desc.get("digest"), str):
        raise StoreError(f"manifest {digest} has no config", hint="`pybuild fsck` checks the store")
    config = _json_object(store, config_desc["digest"], "config")
    names = tuple(store.db.refs_of(row.digest))
    return ImageView(row, names, digest, mt or str(doc.get("mediaType", "")), doc,
                     config_desc["digest"], config, index)
