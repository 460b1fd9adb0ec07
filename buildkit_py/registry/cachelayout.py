"""The local remote-cache backend: an OCI image layout directory (`type=local,src=|dest=DIR`).

`index.json` names each cache by `org.opencontainers.image.ref.name` (the spec's `tag=`, default
`latest`); exporting another tag keeps the others. Blobs are written under a temporary name and
renamed; index.json is replaced last, so a reader sees the old cache or the new one.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..oci import mediatypes as mt
from ..exporters.tarwriter import atomic_output
from ..oci.image import canonical_json, oci_layout_json
from ..store import Store
from .errors import RegistryError

REF_NAME = "org.opencontainers.image.ref.name"


def blob_path(layout: Path, digest: str) -> Path:
    algo, _, hex_ = digest.partition(":")
    return layout / "blobs" / algo / hex_


def _atomic_write(path: Path, data: bytes) -> None:
    with atomic_output(path) as f:
        f.write(data)


def copy_blob_out(store: Store, layout: Path, digest: str) -> None:
    """Copy a store blob into the layout unless it is there already."""
    dest = blob_path(layout, digest)
    if dest.exists() and dest.stat().st_size == store.blobs.size(digest):
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(dest) as out, store.blobs.open(digest) as src:
        shutil.copyfileobj(src, out, 1 << 20)


def write_layout(layout: Path, manifest: bytes, manifest_digest: str, tag: str) -> None:
    """Add the manifest blob and point `tag` at it in index.json (other tags are kept)."""
    layout.mkdir(parents=True, exist_ok=True)
    (layout / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    _atomic_write(blob_path(layout, manifest_digest), manifest)
    if not (layout / "oci-layout").exists():
        _atomic_write(layout / "oci-layout", oci_layout_json())
    entries = [e for e in read_index(layout).get("manifests", [])
               if isinstance(e, dict) and (e.get("annotations") or {}).get(REF_NAME) != tag]
    entries.append({"mediaType": mt.OCI_MANIFEST, "digest": manifest_digest, "size": len(manifest),
                    "annotations": {REF_NAME: tag}})
    index = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": entries}
    _atomic_write(layout / "index.json", canonical_json(index))


def read_index(layout: Path) -> dict:
    try:
        doc = json.loads((layout / "index.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, OSError) as err:
        raise RegistryError(f"{layout}/index.json is unreadable: {err}") from None
    return doc if isinstance(doc, dict) else {}


def find_manifest(layout: Path, tag: str) -> str | None:
    """The digest of the manifest named `tag` in the layout, or None."""
    for e in read_index(layout).get("manifests", []):
        if isinstance(e, dict) and (e.get("annotations") or {}).get(REF_NAME) == tag:
            return e.get("digest")
    return None


def read_blob(layout: Path, digest: str, limit: int = 64 << 20) -> bytes:
    import hashlib

    try:
        with open(blob_path(layout, digest), "rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise RegistryError(f"{layout}: blob {digest} is missing") from None
    if len(data) > limit or "sha256:" + hashlib.sha256(data).hexdigest() != digest:
        raise RegistryError(f"{layout}: blob {digest} is corrupt")
    return data


def import_blob(store: Store, layout: Path, digest: str) -> bool:
    """Copy a layout blob into the store, verified; False when the layout lacks it."""
    try:
        f = open(blob_path(layout, digest), "rb")
    except FileNotFoundError:
        return False
    with f, store.writing():
        store.blobs.put_file(f, expected=digest)
    return True
