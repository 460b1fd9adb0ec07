"""Read an OCI image layout or a docker-archive (tar, maybe compressed, or a directory) into the store.

Blobs stream straight into the store (verified against their names when they are named by digest),
so an archive of any size is read once and never held in memory; the small metadata files are
interpreted at the end, because a tar may put them anywhere.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from ..oci import mediatypes as mt
from ..oci.compress import LayerReader, detect_compression
from ..oci.image import Descriptor, Manifest, canonical_json
from ..records import dataclass
from ..store import Store
from ..store.errors import InvalidInput, StoreError
from ..store.fsck import check_image
from ..store.reference import parse
from .oci_layout import IMAGE_NAME, REF_NAME

_SMALL = {"index.json", "oci-layout", "manifest.json", "repositories"}
_SMALL_LIMIT = 16 << 20
_BLOB = re.compile(r"blobs/([a-z0-9]+)/([0-9a-f]+)")
_LEGACY_META = re.compile(r"[0-9a-f]{64}/(json|VERSION)")


@dataclass(frozen=True)
class Loaded:
    digest: str
    image_id: str
    names: tuple[str, ...]  # full references


@dataclass
class _Entry:
    name: str
    stream: BinaryIO | None = None  # a regular file
    target: str | None = None       # a link, as a path inside the archive


def _clean(name: str) -> str:
    name = posixpath.normpath("/" + name.replace("\\", "/")).lstrip("/")
    return "" if name == "." else name


def _tar_entries(src: BinaryIO) -> Iterator[_Entry]:
    reader = LayerReader(src, what="archive")
    try:
        try:
            tar = tarfile.open(fileobj=reader, mode="r|")  # type: ignore[call-overload]
            for ti in tar:
                name = _clean(ti.name)
                if ti.issym():
                    yield _Entry(name, target=_clean(posixpath.join(posixpath.dirname(name), ti.linkname)))
                elif ti.islnk():
                    yield _Entry(name, target=_clean(ti.linkname))
                elif ti.isreg():
                    yield _Entry(name, stream=tar.extractfile(ti))
        except tarfile.TarError as err:
            raise InvalidInput(f"the input is not a readable tar archive: {err}",
                               hint="give an OCI layout or docker-archive tar (or a directory)") from None
    finally:
        reader.close()


def _dir_entries(root: Path) -> Iterator[_Entry]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            path = os.path.join(dirpath, fn)
            name = _clean(os.path.relpath(path, root))
            if os.path.islink(path):
                yield _Entry(name, target=_clean(posixpath.join(posixpath.dirname(name), os.readlink(path))))
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    yield _Entry(name, stream=f)


class _Archive:
    """What was read: blob digests by path, links, and the small metadata files."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.small: dict[str, bytes] = {}

    def resolve(self, path: str) -> str | None:
        path = _clean(path)
        for _ in range(16):
            if path in self.files:
                return self.files[path]
            if path not in self.links:
                return None
            path = self.links[path]
        return None

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.small[name])
        except (ValueError, UnicodeDecodeError) as err:
            raise InvalidInput(f"{name} in the archive is not valid JSON: {err}") from None


def _ingest(store: Store, entries: Iterator[_Entry]) -> _Archive:
    arc = _Archive()
    for e in entries:
        if e.target is not None:
            arc.links[e.name] = e.target
            continue
        assert e.stream is not None
        if e.name in _SMALL:
            data = e.stream.read(_SMALL_LIMIT + 1)
            if len(data) > _SMALL_LIMIT:
                raise InvalidInput(f"{e.name} in the archive is larger than {_SMALL_LIMIT} bytes")
            arc.small[e.name] = data
        elif _LEGACY_META.fullmatch(e.name):
            continue  # docker's per-layer v1 metadata: nothing we need
        elif m := _BLOB.fullmatch(e.name):
            if m.group(1) != "sha256" or len(m.group(2)) != 64:
                raise InvalidInput(f"{e.name}: only sha256 blobs are supported")
            arc.files[e.name] = store.blobs.put_file(e.stream, expected=f"sha256:{m.group(2)}")[0]
        else:
            arc.files[e.name] = store.blobs.put_file(e.stream)[0]
    return arc


def _names_from_annotations(ann: dict[str, str] | None) -> list[str]:
    ann = ann or {}
    full = ann.get(IMAGE_NAME)
    ref_name = ann.get(REF_NAME)
    # A bare tag ("latest") names no repository; only a full reference can become an image name.
    for candidate in (full, ref_name if ref_name and ("/" in ref_name or ":" in ref_name) else None):
        if candidate:
            try:
                ref = parse(candidate)
            except InvalidInput:
                continue
            if not ref.digest:
                return [str(ref)]
    return []


