"""Write images as an OCI image layout (image-spec `image-layout.md`): a tar stream or a directory.

index.json names each image the way BuildKit and containerd do: `io.containerd.image.name` holds
the full reference and `org.opencontainers.image.ref.name` only its tag, which is what umoci and
skopeo look up (`oci:dir:latest`).
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from ..oci.image import Descriptor, Index, canonical_json, oci_layout_json
from ..records import dataclass
from ..store import Store
from ..store.errors import StoreError
from ..store.reference import parse
from .tarwriter import ArchiveWriter, atomic_output

IMAGE_NAME = "io.containerd.image.name"
REF_NAME = "org.opencontainers.image.ref.name"


@dataclass(frozen=True)
class SaveItem:
    """One image to save: its manifest (or index) descriptor and the names to give it."""

    digest: str
    media_type: str
    size: int
    names: tuple[str, ...] = ()   # full references

    @classmethod
    def of(cls, store: Store, digest: str, names: Iterable[str] = ()) -> SaveItem:
        row = store.db.image(digest)
        if row is None:
            raise StoreError(f"image {digest} is not in the store")
        return cls(digest, row.media_type, store.blobs.size(digest), tuple(names))


def index_descriptors(items: Iterable[SaveItem]) -> list[Descriptor]:
    """index.json entries: one per name (or one unnamed), in the order given, without repeats."""
    out: list[Descriptor] = []
    for item in items:
        annotations: list[dict[str, str] | None] = []
        for name in item.names:
            ref = parse(name)
            annotations.append({IMAGE_NAME: str(ref), REF_NAME: ref.tag or "latest"})
        for ann in annotations or [None]:
            d = Descriptor(item.media_type, item.digest, item.size, annotations=ann)
            if d not in out:
                out.append(d)
    return out


def blobs_of(store: Store, items: Iterable[SaveItem]) -> list[tuple[str, int]]:
    """(digest, size) of every blob the images reach and the store has, sorted by digest."""
    found: dict[str, int] = {}
    for item in items:
        for node in store.walk(item.digest, item.media_type):
            if node.present:
                found[node.digest] = store.blobs.size(node.digest)
            elif node.role not in ("manifest", "index"):
                raise StoreError(f"image {item.digest} is incomplete: {node.role} {node.digest} is missing",
                                 hint="`pybuild fsck` checks the store")
    return sorted(found.items())


def index_json(descriptors: list[Descriptor]) -> bytes:
    return canonical_json(Index(manifests=tuple(descriptors)))


def save_oci_tar(store: Store, items: list[SaveItem], out: BinaryIO) -> None:
    """An OCI layout as a tar stream: blobs/sha256/*, index.json, oci-layout (in that order)."""
    w = ArchiveWriter(out)
    w.add_dir("blobs/sha256")
    for digest, size in blobs_of(store, items):
        with store.blobs.open(digest) as f:
            w.add_stream(f"blobs/sha256/{digest[7:]}", size, f)
    w.add_bytes("index.json", index_json(index_descriptors(items)))
    w.add_bytes("oci-layout", oci_layout_json())
    w.close()


def save_oci_dir(store: Store, items: list[SaveItem], dest: Path) -> None:
    """Write or add to an OCI layout directory; entries with the same name are replaced."""
    dest = Path(dest)
    blob_dir = dest / "blobs" / "sha256"
    blob_dir.mkdir(parents=True, exist_ok=True)
    layout = dest / "oci-layout"
    if layout.exists():
        try:
            version = json.loads(layout.read_bytes()).get("imageLayoutVersion")
        except (ValueError, AttributeError):
            version = None
        if version != "1.0.0":
            raise StoreError(f"{dest} is not an OCI image layout this pybuild can add to",
                             hint="give an empty or new directory")
    for digest, size in blobs_of(store, items):
        target = blob_dir / digest[7:]
        if target.exists() and target.stat().st_size == size:
            continue
        with store.blobs.open(digest) as src, atomic_output(target) as f:
            shutil.copyfileobj(src, f, 1 << 20)
    existing: list[Descriptor] = []
    if (dest / "index.json").exists():
        from ..oci.image import load_json

        old = Index.from_json(load_json((dest / "index.json").read_bytes(), "index.json"))
        existing = list(old.manifests)
    new = index_descriptors(items)
    new_names = {(d.annotations or {}).get(IMAGE_NAME) for d in new} - {None}
    kept = [d for d in existing if (d.annotations or {}).get(IMAGE_NAME) not in new_names and d not in new]
    with atomic_output(layout) as f:
        f.write(oci_layout_json())
    with atomic_output(dest / "index.json") as f:
        f.write(index_json(kept + new))
    fd = os.open(dest, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
