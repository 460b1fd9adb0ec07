"""Remote build cache: step results shared between machines through a registry or an OCI layout.

The cache is an OCI artifact: an image manifest whose config (media type CONFIG_TYPE) holds the
cache records, keyed by step cache key, and whose layers are the layer blobs those records name,
so registries keep the blobs alive and serve them like any layer. With `cache-mounts=true` the
contents of `RUN --mount=type=cache` directories ride along as extra layers (annotated).

    import_cache(store, "type=registry,ref=reg/app:cache")  -> RemoteCache (records + fetch)
    export_cache(store, "type=local,dest=dir,mode=max", records, final_layers=[...])
"""
from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from ..oci import mediatypes as mt
from ..oci.image import canonical_json
from ..store import Store
from ..store.errors import InvalidInput, StoreError
from . import cachelayout, cachemounts
from .cachespec import CacheSpec, parse_spec
from .errors import BadInput, NotFound, RegistryError

CONFIG_TYPE = "application/vnd.pybuild.cache.config.v1+json"
FORMAT_VERSION = 1
_KEY = re.compile(r"sha256:[0-9a-f]{64}")


class RemoteCache:
    """Records imported from one `--cache-from` source, and a way to fetch the layers they name."""

    def __init__(self, records: dict[str, dict], fetcher: Callable[[str], bool] | None = None,
                 source: str = "") -> None:
        self.records = records
        self._fetcher = fetcher
        self.source = source

    def fetch(self, digest: str) -> bool:
        """Download a layer blob into the store; False when this source cannot provide it."""
        if self._fetcher is None:
            return False
        try:
            return self._fetcher(digest)
        except (RegistryError, StoreError) as err:
            warn(f"cache {self.source}: cannot fetch {digest}: {err.message}")
            return False


def warn(message: str) -> None:
    sys.stderr.write(f"WARNING: {message}\n")
    sys.stderr.flush()


# ---- the artifact ------------------------------------------------------------------------------

def select_records(records: dict[str, dict], mode: str, final_layers: list[str]) -> dict[str, dict]:
    """mode=max: every record; mode=min: records whose layer is in the final image, or that have none."""
    if mode == "max":
        return dict(records)
    final = set(final_layers)
    return {k: v for k, v in records.items() if v.get("layer") is None or v["layer"].get("digest") in final}


def build_artifact(records: dict[str, dict], mounts: list[dict],
                   packed: dict[str, dict] | None = None) -> tuple[bytes, bytes, list[dict]]:
    """(config bytes, manifest bytes, layer descriptors) of a cache artifact. Pure and deterministic.

    `packed` maps a record's layer digest to the compressed blob that carries it (the store keeps
    built layers uncompressed; the wire and the registry get them gzipped).
    """
    packed = packed or {}
    layers: dict[str, dict] = {}
    for rec in records.values():
        layer = rec.get("layer")
        if layer is None:
            continue
        d = packed.get(layer["digest"]) or {"mediaType": layer.get("mediaType") or mt.OCI_LAYER_GZIP,
                                            "digest": layer["digest"], "size": int(layer["size"])}
        layers[d["digest"]] = d
    used = {k: v for k, v in sorted(packed.items()) if v["digest"] in layers}
    config = {"version": FORMAT_VERSION, "records": records, "packed": used,
              "mounts": [{"name": m["annotations"][cachemounts.ANNOTATION], "digest": m["digest"],
                          "size": m["size"]} for m in mounts]}
    # Keys sorted at every level: the same records give the same bytes, whatever order they came in.
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    descs = [layers[d] for d in sorted(layers)] + mounts
    manifest = {
        "schemaVersion": 2, "mediaType": mt.OCI_MANIFEST,
        "config": {"mediaType": CONFIG_TYPE, "digest": _digest(config_bytes), "size": len(config_bytes)},
        "layers": descs,
    }
    return config_bytes, canonical_json(manifest), descs


