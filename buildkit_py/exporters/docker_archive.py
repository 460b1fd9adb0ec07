"""Write images as a docker-archive tar, the format `docker save` writes and `docker load` reads.

Layout: `<config hex>.json`, one `<v1 id>/` directory per layer with `layer.tar` (uncompressed:
its sha256 is the config's diff_id), `json` and `VERSION`, then `manifest.json` and
`repositories`. The v1 ids are the layers' chain ids, so equal layer stacks share directories.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import BinaryIO

from ..oci.compress import LayerReader
from ..records import dataclass
from ..store import Store
from ..store.errors import StoreError
from ..store.images import ImageView, open_image
from ..store.reference import parse
from .tarwriter import ArchiveWriter


def chain_ids(diff_ids: Iterable[str]) -> list[str]:
    """The image-spec ChainIDs of a layer stack."""
    out: list[str] = []
    for d in diff_ids:
        out.append(d if not out else "sha256:" + hashlib.sha256(f"{out[-1]} {d}".encode()).hexdigest())
    return out


@dataclass(frozen=True)
class DockerItem:
    view: ImageView
    names: tuple[str, ...]  # full references


def uncompressed_size(store: Store, digest: str, diff_id: str) -> int:
    """Size of a layer once decompressed: remembered in the store, else measured (and remembered)."""
    known_diff, known_size = store.db.layer_info(digest)
    if known_diff == diff_id and known_size is not None:
        return known_size
    with store.blobs.open(digest) as blob:
        reader = LayerReader(blob, what=f"layer {digest}")
        try:
            actual = reader.drain()
            size = reader.size
        finally:
            reader.close()
    if actual != diff_id:
        raise StoreError(f"layer {digest} decompresses to {actual}, but the image config says {diff_id}",
                         hint="`pybuild fsck` checks the store")
    store.db.set_layer_info(digest, diff_id, size)
    return size


def _legacy_json(v1id: str, parent: str | None) -> bytes:
    doc: dict[str, object] = {"id": v1id}
    if parent:
        doc["parent"] = parent
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def save_docker(store: Store, items: list[DockerItem], out: BinaryIO) -> None:
    """Write a docker-archive tar stream of `items`."""
    w = ArchiveWriter(out)
    manifest: list[dict[str, object]] = []
    repositories: dict[str, dict[str, str]] = {}
    written: set[str] = set()
    for item in items:
        view = item.view
        layers, diff_ids = view.layers, view.diff_ids
        if len(layers) != len(diff_ids):
            raise StoreError(f"image {view.row.digest}: {len(layers)} layers but {len(diff_ids)} diff_ids")
        config_name = f"{view.config_digest[7:]}.json"
        if config_name not in written:
            w.add_bytes(config_name, store.blobs.read_bytes(view.config_digest))
            written.add(config_name)
        layer_paths: list[str] = []
        parent = None
        for layer, diff_id, chain in zip(layers, diff_ids, chain_ids(diff_ids)):
            v1id = chain[7:]
            path = f"{v1id}/layer.tar"
            if path not in written:
                digest = str(layer["digest"])
                size = uncompressed_size(store, digest, diff_id)
                w.add_bytes(f"{v1id}/VERSION", b"1.0")
                w.add_bytes(f"{v1id}/json", _legacy_json(v1id, parent))
                with store.blobs.open(digest) as blob:
                    reader = LayerReader(blob, what=f"layer {digest}")
                    try:
                        w.add_stream(path, size, reader)  # type: ignore[arg-type]
                        if reader.drain() != diff_id:
                            raise StoreError(f"layer {digest} changed while it was being saved")
                    finally:
                        reader.close()
                written.add(path)
            layer_paths.append(path)
            parent = v1id
        tags = []
        for name in item.names:
            ref = parse(name)
            tags.append(ref.familiar())
            if parent and ref.tag:
                repositories.setdefault(ref.familiar_repository, {})[ref.tag] = parent
        manifest.append({"Config": config_name, "RepoTags": tags or None, "Layers": layer_paths})
    w.add_bytes("manifest.json", json.dumps(manifest, separators=(",", ":")).encode())
    if repositories:
        w.add_bytes("repositories", json.dumps(repositories, separators=(",", ":"), sort_keys=True).encode())
    w.close()


def docker_items(store: Store, rows_and_names: Iterable[tuple[str, tuple[str, ...]]]) -> list[DockerItem]:
    """Resolve (image digest, names) pairs to what `save_docker` needs (host platform of an index)."""
    out = []
    for digest, names in rows_and_names:
        row = store.db.image(digest)
        if row is None:
            raise StoreError(f"image {digest} is not in the store")
        out.append(DockerItem(open_image(store, row), names))
    return out
