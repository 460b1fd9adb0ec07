"""`pull_image`: resolve a reference on its registry and bring the image into the store.

Tag → digest (HEAD, so an image we already have costs one small request), index → the platform's
manifest, then the config and layers we lack, several at a time, each verified before it becomes
visible. The image is recorded only when every blob it needs is in the store.
"""
from __future__ import annotations

import json
from collections.abc import Callable

from ..oci import mediatypes as mt
from ..records import dataclass
from ..store import Store, StoreError
from ..store.blobs import check_digest
from ..store.platforms import PlatformSpec, host_platform, parse_platform, select
from ..store.reference import Reference
from . import blobs
from .client import Registry
from .errors import AuthError, NotFound, RegistryError, Unreachable
from .known import KnownBlobs
from .parallel import run_all
from .references import parse_remote, pull_sources, target

Report = Callable[[str], None]


@dataclass(frozen=True)
class Pulled:
    digest: str          # what the reference resolved to (an index or a manifest)
    media_type: str
    manifest_digest: str  # the platform's manifest
    downloaded: int      # blobs fetched
    present: int         # blobs already in the store
    bytes: int


def pull_image(store: Store, ref: str, *, platform: str | None = None) -> str:
    """Pull `ref` into the store and name it `ref` (unless pulled by digest); returns the digest it resolved to."""
    return pull(store, ref, platform=platform).digest


def pull(store: Store, ref: str, *, platform: str | None = None, report: Report | None = None) -> Pulled:
    r = parse_remote(ref)
    want = parse_platform(platform) if platform else host_platform()
    sources = pull_sources(r)
    for i, reg in enumerate(sources):
        try:
            return _pull_from(store, reg, r, want, report)
        except RegistryError as err:
            if i + 1 == len(sources):
                raise
            if report is not None:
                report(f"mirror {reg.host} failed ({err.message}); trying the next source")
    raise AssertionError("unreachable")


def _pull_from(store: Store, reg: Registry, r: Reference, want: PlatformSpec, report: Report | None) -> Pulled:
    repo = r.path
    with store.writing():
        top_digest, top_mt, top = manifest(store, reg, repo, target(r))
        digest, media_type, doc = top_digest, top_mt, top
        if mt.is_index(top_mt):
            entries = [d for d in top.get("manifests", []) if isinstance(d, dict) and isinstance(d.get("digest"), str)]
            chosen = select(entries, want)
            if chosen is None:
                have = sorted({_platform_name(d) for d in entries if isinstance(d.get("platform"), dict)})
                raise NotFound(f"{r.familiar()}: no manifest for platform {want} in the image index",
                               hint="platforms in the image: " + (", ".join(have) or "none"))
            digest, media_type, doc = manifest(store, reg, repo, chosen["digest"])
            if mt.is_index(media_type):
                raise RegistryError(f"{r.familiar()}: nested image indexes are not supported")
        if not mt.is_manifest(media_type):
            raise RegistryError(f"{r.familiar()} is a {media_type or 'document of unknown type'}, not an image",
                                hint="pybuild pulls OCI and Docker schema 2 images")
        descs = _blobs_of(doc, digest)
        todo = [d for d in descs if not store.blobs.has(d[0])]
        if report is not None:
            report(f"{r.tag or r.digest}: Pulling from {r.familiar_repository}")
            for d in descs:
                if d not in todo:
                    report(f"{_short(d[0])}: Already exists")
        fetch_all(reg, repo, store, todo, report)
        _record_layers(store, doc)
        known = KnownBlobs(store.root)
        try:
            known.add(reg.host, repo, [d[0] for d in descs])
        finally:
            known.close()
        names = [] if r.digest else [str(r)]
        store.add_image(top_digest, names=names, media_type=top_mt)
    return Pulled(top_digest, top_mt, digest, len(todo), len(descs) - len(todo), sum(max(d[1], 0) for d in todo))