def _check(store: Store, digest: str, media_type: str) -> None:
    problems = check_image(store, digest, media_type, set())
    if problems:
        p = problems[0]
        raise StoreError(f"the archive's image {digest} is not valid: {p.kind} {p.subject}: {p.message}")


def _from_oci(store: Store, arc: _Archive) -> list[Loaded]:
    index = arc.json("index.json")
    manifests = index.get("manifests") if isinstance(index, dict) else None
    if not isinstance(manifests, list):
        raise InvalidInput("index.json in the archive has no manifests list")
    by_digest: dict[str, tuple[str, list[str]]] = {}
    for i, raw in enumerate(manifests):
        d = Descriptor.from_json(raw, f"index.json: manifests[{i}]")
        entry = by_digest.setdefault(d.digest, (d.media_type, []))
        entry[1].extend(n for n in _names_from_annotations(dict(d.annotations or {})) if n not in entry[1])
    out = []
    for digest, (media_type, names) in by_digest.items():
        _check(store, digest, media_type)
        row = store.add_image(digest, names, media_type)
        out.append(Loaded(digest, row.image_id, tuple(names)))
    return out


def _layer_media_type(store: Store, digest: str) -> str:
    with store.blobs.open(digest) as f:
        kind = detect_compression(f.read(6))
    if kind not in ("none", "gzip", "zstd"):
        raise InvalidInput(f"layer {digest} is {kind}-compressed; OCI images carry gzip, zstd or plain layers")
    return mt.layer_media_type(kind)


def _from_docker(store: Store, arc: _Archive) -> list[Loaded]:
    entries = arc.json("manifest.json")
    if not isinstance(entries, list):
        raise InvalidInput("manifest.json in the archive is not a list")
    out = []
    for i, entry in enumerate(entries):
        where = f"manifest.json[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("Config"), str) \
                or not isinstance(entry.get("Layers"), list):
            raise InvalidInput(f"{where}: needs Config and Layers")
        cfg = arc.resolve(entry["Config"])
        if cfg is None:
            raise InvalidInput(f"{where}: config {entry['Config']} is not in the archive")
        config = json.loads(store.blobs.read_bytes(cfg))
        diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
        if len(diff_ids) != len(entry["Layers"]):
            raise InvalidInput(f"{where}: {len(entry['Layers'])} layers but the config lists {len(diff_ids)} diff_ids")
        layers = []
        for path, diff_id in zip(entry["Layers"], diff_ids):
            digest = arc.resolve(str(path))
            if digest is None:
                raise InvalidInput(f"{where}: layer {path} is not in the archive")
            media_type = _layer_media_type(store, digest)
            if media_type == mt.OCI_LAYER and digest != diff_id:
                raise InvalidInput(f"{where}: layer {path} has digest {digest}, the config says {diff_id}")
            layers.append(Descriptor(media_type, digest, store.blobs.size(digest)))
        names = [str(parse(t)) for t in entry.get("RepoTags") or [] if isinstance(t, str)]
        # The same config already stored (e.g. saved from here): keep that manifest, as docker keeps the ID.
        same = [r for r in store.db.images() if r.image_id == cfg and r.media_type in (mt.OCI_MANIFEST, mt.DOCKER_MANIFEST)]
        if same:
            digest = same[0].digest
        else:
            manifest = Manifest(config=Descriptor(mt.OCI_CONFIG, cfg, store.blobs.size(cfg)), layers=tuple(layers))
            digest = store.blobs.put_bytes(canonical_json(manifest))
        _check(store, digest, mt.OCI_MANIFEST)
        row = store.add_image(digest, names)
        out.append(Loaded(digest, row.image_id, tuple(names)))
    return out


def load_archive(store: Store, source: BinaryIO | Path) -> list[Loaded]:
    """Load every image of an OCI layout or docker-archive; returns them in archive order."""
    with store.writing():
        entries = _dir_entries(source) if isinstance(source, Path) else _tar_entries(source)
        arc = _ingest(store, entries)
        if "index.json" in arc.small and "oci-layout" in arc.small:
            return _from_oci(store, arc)
        if "manifest.json" in arc.small:
            return _from_docker(store, arc)
        raise InvalidInput("the input is neither an OCI image layout nor a docker archive "
                           "(no index.json + oci-layout, no manifest.json)",
                           hint="`pybuild save`, `docker save` and `skopeo copy` write archives pybuild loads")
