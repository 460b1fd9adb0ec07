"""`build()`: Dockerfile + context + options → an image in the store (and any other outputs)."""
from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path

from ..errors import PybuildError
from ..frontend.args import Platform, host_platform
from ..records import dataclass
from ..store import Store
from .progress import Progress


class BuildOptionError(PybuildError):
    """A build flag with a bad value."""


@dataclass
class Output:
    type: str  # image, oci, docker, local, tar
    dest: str | None = None
    name: str | None = None
    push: bool = False
    compression: str | None = None  # of exported or pushed layers (default gzip)


@dataclass
class BuildRequest:
    context: str | None  # a directory, or None for `-` (Dockerfile on stdin, no context)
    dockerfile: str | None = None  # path; None: CONTEXT/Dockerfile; "-": stdin text in dockerfile_text
    dockerfile_text: str | None = None
    tags: list[str] = field(default_factory=list)
    build_args: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    no_cache: bool = False
    no_cache_filter: list[str] = field(default_factory=list)
    pull: bool = False
    platform: str | None = None
    outputs: list[Output] = field(default_factory=list)
    secrets: dict[str, bytes] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    executor: str = "auto"
    network: str = "default"
    compression: str = "gzip"  # of exported and pushed layers; the local store keeps them uncompressed
    cache_from: list[str] = field(default_factory=list)  # type=registry,ref=... / type=local,src=...
    cache_to: list[str] = field(default_factory=list)  # type=registry,ref=...,mode=min|max / type=local,dest=...
    push: bool = False


@dataclass
class BuildResult:
    manifest_digest: str
    config_digest: str
    image_id: str
    tags: list[str]
    steps: int
    cached: int
    seconds: float
    outputs: list[str]


def _epoch(args: Mapping[str, str]) -> int | None:
    value = args.get("SOURCE_DATE_EPOCH") or os.environ.get("SOURCE_DATE_EPOCH")
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise BuildOptionError(f"invalid SOURCE_DATE_EPOCH: {value!r}", hint="seconds since 1970, e.g. 1700000000") from None


def read_dockerfile(req: BuildRequest):
    from ..syntax import parse, read_source

    if req.dockerfile_text is not None:
        return parse(req.dockerfile_text, path=req.dockerfile or "Dockerfile")
    path = req.dockerfile
    if path is None:
        if req.context is None:
            raise BuildOptionError("no Dockerfile: the context is `-`", hint="give the Dockerfile on stdin with `-` as context")
        path = os.path.join(req.context, "Dockerfile")
        if not os.path.exists(path) and os.path.exists(os.path.join(req.context, "Containerfile")):
            path = os.path.join(req.context, "Containerfile")
    text, name = read_source(path)
    return parse(text, path=name)


def _context(req: BuildRequest, store: Store, dockerfile_path: str | None):
    from ..contenthash.context import BuildContext, StatCache
    from ..frontend.dockerignore import PatternMatcher, parse_dockerignore

    if req.context is None:
        return None
    root = Path(req.context)
    if not root.is_dir():
        raise BuildOptionError(f"unable to prepare context: path {req.context!r} not found",
                               hint="the last argument is the build context directory (or - for none)")
    patterns: list[str] = []
    df_name = os.path.basename(dockerfile_path or "Dockerfile")
    candidates = [Path(dockerfile_path).parent / f"{df_name}.dockerignore"] if dockerfile_path else []
    candidates.append(root / ".dockerignore")
    for c in candidates:
        if c.is_file():
            patterns = parse_dockerignore(c.read_text(encoding="utf-8", errors="replace"))
            break
    matcher = PatternMatcher(patterns) if patterns else None
    cache = StatCache(Path(store.root) / "statcache.json")
    return BuildContext(root, matcher.matches if matcher else None, cache)


def _memo_key(req: BuildRequest, store: Store) -> str | None:
    if req.no_cache or req.no_cache_filter or req.pull or req.cache_from or req.cache_to or req.push:
        return None
    if any(o.push for o in req.outputs):
        return None
    from . import memo

    return memo.key_for(os.fspath(store.root), context=req.context, dockerfile=req.dockerfile,
                        dockerfile_text=req.dockerfile_text, build_args=req.build_args, target=req.target,
                        platform=req.platform, labels=req.labels, compression=req.compression,
                        network=req.network, secrets=list(req.secrets))


