"""Lean `pybuild pull` and `pybuild push` for the cases that move no blob, before click loads.

- pull REF: the store already has the tag, the registry's manifest digest (one HEAD) equals
  it, and every blob is present — "Image is up to date".
- push IMAGE [DEST]: every blob is already in the destination repository (a HEAD each) or is
  mounted from another repository of the same registry that we know has it; then the manifest.

Only loopback registries over plain HTTP, anonymous or with basic auth from docker's config,
and no registries file (mirrors, insecure, CA settings are the full client's business). Any
other case, any surprise, and `Fallback`: nothing has been printed and the full command runs.
The full path (registry/pull.py, push.py, commands/registry.py) defines the semantics; this
one gives the same output and the same registry and store state, which tests/registry check.
Left out on purpose, since each write costs fsyncs: refreshing `refs.created` and
`blobs.last_used` (nothing reads them) and the `seen` time of mount hints already recorded.
"""
from __future__ import annotations

import json
import os
import sys

from ..oci import mediatypes as mt
from . import leanref
from .leanhttp import Client, Fallback, is_loopback
from .leanstore import LeanStore

MANIFEST_ACCEPT = ", ".join([mt.OCI_INDEX, mt.OCI_MANIFEST, mt.DOCKER_MANIFEST_LIST, mt.DOCKER_MANIFEST])
_FORMATS = ("text", "json")


def pull(args: list[str]) -> bool:
    """Answer `pybuild pull ARGS` when the image is already up to date; False when the full CLI must."""
    opts = _options(args, {"--format": _FORMATS}, 1)
    if opts is None or os.path.exists(_registries_file()):
        return False
    ref = leanref.parse(opts["args"][0])
    if ref is None or not is_loopback(ref.domain):
        return False
    client = Client(ref.domain)
    try:
        # Asked first, answered last: the registry looks the tag up while we read the store.
        client.send("HEAD", f"/v2/{ref.path}/manifests/{ref.tag}", {"Accept": MANIFEST_ACCEPT})
        store = LeanStore.open()
        if store is None:
            return False
        with store:
            return _pull(store, client, ref, opts)
    finally:
        client.close()


def _pull(store: LeanStore, client: Client, ref: leanref.Ref, opts: dict) -> bool:
    stored = store.one("SELECT digest FROM refs WHERE name = ?", (str(ref),))
    row_mt = stored and store.one("SELECT media_type FROM images WHERE digest = ?", (stored,))
    if not row_mt:
        return False
    status, hdrs = client.receive()
    if status != 200 or hdrs.get("docker-content-digest") != stored:
        return False
    doc = store.json_blob(stored)
    media_type = hdrs.get("content-type", "").split(";", 1)[0].strip()
    if not (mt.is_manifest(media_type) or mt.is_index(media_type)):
        media_type = doc.get("mediaType") or (mt.OCI_INDEX if "manifests" in doc else mt.OCI_MANIFEST)
    if not mt.is_manifest(media_type) or media_type != row_mt:
        return False  # an index picks a platform; a different type would change the image record
    descs = _descriptors(doc)
    if not all(store.has_blob(d) for d, _ in descs):
        return False
    layers = {x["digest"] for x in doc["layers"]}
    known = store.count(f"SELECT COUNT(*) FROM blobs WHERE diff_id IS NOT NULL AND digest IN "
                        f"({','.join('?' * len(layers))})", sorted(layers)) if layers else 0
    if known != len(layers):
        return False  # the full pull records the layers' diff IDs first
    store.remember(ref.domain, ref.path, [d for d, _ in descs])
    if opts["--format"] == "json":
        _emit([json.dumps({"name": str(ref), "digest": stored, "mediaType": media_type, "manifest": stored,
                           "downloaded": 0, "present": len(descs), "bytes": 0})])
    elif opts["quiet"]:
        _emit([str(ref)])
    else:
        _emit([f"{ref.tag}: Pulling from {ref.familiar_repository}",
               *(f"{_short(d)}: Already exists" for d, _ in descs),
               f"Digest: {stored}", f"Status: Image is up to date for {ref.familiar()}", str(ref)])
    return True


def push(args: list[str]) -> bool:
    """Answer `pybuild push ARGS` when no blob needs uploading; False when the full CLI must."""
    opts = _options(args, {"--format": _FORMATS, "--compression": ("gzip", "zstd", "none")}, 2)
    if opts is None or os.path.exists(_registries_file()):
        return False
    image, dest = (opts["args"] + [None])[:2]
    src = leanref.parse(image)
    ref = leanref.parse(dest or image)
    if src is None or ref is None or not is_loopback(ref.domain):
        return False
    store = LeanStore.open()
    if store is None:
        return False
    with store:
        return _push(store, src, ref, opts)