def manifest(store: Store, reg: Registry, repo: str, reference: str) -> tuple[str, str, dict]:
    """(digest, media type, parsed JSON) of a manifest or index, stored; the store's copy when it has one."""
    known = reference if reference.startswith("sha256:") else None
    media_type = ""
    if known is None:
        try:
            head = reg.head_manifest(repo, reference)
        except (AuthError, NotFound, Unreachable):
            raise
        except RegistryError:
            head = (None, "", -1)  # some registries refuse HEAD on manifests: ask with GET below
        if head is None:
            raise NotFound(f"{reg.domain}/{repo}:{reference}: not found",
                           hint="check the name and tag; `skopeo list-tags` shows a repository's tags")
        known, media_type = head[0], head[1]
    if known and known.startswith("sha256:") and store.blobs.has(known):
        data = store.blobs.read_bytes(known)
        digest = known
    else:
        data, media_type, digest = reg.get_manifest(repo, reference)
        store.blobs.put_bytes(data, expected=digest)
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise RegistryError(f"manifest {digest} of {reg.domain}/{repo} is not JSON") from None
    if not isinstance(doc, dict):
        raise RegistryError(f"manifest {digest} of {reg.domain}/{repo} is not a JSON object")
    if not (mt.is_manifest(media_type) or mt.is_index(media_type)):
        media_type = doc.get("mediaType") or (mt.OCI_INDEX if "manifests" in doc else mt.OCI_MANIFEST)
    return digest, media_type, doc


def _blobs_of(doc: dict, digest: str) -> list[tuple[str, int, str]]:
    """(digest, size, media type) of a manifest's config and layers, each once."""
    out: list[tuple[str, int, str]] = []
    config = doc.get("config")
    layers = doc.get("layers")
    if not isinstance(config, dict) or not isinstance(layers, list):
        raise RegistryError(f"manifest {digest} has no config or no layers list")
    for d in [config, *layers]:
        if not isinstance(d, dict):
            raise RegistryError(f"manifest {digest}: a descriptor is not an object")
        if d.get("urls") and mt.is_layer(d.get("mediaType")) and "foreign" in str(d.get("mediaType")):
            raise RegistryError(f"manifest {digest} has a foreign layer ({d.get('digest')}), "
                                "which pybuild does not fetch")
        dg = d.get("digest")
        if isinstance(dg, str) and not dg.startswith("sha256:"):
            raise RegistryError(f"manifest {digest}: digest algorithm of {dg} is not supported (only sha256)")
        check_digest(dg)  # type: ignore[arg-type]
        size = d.get("size")
        entry = (dg, size if isinstance(size, int) else -1, str(d.get("mediaType", "")))
        if entry[0] not in [e[0] for e in out]:
            out.append(entry)  # type: ignore[arg-type]
    return out


def fetch_all(reg: Registry, repo: str, store: Store, todo: list[tuple[str, int, str]],
              report: Report | None = None) -> None:
    """Download blobs in parallel (a few at a time); the first failure is raised after the rest stop."""

    def one(d: tuple[str, int, str]) -> None:
        blobs.download(reg, repo, d[0], d[1], store)
        if report is not None:
            report(f"{_short(d[0])}: Pull complete")

    run_all(one, sorted(todo, key=lambda d: -d[1]))  # largest first: the last to finish is a small one


def _record_layers(store: Store, doc: dict) -> None:
    """Remember each layer's diff ID, which the config lists in the same order."""
    try:
        config = store.read_json(doc["config"]["digest"])
        diff_ids = config["rootfs"]["diff_ids"]
    except (KeyError, TypeError, StoreError):
        return  # a config we cannot read is fsck's business, not the pull's
    for layer, diff_id in zip(doc.get("layers") or [], diff_ids):
        if isinstance(layer, dict) and isinstance(diff_id, str) and store.db.layer_info(layer["digest"])[0] is None:
            store.db.set_layer_info(layer["digest"], diff_id, None)


def _platform_name(d: dict) -> str:
    p = d["platform"]
    return "/".join(str(x) for x in (p.get("os"), p.get("architecture"), p.get("variant")) if x)


def _short(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]