def build(req: BuildRequest, store: Store, progress: Progress) -> BuildResult:
    """Run a build; the image goes to the store (tagged), then to any other outputs."""
    started = time.monotonic()
    key = _memo_key(req, store)
    if key is not None:
        from . import memo

        hit = memo.lookup(store, key)
        if hit is not None:
            return _finish_hit(req, store, progress, hit, started)
    # One shared store lock for the whole build: GC waits, so nothing a step wrote is collected
    # before the cache record or the image that uses it is committed.
    with store.writing():
        return _build(req, store, progress, key, started)


def _names(req: BuildRequest) -> list[str]:
    names = list(req.tags)
    for o in req.outputs:
        if o.type == "image" and o.name:
            names += [n for n in o.name.split(",") if n]
    return names


def _finish_hit(req: BuildRequest, store: Store, progress: Progress, hit, started: float) -> BuildResult:
    from ..oci import mediatypes as mt

    v = progress.vertex("build cache: nothing changed since the last build of these inputs")
    progress.cached(v)
    names = _names(req)
    from ..store.reference import parse as parse_ref

    have = set(store.db.refs_of(hit.manifest_digest))
    if store.db.image(hit.manifest_digest) is None or not {str(parse_ref(n)) for n in names} <= have:
        with store.writing():
            store.add_image(hit.manifest_digest, names=names, media_type=mt.OCI_MANIFEST)
    written = [_export(store, o, hit.manifest_digest, names, req.compression) for o in req.outputs if o.type != "image"]
    return BuildResult(hit.manifest_digest, hit.config_digest, hit.config_digest, names, hit.steps, hit.steps,
                       time.monotonic() - started, written)


def _build(req: BuildRequest, store: Store, progress: Progress, memo_key: str | None, started: float) -> BuildResult:
    from ..frontend.args import parse_platform
    from ..frontend.plan import BuildError, make_plan
    from ..oci import mediatypes as mt
    from .image import build_config, build_manifest, encode
    from .solve import SolveOptions, Solver

    host = host_platform()
    platform: Platform = host
    if req.platform:
        try:
            platform = parse_platform(req.platform.split(",")[0])
        except ValueError as err:
            raise BuildOptionError(f"invalid platform {req.platform!r}: {err}") from None
        if (platform.os, platform.arch) != (host.os, host.arch):
            raise BuildOptionError(f"cannot build for {platform} on this {host} machine",
                                   hint="pybuild runs RUN steps natively; emulation is not supported")
    if req.context is not None and not os.path.isdir(req.context):
        raise BuildOptionError(f"unable to prepare context: path {req.context!r} not found",
                               hint="the last argument is the build context directory (or - for none)")
    df = read_dockerfile(req)
    epoch = _epoch(req.build_args)
    plan = make_plan(df, req.build_args, req.target, platform, host)
    for name in plan.unused_build_args:
        progress.log(f"[Warning] One or more build-args [{name}] were not consumed")
    context = _context(req, store, df.path if req.dockerfile not in (None, "-") else
                       (os.path.join(req.context, "Dockerfile") if req.context else None))
    opts = SolveOptions(build_args=req.build_args, no_cache=req.no_cache,
                        no_cache_filter=frozenset(x.lower() for x in req.no_cache_filter), platform=platform,
                        secrets=req.secrets, executor=req.executor, compression="none",
                        source_date_epoch=epoch, network=req.network, pull=req.pull)
    solver = Solver(store, df, plan, context, opts, progress, platform)
    if req.cache_from:
        from ..registry.cache import import_cache

        for spec in req.cache_from:
            solver.remote_caches.append(import_cache(store, spec))
    try:
        result = solver.solve()
    finally:
        if context is not None:
            context.cache.save()
    v = progress.vertex("exporting to image")
    progress.started(v)
    for layer in result.layers:  # layers that came from remote cache are fetched only now
        solver.ensure_blob(layer.digest)
    config = build_config(result, platform, epoch, req.labels)
    config_bytes = encode(config)
    with store.writing():
        config_digest = store.blobs.put_bytes(config_bytes)
        manifest = build_manifest(result, config_digest, len(config_bytes))
        for layer in manifest["layers"]:
            layer["mediaType"] = mt.to_oci(layer["mediaType"])
        manifest_bytes = encode(manifest)
        manifest_digest = store.blobs.put_bytes(manifest_bytes)
        outputs = req.outputs or [Output("image")]
        names = _names(req)
        store.add_image(manifest_digest, names=names, media_type=mt.OCI_MANIFEST)
    written = []
    for o in outputs:
        if o.type != "image":
            written.append(_export(store, o, manifest_digest, names, req.compression))
        elif o.push or req.push:
            from ..exporters.recompress import with_compression
            from ..registry.push import push_image

            if not names:
                raise BuildError("push needs a name", hint="add -t REGISTRY/REPO:TAG")
            pushed = with_compression(store, manifest_digest, o.compression or req.compression)
            for name in names:
                push_image(store, pushed, name)
                written.append(f"pushed:{name}")
    progress.done(v)
    if memo_key is not None:
        from . import memo

        from ..store.reference import parse as parse_ref

        memo.record(store, memo_key, manifest_digest, config_digest, [layer.digest for layer in result.layers],
                    solver.bases, solver.steps, names={n: str(parse_ref(n)) for n in names})
    if req.cache_to:
        from ..registry.cache import export_cache

        for spec in req.cache_to:
            export_cache(store, spec, solver.used_records, final_layers=[l.digest for l in result.layers],
                         cache_mounts=sorted(solver.used_cache_mounts))
    return BuildResult(manifest_digest, config_digest, config_digest, names, solver.steps, solver.cached_steps,
                       time.monotonic() - started, written)