def parse_config(data: bytes, source: str) -> tuple[dict[str, dict], list[dict], dict[str, dict]]:
    """Records, cache-mount entries and packed layers from a cache config blob; malformed entries are dropped."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise RegistryError(f"cache {source}: the config is not JSON") from None
    if not isinstance(doc, dict) or doc.get("version") != FORMAT_VERSION:
        raise RegistryError(f"cache {source}: unknown cache format version {doc.get('version')!r}"
                            if isinstance(doc, dict) else f"cache {source}: the config is not an object")
    records = {}
    for key, rec in (doc.get("records") or {}).items():
        if _KEY.fullmatch(key) and _valid_record(rec):
            records[key] = rec
    mounts = [m for m in doc.get("mounts") or [] if isinstance(m, dict) and isinstance(m.get("name"), str)
              and isinstance(m.get("digest"), str)]
    packed = {k: v for k, v in (doc.get("packed") or {}).items()
              if _KEY.fullmatch(k) and isinstance(v, dict) and isinstance(v.get("digest"), str)
              and _KEY.fullmatch(v["digest"]) and isinstance(v.get("size"), int)}
    return records, mounts, packed


def _valid_record(rec: object) -> bool:
    if not isinstance(rec, dict) or not isinstance(rec.get("pins", []), list):
        return False
    layer = rec.get("layer")
    if layer is None:
        return True
    return (isinstance(layer, dict) and isinstance(layer.get("digest"), str) and _KEY.fullmatch(layer["digest"])
            is not None and isinstance(layer.get("diff_id"), str) and isinstance(layer.get("size"), int))


def _digest(data: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(data).hexdigest()


# ---- compressed transport of uncompressed layers ------------------------------------------------

def pack(store: Store, digest: str) -> dict:
    """The gzip blob carrying an uncompressed layer, made once and remembered in the store."""
    from ..exporters.recompress import recompress_blob

    key = f"cache-pack:{digest}:gzip"
    rec = store.db.cache_get(key)
    if rec is not None and store.blobs.has(rec.value.get("digest", "")):
        return {"mediaType": mt.OCI_LAYER_GZIP, "digest": rec.value["digest"], "size": rec.value["size"]}
    packed, size = recompress_blob(store, digest, "gzip")
    store.db.cache_put(key, {"digest": packed, "size": size, "pins": [packed]}, size=size)
    return {"mediaType": mt.OCI_LAYER_GZIP, "digest": packed, "size": size}


def unpack(store: Store, packed: str, digest: str) -> None:
    """Decompress a carried layer into the store as the uncompressed blob `digest` (verified)."""
    from ..oci.compress import LayerReader

    if store.blobs.has(digest):
        return
    with store.blobs.open(packed) as src, store.blobs.writer(expected=digest) as w:
        reader = LayerReader(src, digest=False)
        try:
            while chunk := reader.read(1 << 20):
                w.write(chunk)
        finally:
            reader.close()
        w.commit()


# ---- import ------------------------------------------------------------------------------------

def import_cache(store: Store, spec: str) -> RemoteCache:
    """Read a `--cache-from` source; a missing or unreachable cache gives a warning and no records."""
    s = parse_spec(spec, export=False)
    where = s.ref or s.path or ""
    try:
        if s.type == "registry":
            return _import_registry(store, s)
        return _import_local(store, s)
    except NotFound:
        warn(f"cache {where}: not found; building without it")
    except (RegistryError, StoreError) as err:
        if isinstance(err, (BadInput, InvalidInput)):
            raise
        warn(f"cache {where}: {err.message}; building without it")
    return RemoteCache({}, None, where)


def _import_registry(store: Store, s: CacheSpec) -> RemoteCache:
    from . import blobs
    from .client import Registry
    from .pull import manifest
    from .references import parse_remote, target

    r = parse_remote(s.ref or "")
    reg = Registry(r.domain)
    with store.writing():
        _, _, doc = manifest(store, reg, r.path, target(r))
        config = doc.get("config") or {}
        if config.get("mediaType") != CONFIG_TYPE:
            raise RegistryError(f"{s.ref} is not a pybuild cache (config type {config.get('mediaType')!r})")
        blobs.download(reg, r.path, config["digest"], int(config.get("size", -1)), store)
    records, mounts, packed = parse_config(store.blobs.read_bytes(config["digest"]), s.ref or "")
    sizes = {d["digest"]: int(d.get("size", -1)) for d in doc.get("layers") or [] if isinstance(d, dict)}

    def fetch(digest: str) -> bool:
        carrier = packed.get(digest, {}).get("digest", digest)
        if carrier not in sizes:
            return False
        with store.writing():
            if not store.blobs.has(carrier):
                blobs.download(reg, r.path, carrier, sizes[carrier], store)
            if carrier != digest:
                unpack(store, carrier, digest)
        return True

    if s.cache_mounts:
        for m in mounts:
            if cachemounts.is_wanted(store, m["name"]) and fetch(m["digest"]):
                with store.blobs.open(m["digest"]) as f:
                    cachemounts.import_mount(store, m["name"], f)
    return RemoteCache(records, fetch, s.ref or "")


def _import_local(store: Store, s: CacheSpec) -> RemoteCache:
    layout = Path(s.path or "")
    if not (layout / "index.json").is_file():
        raise NotFound(f"{layout} is not an OCI layout")
    digest = cachelayout.find_manifest(layout, s.tag)
    if digest is None:
        raise NotFound(f"{layout} has no cache named {s.tag!r}")
    doc = json.loads(cachelayout.read_blob(layout, digest))
    config = doc.get("config") or {}
    if config.get("mediaType") != CONFIG_TYPE:
        raise RegistryError(f"{layout}:{s.tag} is not a pybuild cache")
    records, mounts, packed = parse_config(cachelayout.read_blob(layout, config["digest"]), str(layout))

    def fetch(d: str) -> bool:
        carrier = packed.get(d, {}).get("digest", d)
        if not store.blobs.has(carrier) and not cachelayout.import_blob(store, layout, carrier):
            return False
        if carrier != d:
            with store.writing():
                unpack(store, carrier, d)
        return True

    if s.cache_mounts:
        for m in mounts:
            if cachemounts.is_wanted(store, m["name"]):
                try:
                    f = open(cachelayout.blob_path(layout, m["digest"]), "rb")
                except FileNotFoundError:
                    continue
                with f:
                    cachemounts.import_mount(store, m["name"], f)
    return RemoteCache(records, fetch, str(layout))


# ---- export ------------------------------------------------------------------------------------

def export_cache(store: Store, spec: str, records: dict[str, dict], *, final_layers: list[str],
                 cache_mounts: list[str] | None = None) -> None:
    """Write a `--cache-to` destination. `cache_mounts` limits which mounts go (default: all of the store's)."""
    s = parse_spec(spec, export=True)
    try:
        _export(store, s, records, final_layers, cache_mounts)
    except (RegistryError, StoreError) as err:
        if s.ignore_error and not isinstance(err, (BadInput, InvalidInput)):
            warn(f"cache export to {s.ref or s.path}: {err.message} (ignored)")
            return
        raise


def _export(store: Store, s: CacheSpec, records: dict[str, dict], final_layers: list[str],
            cache_mounts: list[str] | None) -> None:
    chosen = select_records(records, s.mode, final_layers)
    with store.writing():
        missing = [k for k, v in chosen.items() if v.get("layer") and not store.blobs.has(v["layer"]["digest"])]
        for k in missing:  # a record whose layer was never fetched here cannot be shared from here
            del chosen[k]
        mounts = cachemounts.export_mounts(store, cache_mounts) if s.cache_mounts else []
        packed = {}
        for rec in chosen.values():
            layer = rec.get("layer")
            if layer and mt.is_layer(layer.get("mediaType")) and mt.compression_of(layer["mediaType"]) == "none":
                packed[layer["digest"]] = pack(store, layer["digest"])
        config_bytes, manifest_bytes, layers = build_artifact(chosen, mounts, packed)
        config_digest = store.blobs.put_bytes(config_bytes)
        descs = [(config_digest, len(config_bytes))] + [(d["digest"], d["size"]) for d in layers]
        if s.type == "registry":
            _export_registry(store, s, descs, manifest_bytes)
        else:
            layout = Path(s.path or "")
            for d, _ in descs:
                cachelayout.copy_blob_out(store, layout, d)
            cachelayout.write_layout(layout, manifest_bytes, _digest(manifest_bytes), s.tag)


def _export_registry(store: Store, s: CacheSpec, descs: list[tuple[str, int]], manifest_bytes: bytes) -> None:
    from .client import Registry
    from .known import KnownBlobs
    from .push import Pushed, push_blobs
    from .references import parse_remote, target

    r = parse_remote(s.ref or "")
    if r.digest:
        raise BadInput(f"--cache-to ref={s.ref}: give a tag, not a digest")
    reg = Registry(r.domain)
    known = KnownBlobs(store.root)
    try:
        push_blobs(store, reg, r.path, descs, known, Pushed())
    finally:
        known.close()
    reg.put_manifest(r.path, target(r), manifest_bytes, mt.OCI_MANIFEST)
