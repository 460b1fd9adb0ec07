"""Whole-build memo: when nothing a build reads has changed, its result is already known.

The memo key covers the Dockerfile's bytes, the digest of every file in the context (after
.dockerignore, through the stat cache: unchanged files are not read), the build arguments
and the flags that change the image. The memo records the base images it resolved; a hit is
used only if each still resolves to the same digest and the image's blobs are all present.
A hit gives exactly the image a full run would give, without importing the parser, the
solver or the sandbox — this is what makes a cached rebuild cheap.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MEMO_VERSION = "pybuild-memo-v1"


@dataclass(frozen=True)
class MemoHit:
    manifest_digest: str
    config_digest: str
    steps: int


def memo_key(dockerfile_text: str, dockerfile_name: str, context_digest: str, fields: dict[str, Any]) -> str:
    body = json.dumps([MEMO_VERSION, hashlib.sha256(dockerfile_text.encode("utf-8", "surrogateescape")).hexdigest(),
                       dockerfile_name, context_digest, fields], sort_keys=True, separators=(",", ":"))
    return "memo:sha256:" + hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()


def context_digest(root: Path, dockerfile_path: str | None, stat_cache) -> str:
    """Digest of the whole context as the build would see it (.dockerignore applied)."""
    from ..contenthash.context import BuildContext

    patterns = _ignore_patterns(root, dockerfile_path)
    excluded = None
    if patterns:
        from ..frontend.dockerignore import PatternMatcher

        excluded = PatternMatcher(patterns).matches
    return BuildContext(root, excluded, stat_cache).digest([""])


def _ignore_patterns(root: Path, dockerfile_path: str | None) -> list[str]:
    from ..frontend.dockerignore import parse_dockerignore

    candidates = []
    if dockerfile_path:
        candidates.append(Path(dockerfile_path).parent / f"{os.path.basename(dockerfile_path)}.dockerignore")
    candidates.append(root / ".dockerignore")
    for c in candidates:
        if c.is_file():
            return parse_dockerignore(c.read_text(encoding="utf-8", errors="replace"))
    return []


def lookup(store, key: str) -> MemoHit | None:
    rec = store.db.cache_get(key, touch=False)  # a hit writes nothing: no fsync on the fast path
    if rec is None:
        return None
    v = rec.value
    for ref, digest in (v.get("bases") or {}).items():
        try:
            if store.resolve(ref).digest != digest:
                return None
        except Exception:  # the base is gone or renamed: do the build
            return None
    needed = [v["manifest"], v["config"]] + list(v.get("layers") or [])
    if not all(store.blobs.has(d) for d in needed):
        return None
    return MemoHit(v["manifest"], v["config"], int(v.get("steps") or 0))


def record(store, key: str, manifest: str, config: str, layers: list[str], bases: dict[str, str], steps: int) -> None:
    with store.writing():
        store.db.cache_put(key, {"manifest": manifest, "config": config, "layers": layers, "bases": bases,
                                 "steps": steps, "pins": [manifest, config] + layers}, size=0)