def _export(store: Store, o: Output, digest: str, names: list[str], compression: str = "gzip") -> str:
    import sys

    from ..exporters.oci_layout import SaveItem, save_oci_dir, save_oci_tar
    from ..exporters.recompress import with_compression
    from ..exporters.tarwriter import atomic_output

    dest = o.dest
    if o.type in ("oci", "docker", "tar") and not dest:
        raise BuildOptionError(f"--output type={o.type} needs dest=FILE (or dest=- for standard output)")
    if o.type == "local" and not dest:
        raise BuildOptionError("--output type=local needs dest=DIRECTORY")
    if o.type == "oci":
        item = SaveItem.of(store, with_compression(store, digest, o.compression or compression), names)
        if dest == "-":
            save_oci_tar(store, [item], sys.stdout.buffer)
        elif o.dest and o.dest.endswith("/") or (os.path.isdir(dest)):
            save_oci_dir(store, [item], Path(dest))
        else:
            with atomic_output(Path(dest)) as f:
                save_oci_tar(store, [item], f)
        return f"oci:{dest}"
    if o.type == "docker":
        from ..exporters.docker_archive import docker_items, save_docker

        items = docker_items(store, [(digest, tuple(names))])
        if dest == "-":
            save_docker(store, items, sys.stdout.buffer)
        else:
            with atomic_output(Path(dest)) as f:
                save_docker(store, items, f)
        return f"docker:{dest}"
    if o.type in ("tar", "local"):
        from ..exporters.rootfs import export_rootfs
        from ..store.images import open_image

        view = open_image(store, store.db.image(digest))
        if o.type == "tar":
            if dest == "-":
                export_rootfs(store, view, sys.stdout.buffer)
            else:
                with atomic_output(Path(dest)) as f:
                    export_rootfs(store, view, f)
            return f"tar:{dest}"
        import tarfile
        import tempfile

        Path(dest).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile() as tmp:
            export_rootfs(store, view, tmp)
            tmp.seek(0)
            with tarfile.open(fileobj=tmp) as tf:
                tf.extractall(dest, filter="tar")
        return f"local:{dest}"
    raise BuildOptionError(f"unknown output type {o.type!r}", hint="use image, oci, docker, local or tar")
