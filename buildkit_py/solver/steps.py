"""One stage, instruction by instruction: metadata in the config, RUN/COPY/ADD/WORKDIR as layers."""
from __future__ import annotations

import posixpath
import time
from dataclasses import replace
from pathlib import Path

from ..frontend import dispatch as D
from ..frontend.plan import StagePlan
from ..syntax import ast as A
from .keys import cache_key
from .solve import Solver, cleanup
from .state import LayerRef, StageResult

_META = (A.Env, A.Label, A.Arg, A.User, A.Cmd, A.Entrypoint, A.Shell, A.Expose, A.Volume,
         A.StopSignal, A.Healthcheck, A.Onbuild, A.Maintainer)


class Steps:
    def __init__(self, solver: Solver, sp: StagePlan) -> None:
        self.s = solver
        self.sp = sp
        self.df = solver.df
        self.no_cache = solver.no_cache_for(sp)
        self.n = len(sp.node.instructions) + 1

    def run(self) -> StageResult:
        res = self.s.base(self.sp)
        res = self._onbuild_triggers(res)
        for i, ins in enumerate(self.sp.node.instructions, start=2):
            label = f"[{self.s.stage_label(self.sp)}{i}/{self.n}] {self._title(ins, res)}"
            if isinstance(ins, _META):
                res.state = D.apply_meta(self.df, res.state, ins, self.s.opts.build_args, self.s.plan.global_args)
                continue
            if isinstance(ins, A.Workdir):
                res = self._workdir(res, ins, label)
            elif isinstance(ins, A.Run):
                from .run import run_step

                res = run_step(self, res, ins, label)
            elif isinstance(ins, (A.Copy, A.Add)):
                from .copy import copy_step

                res = copy_step(self, res, ins, label)
            else:
                raise self.s.error(ins, f"{ins.keyword} cannot be built", "check `pybuild lint` for this line")
        return res

    def _title(self, ins: A.Instruction, res: StageResult) -> str:
        text = " ".join(ins.line.split())
        return text if len(text) <= 120 else text[:117] + "..."

    def _onbuild_triggers(self, res: StageResult) -> StageResult:
        triggers = (res.base_config.get("config") or {}).get("OnBuild") or []
        if not triggers:
            return res
        from ..syntax import parse

        for expr in triggers:
            sub = parse(f"FROM scratch\n{expr}\n", path=f"ONBUILD of {self.sp.base}")
            ins = sub.instructions[1]
            label = f"[{self.s.stage_label(self.sp)}1/{self.n}] ONBUILD {expr}"
            if isinstance(ins, _META):
                res.state = D.apply_meta(sub, res.state, ins, self.s.opts.build_args, self.s.plan.global_args)
            elif isinstance(ins, A.Workdir):
                res = self._workdir(res, ins, label)
            elif isinstance(ins, A.Run):
                from .run import run_step

                res = run_step(self, res, ins, label)
            elif isinstance(ins, (A.Copy, A.Add)):
                from .copy import copy_step

                res = copy_step(self, res, ins, label)
        # triggers run once: the new image does not inherit them
        res.base_config = dict(res.base_config)
        res.base_config["config"] = {k: v for k, v in (res.base_config.get("config") or {}).items() if k != "OnBuild"}
        return res

    # ---- the cache ----------------------------------------------------------------------

    def lookup(self, key: str) -> dict | None:
        """A cached result for `key`: from the store, else from imported remote cache."""
        if self.no_cache:
            return None
        rec = self.s.store.db.cache_get(key)
        value = rec.value if rec is not None else None
        if value is None:
            for remote in self.s.remote_caches:
                value = remote.records.get(key)
                if value is not None:
                    break
        if value is None:
            return None
        layer = value.get("layer")
        if layer is not None and not self.s.store.blobs.has(layer["digest"]) and not self.s.remote_caches:
            return None  # the record outlived its layer (pruned): run the step again
        if rec is None:  # remember what remote cache gave us
            with self.s.store.writing():
                self.s.store.db.cache_put(key, value, size=0 if layer is None else layer.get("size", 0))
        self.s.used_records[key] = value
        return value


    def record(self, key: str, layer: LayerRef | None, created: float) -> None:
        value = {
            "layer": None if layer is None else {"digest": layer.digest, "diff_id": layer.diff_id,
                                                  "size": layer.size, "mediaType": layer.media_type},
            "created": created,
            "pins": [] if layer is None else [layer.digest],
        }
        with self.s.store.writing():
            self.s.store.db.cache_put(key, value, size=0 if layer is None else layer.size)
        self.s.used_records[key] = value

    def apply(self, res: StageResult, key: str, value: dict) -> StageResult:
        """The stage after a step whose result (from cache or just made) is `value`."""
        layer = value.get("layer")
        res = replace(res, key=key, layers=list(res.layers), snapshot_dirs=list(res.snapshot_dirs))
        if layer is not None:
            ref = LayerRef(layer["digest"], layer["diff_id"], layer["size"], layer["mediaType"])
            res.layers.append(ref)
            res.snapshot_dirs.append(None)  # unpacked when a later step needs the files
            res.created = max(res.created, float(value.get("created") or 0.0))
        return res

    def execute(self, res: StageResult, key: str, label: str, make, message: str) -> StageResult:
        """Run a filesystem step through the cache. `make(base, upper, vertex)` fills the upper dir."""
        s = self.s
        v = s.progress.vertex(label)
        s.steps += 1
        value = self.lookup(key)
        if value is not None:
            s.cached_steps += 1
            s.progress.cached(v)
        else:
            s.progress.started(v)
            base, upper, _work = s.snapshots.scratch()
            try:
                make(base, upper, v)
                layer = s.commit_upper(upper)
            except BaseException as err:
                s.progress.done(v, getattr(err, "message", None) or str(err) or type(err).__name__)
                raise
            finally:
                cleanup(base)
            created = time.time()
            self.record(key, layer, created)
            s.progress.done(v)
            value = {"layer": None if layer is None else {
                "digest": layer.digest, "diff_id": layer.diff_id, "size": layer.size,
                "mediaType": layer.media_type}, "created": created}
        res = self.apply(res, key, value)
        entry = D.HistoryEntry(message + " # buildkit", empty_layer=value.get("layer") is None)
        res.state = replace(res.state, history=res.state.history + (entry,))
        return res

    # ---- WORKDIR --------------------------------------------------------------------------

    def _workdir(self, res: StageResult, ins: A.Workdir, label: str) -> StageResult:
        from ..snapshot.copy import Writer, resolve_chown
        from ..snapshot.layeredfs import LayeredFS

        state, wd = D.workdir(self.df, res.state, ins)
        res = replace(res, state=state)
        if wd == "/":
            res.state = D.commit_workdir(res.state, wd, False)
            return res
        lower = LayeredFS(res.lowers())
        if lower.is_dir(wd):
            # BuildKit still records the mkdir; with nothing new the layer is empty
            res.state = D.commit_workdir(res.state, wd, False)
            return res
        key = cache_key(res.key, "workdir", path=wd, user=state.user)

        def make(base: Path, upper: Path, v) -> None:
            owner = resolve_chown(state.user, lower) if state.user else None
            w = Writer(upper, lower, owner=None, chmod=None)
            w.ensure_dir(wd, created_owner=owner)
            w.finish()

        before = res.state
        res = self.execute(res, key, label, make, f"WORKDIR {wd}")
        # history: WORKDIR entries are written without "# buildkit"
        last = res.state.history[-1]
        res.state = replace(res.state, history=before.history + (D.HistoryEntry(f"WORKDIR {wd}", last.empty_layer),))
        return res


def abs_path(workdir: str, path: str) -> str:
    """A destination relative to WORKDIR; a trailing slash is kept (it means a directory)."""
    trailing = path.endswith("/") or path in (".", "./") or path.endswith("/.")
    joined = posixpath.normpath(posixpath.join(workdir or "/", path))
    if joined.startswith("//"):
        joined = "/" + joined.lstrip("/")
    return joined.rstrip("/") + "/" if trailing and joined != "/" else joined
