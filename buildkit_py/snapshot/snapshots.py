"""Unpacked layers on disk, one directory per diff_id, in overlayfs format.

A step's root filesystem is the stack of its parent layers' directories (overlayfs lowerdirs);
its changes are written to a fresh upper directory, which becomes the new layer's directory.
Everything is created under a temporary name and renamed into place, so a killed build
leaves at most a stray temporary directory (removed on the next run).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from ..oci.layer import apply_layer, write_layer_from_dir


class Snapshots:
    def __init__(self, store_root: Path) -> None:
        self.root = Path(store_root) / "snapshots"
        self.tmp = Path(store_root) / "tmp"
        self.root.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, diff_id: str) -> Path:
        return self.root / diff_id.split(":", 1)[-1]

    def has(self, diff_id: str) -> bool:
        return self.path(diff_id).is_dir()

    def ensure(self, diff_id: str, open_blob, media_type: str | None = None) -> Path:
        """The directory of a layer, unpacked from its blob the first time it is needed."""
        dest = self.path(diff_id)
        if dest.is_dir():
            return dest
        work = Path(tempfile.mkdtemp(prefix="unpack-", dir=self.tmp))
        try:
            target = work / "layer"
            target.mkdir()
            with open_blob() as blob:
                apply_layer(blob, target, media_type=media_type, expected_diff_id=diff_id, overlay_whiteouts=True)
            try:
                os.rename(target, dest)
            except OSError:
                if not dest.is_dir():  # another process may have unpacked it meanwhile
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return dest

    def scratch(self) -> tuple[Path, Path, Path]:
        """A new (base, upper, work) triple for one step."""
        base = Path(tempfile.mkdtemp(prefix="step-", dir=self.tmp))
        upper, work = base / "upper", base / "work"
        upper.mkdir()
        work.mkdir()
        return base, upper, work

    def commit(self, upper: Path, diff_id: str) -> Path:
        """Keep a step's upper directory as the snapshot of the layer made from it."""
        dest = self.path(diff_id)
        if dest.is_dir():
            shutil.rmtree(upper, ignore_errors=True)
            return dest
        os.rename(upper, dest)
        return dest

    def clean_stale(self, max_age: float = 3600.0) -> None:
        """Remove temporary directories left by killed builds."""
        now = time.time()
        for entry in self.tmp.iterdir():
            try:
                if now - entry.stat().st_mtime > max_age:
                    _force_rmtree(entry)
            except FileNotFoundError:
                continue


def prune_snapshots(store, *, cache_mounts: bool = False) -> int:
    """Remove layer directories no image or cache record in the store still uses; with
    `cache_mounts`, also every RUN --mount=type=cache directory. Returns bytes freed (approx.)."""
    import json

    root = Path(store.root)
    keep: set[str] = set()
    for row in store.db.images():
        try:
            for node in store.walk(row.digest, row.media_type):
                if node.role == "config" and node.present:
                    cfg = json.loads(store.blobs.read_bytes(node.digest))
                    keep.update(d.split(":", 1)[-1] for d in (cfg.get("rootfs") or {}).get("diff_ids") or [])
        except Exception:  # a damaged image keeps nothing alive; fsck reports it
            continue
    for rec in store.db.cache_records():
        layer = (rec.value or {}).get("layer") or {}
        if layer.get("diff_id"):
            keep.add(layer["diff_id"].split(":", 1)[-1])
    freed = 0
    targets = []
    snap_dir = root / "snapshots"
    if snap_dir.is_dir():
        targets += [p for p in snap_dir.iterdir() if p.name not in keep]
    if cache_mounts and (root / "cache-mounts").is_dir():
        targets += list((root / "cache-mounts").iterdir())
    if (root / "downloads").is_dir():
        targets += list((root / "downloads").iterdir())
    for p in targets:
        freed += _du(p)
        if p.is_dir() and not p.is_symlink():
            _force_rmtree(p)
        else:
            p.unlink(missing_ok=True)
    return freed


def _du(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_size
            except OSError:
                pass
    return total


def _force_rmtree(path: Path) -> None:
    def onerror(func, p, exc):  # overlay work dirs hold a root-only, mode-0 "work" subdirectory
        try:
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=onerror)


__all__ = ["Snapshots", "write_layer_from_dir"]