def _push(store: LeanStore, src: leanref.Ref, ref: leanref.Ref, opts: dict) -> bool:
    digest = store.one("SELECT digest FROM refs WHERE name = ?", (str(src),))
    row_mt = digest and store.one("SELECT media_type FROM images WHERE digest = ?", (digest,))
    if not row_mt:
        return False
    compression = opts["--compression"] or "gzip"
    touch = None
    if compression != "none" and mt.is_manifest(row_mt):
        digest, touch = _compressed(store, digest, compression)
    doc = store.json_blob(digest)
    media_type = doc.get("mediaType") or store.one("SELECT media_type FROM images WHERE digest = ?", (digest,)) \
        or (mt.OCI_INDEX if "manifests" in doc else mt.OCI_MANIFEST)
    if not mt.is_manifest(media_type):
        return False  # an index pushes its manifests first
    descs = list(dict.fromkeys(_descriptors(doc, sizes=True)))
    sizes = {d: store.blob_size(d) for d, _ in descs}
    descs.sort(key=lambda d: -sizes[d[0]])  # largest first, as the full push starts them
    client = Client(ref.domain)
    try:
        lines = _blobs_in_place(store, client, ref, descs)
        counts = {"exists": 0, "mounted": 0, "uploaded": 0}
        for _, how in lines:
            counts[how] += 1
        store.remember(ref.domain, ref.path, [d for d, _ in descs])
        data = store.blob_bytes(digest)
        status, hdrs = client.request("PUT", f"/v2/{ref.path}/manifests/{ref.tag}", {"Content-Type": media_type},
                                      data)
        if status not in (200, 201) or hdrs.get("docker-content-digest", digest) != digest:
            raise Fallback(f"manifest PUT answered {status}")
    finally:
        client.close()
    if touch is not None:
        store.touch_cache(touch)
    if opts["--format"] == "json":
        _emit([json.dumps({"name": str(ref), "digest": digest, **counts, "bytes": 0})])
    elif not opts["quiet"]:
        word = {"exists": "Layer already exists", "mounted": "Mounted"}
        _emit([f"The push refers to repository [{ref.repository}]",
               *(f"{_short(d)}: {word[how]}" for d, how in lines),
               f"{ref.tag}: digest: {digest} size: {len(data)}"])
    return True


def _compressed(store: LeanStore, digest: str, compression: str) -> tuple[str, str | None]:
    """exporters/recompress.with_compression without writing: the remembered compressed manifest,
    or the image itself when its layers already have that compression; else Fallback."""
    key = f"recompress:{digest}:{compression}"
    value = store.one("SELECT value FROM cache WHERE key = ?", (key,))
    if value is not None:
        made = json.loads(value).get("manifest", "")
        if isinstance(made, str) and made and store.has_blob(made):
            return made, key
    doc = store.json_blob(digest)
    if "layers" not in doc:
        return digest, None
    for layer in doc["layers"]:
        kind = layer.get("mediaType", "")
        if mt.is_layer(kind) and mt.compression_of(kind) != compression:
            raise Fallback("layers need compressing")
    return digest, None


def _blobs_in_place(store: LeanStore, client: Client, ref: leanref.Ref,
                    descs: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """Make sure each blob is in the repository without uploading: (digest, "exists" | "mounted").
    Every blob is checked, and every missing one has a mount source, before the first mount."""
    heads = client.request_all([("HEAD", f"/v2/{ref.path}/blobs/{d}") for d, _ in descs])
    how = {}
    missing = []
    for (d, _), (status, _h) in zip(descs, heads):
        if status == 200:
            how[d] = "exists"
        elif status == 404:
            missing.append(d)
        else:
            raise Fallback(f"HEAD blob answered {status}")
    sources = {d: store.mount_sources(ref.domain, d, ref.path) for d in missing}
    tried = {d: 0 for d in missing}
    while missing:
        if any(tried[d] >= len(sources[d]) for d in missing):
            raise Fallback("a blob must be uploaded")
        mounts = client.request_all([("POST", f"/v2/{ref.path}/blobs/uploads/?mount={d.replace(':', '%3A')}"
                                              f"&from={sources[d][tried[d]].replace('/', '%2F')}") for d in missing])
        opened = [hdrs.get("location", "") for status, hdrs in mounts if status == 202]
        if opened:  # not mountable: the registry opened uploads instead; give them back, the full push uploads
            for location in opened:
                location = location.removeprefix(f"http://{ref.domain}")
                if location.startswith("/"):
                    client.request("DELETE", location)
            raise Fallback("a mount was refused")
        for d, (status, _h) in zip(missing, mounts):
            tried[d] += 1
            if status == 201:
                how[d] = "mounted"
        missing = [d for d in missing if d not in how]
    return [(d, how[d]) for d, _ in descs]


def _descriptors(doc: dict, *, sizes: bool = False) -> list[tuple[str, int]]:
    """(digest, size) of the config and layers, each once for a pull (as pull._blobs_of) or each
    distinct pair for a push (as push.push_blobs); Fallback on anything the full path would refuse."""
    config, layers = doc.get("config"), doc.get("layers")
    if not isinstance(config, dict) or not isinstance(layers, list):
        raise Fallback("no config or layers")
    out: list[tuple[str, int]] = []
    for d in [config, *layers]:
        if not isinstance(d, dict) or d.get("urls") or not leanref.is_digest(d.get("digest")):
            raise Fallback("a descriptor the lean path does not handle")
        size = d.get("size", -1)
        if not isinstance(size, int):
            raise Fallback("a descriptor without an integer size")
        if sizes or d["digest"] not in [e[0] for e in out]:
            out.append((d["digest"], size))
    return out


def _registries_file() -> str:
    """As registry/config.py's config_path (when PYBUILD_CONFIG names a missing file, the full path says so)."""
    env = os.environ.get("PYBUILD_CONFIG")
    if env:
        return env
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "pybuild", "registries.toml")


def _options(args: list[str], choices: dict[str, tuple[str, ...]], max_args: int) -> dict | None:
    """-q/--quiet, the options in `choices` (with an allowed value) and 1..max_args arguments; None otherwise."""
    from ..leanargs import scan

    scanned = scan(args, {"-q": "quiet", "--quiet": "quiet"}, {name: name for name in choices})
    if scanned is None:
        return None
    given, values, positional = scanned
    out: dict = {"quiet": "quiet" in given, "args": positional, **dict.fromkeys(choices)}
    for name, found in values.items():
        if any(v not in choices[name] for v in found):
            return None
        out[name] = found[-1]
    return out if 1 <= len(positional) <= max_args else None


def _emit(lines: list[str]) -> None:
    sys.stdout.write("".join(line + "\n" for line in lines))
    sys.stdout.flush()


def _short(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]
