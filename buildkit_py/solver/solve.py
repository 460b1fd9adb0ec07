"""Runs a build plan: each stage's steps in order, each step from cache when its key is known.

Keys chain through the filesystem-changing steps (RUN, COPY, ADD, WORKDIR); metadata
instructions only change the config, and the expanded values later steps see.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import field, replace
from pathlib import Path

from ..contenthash.context import BuildContext
from ..errors import PybuildError
from ..frontend import dispatch as D
from ..frontend.args import PROXY_ARGS, Platform
from ..frontend.plan import BuildError, BuildPlan, StagePlan, find_stage
from ..oci import mediatypes as mt
from ..oci.layer import write_layer_from_dir
from ..records import dataclass
from ..snapshot.layeredfs import LayeredFS
from ..snapshot.snapshots import Snapshots
from ..store import Store
from ..syntax import ast as A
from . import image as I
from .keys import base_key
from .progress import Progress
from .state import LayerRef, StageResult


@dataclass
class SolveOptions:
    build_args: Mapping[str, str] = field(default_factory=dict)
    no_cache: bool = False
    no_cache_filter: frozenset[str] = frozenset()
    platform: Platform | None = None
    secrets: Mapping[str, bytes] = field(default_factory=dict)  # id -> value
    executor: str = "auto"
    compression: str = "gzip"
    source_date_epoch: int | None = None
    network: str = "default"
    pull: bool = False


class Solver:
    def __init__(self, store: Store, df: A.Dockerfile, plan: BuildPlan, context: BuildContext | None,
                 opts: SolveOptions, progress: Progress, platform: Platform) -> None:
        self.store, self.df, self.plan, self.context = store, df, plan, context
        self.opts, self.progress, self.platform = opts, progress, platform
        self.snapshots = Snapshots(store.root)
        self.results: dict[int, StageResult] = {}
        self.lock = threading.Lock()
        self.steps = 0
        self.cached_steps = 0
        self.remote_caches: list = []  # imported --cache-from sources (registry.cache.RemoteCache)
        self.used_records: dict[str, dict] = {}
        self.bases: dict[str, str] = {}
        self.used_cache_mounts: set[str] = set()  # RUN --mount=type=cache directories (names) this build used  # image references this build resolved -> image digest  # cache records this build used or made (for --cache-to)
        self.total = sum(len(plan.stages[i].node.instructions) + 1 for i in plan.order)

    # ---- errors -------------------------------------------------------------------------

    def error(self, ins: A.Instruction, message: str, hint: str | None = None) -> BuildError:
        return BuildError(message, span=ins.span, path=self.df.path, source=self.df.source, hint=hint)

    # ---- stages -------------------------------------------------------------------------

    def solve(self, workers: int = 4) -> StageResult:
        """Build the plan's stages; a stage starts as soon as the stages it reads are built."""
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        from .steps import Steps

        self.snapshots.clean_stale()
        todo = list(self.plan.order)
        if len(todo) == 1 or workers <= 1:
            for i in todo:
                self.results[i] = Steps(self, self.plan.stages[i]).run()
            return self.results[self.plan.target]
        running: dict = {}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stage") as pool:
            while todo or running:
                for i in list(todo):
                    if all(d in self.results for d in self.plan.stages[i].deps):
                        todo.remove(i)
                        running[pool.submit(Steps(self, self.plan.stages[i]).run)] = i
                if not running:  # pragma: no cover - the plan's order guarantees progress
                    raise BuildError("the build graph has a cycle")
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = running.pop(fut)
                    try:
                        self.results[i] = fut.result()
                    except BaseException:
                        for other in running:
                            other.cancel()
                        raise
        return self.results[self.plan.target]

    def stage_label(self, sp: StagePlan) -> str:
        """BuildKit's step prefix: nothing for a one-stage build, else the stage's name."""
        if len(self.plan.order) == 1:
            return ""
        return f"{sp.name or f'stage-{sp.index}'} "

    def base(self, sp: StagePlan) -> StageResult:
        """The starting point of a stage: scratch, another stage, or an image from the store."""
        v = self.progress.vertex(f"[{self.stage_label(sp)}1/{len(sp.node.instructions) + 1}] FROM {sp.base}")
        if sp.base_stage is not None:
            self.progress.cached(v)
            parent = self.results[sp.base_stage]
            return replace(parent, index=sp.index, state=replace(parent.state, args=(), history=()),
                           base_config=self._stage_config(parent), layers=list(parent.layers),
                           snapshot_dirs=list(parent.snapshot_dirs))
        if sp.base == "scratch":
            self.progress.cached(v)
            return StageResult(sp.index, [], D.StageState(), base_key("scratch", str(self.platform)),
                               {"architecture": self.platform.arch, "os": self.platform.os}, 0.0,
                               unpack=self.layer_dir)
        self.progress.started(v)
        try:
            result = self._image_base(sp)
        except Exception as err:
            self.progress.done(v, str(err))
            raise
        self.progress.done(v)
        return result

    def _stage_config(self, parent: StageResult) -> dict:
        cfg = I.build_config(parent, self.platform, self.opts.source_date_epoch, {})
        return cfg

    def _image_base(self, sp: StagePlan) -> StageResult:
        from ..store.errors import ImageNotFound

        ins = sp.node.from_
        row = None
        if not self.opts.pull:
            try:
                row = self.store.resolve(sp.base)
            except ImageNotFound:
                row = None
        if row is None:
            row = self._pull(sp.base, ins)
        self.bases[sp.base] = row.digest
        manifest_digest, manifest = self._manifest_for_platform(row.digest)
        config = self.store.read_json(manifest["config"]["digest"])
        layers = []
        diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
        for desc, diff_id in zip(manifest.get("layers") or [], diff_ids):
            layers.append(LayerRef(desc["digest"], diff_id, desc["size"], desc["mediaType"]))
        state = D.from_image_config(config.get("config"))
        return StageResult(sp.index, layers, state, base_key(manifest_digest, str(self.platform)), config,
                           I._parse_time(config.get("created")), [None] * len(layers), sp.base, manifest_digest,
                           unpack=self.layer_dir)

    def _pull(self, ref: str, ins: A.Instruction):
        """Resolve a base image through its registry (FROM of an image not in the store, or --pull)."""
        from ..store.errors import ImageNotFound

        try:
            from ..registry.pull import pull_image
        except ImportError:
            pull_image = None
        if pull_image is None:
            try:
                return self.store.resolve(ref)
            except ImageNotFound:
                raise self.error(
                    ins, f"failed to resolve source metadata for {ref}: image not found in the local store",
                    "load it first: `pybuild load -i image.tar` or `pybuild import rootfs.tar NAME`",
                ) from None
        try:
            pull_image(self.store, ref, platform=str(self.platform))
        except PybuildError as err:
            raise self.error(ins, f"failed to resolve source metadata for {ref}: {err.message}", err.hint) from None
        return self.store.resolve(ref)

    def _manifest_for_platform(self, digest: str) -> tuple[str, dict]:
        doc = self.store.read_json(digest)
        if mt.is_index(doc.get("mediaType", "")) or "manifests" in doc:
            want = self.platform
            chosen = None
            for m in doc.get("manifests", []):
                p = m.get("platform") or {}
                if p.get("os") == want.os and p.get("architecture") == want.arch:
                    chosen = m
                    break
            if chosen is None:
                raise BuildError(f"no image for platform {want} in {digest}",
                                 hint="pass --platform matching one of the image's platforms")
            return chosen["digest"], self.store.read_json(chosen["digest"])
        return digest, doc

    # ---- layers -------------------------------------------------------------------------

    def commit_upper(self, upper: Path) -> LayerRef | None:
        """Turn an upper directory into a layer blob and a snapshot; None when nothing changed."""
        if not any(os.scandir(upper)):
            return None
        with self.store.writing():
            # The layer writer hashes what it writes: the blob takes its digest (no second pass).
            with self.store.blobs.writer(producer_hashes=True) as w:
                info = write_layer_from_dir(upper, w, compression=self.opts.compression,
                                            source_date_epoch=self.opts.source_date_epoch)
                w.commit(info.digest)
        self.snapshots.commit(upper, info.diff_id)
        return LayerRef(info.digest, info.diff_id, info.size, info.media_type)

    def layer_dir(self, layer: LayerRef) -> str:
        """A layer's unpacked directory (its blob fetched from remote cache first if need be)."""
        if not self.snapshots.has(layer.diff_id):
            self.ensure_blob(layer.digest)
        return str(self.snapshots.ensure(layer.diff_id, lambda: self.store.blobs.open(layer.digest), layer.media_type))

    def ensure_blob(self, digest: str) -> None:
        """Make a layer blob local: it is in the store, or one of the --cache-from sources has it."""
        if self.store.blobs.has(digest):
            return
        with self.lock:
            for remote in self.remote_caches:
                if remote.fetch(digest):
                    return
        raise BuildError(f"layer {digest} is neither in the store nor in the imported cache",
                         hint="rebuild with --no-cache")

    def stage_fs(self, ref: str, before: int, ins: A.Instruction) -> tuple[StageResult | None, LayeredFS | None]:
        """The filesystem of a stage named by `--from` (or None: an image reference)."""
        result = self.stage_result(ref, before, ins)
        return (result, LayeredFS(result.lowers())) if result is not None else (None, None)

    def stage_result(self, ref: str, before: int, ins: A.Instruction) -> StageResult | None:
        """The stage a `--from` names, without unpacking its files (None: an image reference)."""
        idx = find_stage(self.plan, ref, before)
        if idx is None:
            return None
        if idx not in self.results:
            raise self.error(ins, f"stage {ref!r} is not built before this step")
        return self.results[idx]

    def image_result(self, ref: str, ins: A.Instruction) -> StageResult:
        """An image used by `COPY --from=image` or `RUN --mount=from=image`, not yet unpacked."""
        sp = StagePlan(-1, None, A.Stage(-1, ins, ()), ref, None, None, ())  # type: ignore[arg-type]
        return self._image_base(sp)

    def image_fs(self, ref: str, ins: A.Instruction) -> tuple[StageResult, LayeredFS]:
        result = self.image_result(ref, ins)
        return result, LayeredFS(result.lowers())

    def proxies(self) -> dict[str, str]:
        return {k: v for k, v in self.opts.build_args.items() if k in PROXY_ARGS}

    def no_cache_for(self, sp: StagePlan) -> bool:
        return self.opts.no_cache or (sp.name is not None and sp.name in self.opts.no_cache_filter) \
            or str(sp.index) in self.opts.no_cache_filter


def cleanup(path: Path) -> None:
    def onerror(func, p, exc):
        try:
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=onerror)


Callback = Callable[[bytes], None]
