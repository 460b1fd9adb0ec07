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
MEMO_VERSION = "pybuild-memo-v1"


class MemoHit:
    """What the memo knows of a build (a plain class: `typing` costs a cached rebuild 4 ms)."""

    __slots__ = ("manifest_digest", "config_digest", "steps")

    def __init__(self, manifest_digest: str, config_digest: str, steps: int) -> None:
        self.manifest_digest, self.config_digest, self.steps = manifest_digest, config_digest, steps


def memo_key(dockerfile_text: str, dockerfile_name: str, context_digest: str, fields: dict[str, object]) -> str:
    body = json.dumps([MEMO_VERSION, hashlib.sha256(dockerfile_text.encode("utf-8", "surrogateescape")).hexdigest(),
                       dockerfile_name, context_digest, fields], sort_keys=True, separators=(",", ":"))
    return "memo:sha256:" + hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()


def key_for(store_root: str, *, context: str | None, dockerfile: str | None, dockerfile_text: str | None,
            build_args: dict[str, str], target: str | None, platform: str | None, labels: dict[str, str],
            compression: str, network: str, secrets: list[str]) -> str | None:
    """The memo key of a build request, or None when it cannot have one (missing Dockerfile...)."""
    if dockerfile_text is not None:
        text, path = dockerfile_text, dockerfile or "-"
    else:
        path = dockerfile or (os.path.join(context, "Dockerfile") if context else None)
        if path is None:
            return None
        try:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "surrogateescape")
        except OSError:
            return None  # the full build reports it properly
    ctx_digest = ""
    if context is not None:
        if not os.path.isdir(context):
            return None
        from ..contenthash.context import StatCache

        cache = StatCache(os.path.join(store_root, "statcache.json"))
        ctx_digest = context_digest(os.path.realpath(context), path if dockerfile not in (None, "-") else None, cache)
        try:
            cache.save()
        except OSError:
            pass
    fields = {"args": sorted(build_args.items()), "target": target, "platform": platform,
              "labels": sorted(labels.items()), "compression": compression, "network": network,
              "secrets": sorted(secrets), "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
              "context": os.path.realpath(context) if context else None}
    return memo_key(text, os.path.basename(path), ctx_digest, fields)


def context_digest(root: str, dockerfile_path: str | None, stat_cache) -> str:
    """Digest of the whole context as the build would see it (.dockerignore applied)."""
    from ..contenthash.context import BuildContext

    patterns = _ignore_patterns(root, dockerfile_path)
    excluded = None
    if patterns:
        from ..frontend.dockerignore import PatternMatcher

        excluded = PatternMatcher(patterns).matches
    return BuildContext(root, excluded, stat_cache).digest([""])


def _ignore_patterns(root: str, dockerfile_path: str | None) -> list[str]:
    candidates = []
    if dockerfile_path:
        candidates.append(f"{dockerfile_path}.dockerignore")
    candidates.append(os.path.join(root, ".dockerignore"))
    for c in candidates:
        if os.path.isfile(c):
            from ..frontend.dockerignore import parse_dockerignore

            with open(c, encoding="utf-8", errors="replace") as f:
                return parse_dockerignore(f.read())
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


def record(store, key: str, manifest: str, config: str, layers: list[str], bases: dict[str, str], steps: int,
           names: dict[str, str] | None = None) -> None:
    """Remember a build's result. `names`: tags as given -> as stored, and likewise for bases,
    so that probe() can check them with plain lookups."""
    from ..store.reference import parse as parse_ref

    base_names = {}
    for ref in bases:
        try:
            base_names[ref] = str(parse_ref(ref))
        except Exception:
            continue
    with store.writing():
        store.db.cache_put(key, {"manifest": manifest, "config": config, "layers": layers, "bases": bases,
                                 "base_names": base_names, "names": names or {}, "steps": steps,
                                 "pins": [manifest, config] + layers}, size=0)


def probe(root: str, key: str, tags: list[str]) -> MemoHit | None:
    """The memo's answer, read with sqlite alone (no store objects), when it needs no write:
    every base still resolves to the digest it had, every blob is there, and every tag given
    already names the image. Otherwise None, and the caller takes the normal path."""
    import sqlite3

    db_path = os.path.join(root, "metadata.db")
    if not os.path.exists(db_path):
        return None
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        row = con.execute("SELECT value FROM cache WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        v = json.loads(row[0])
        base_names = v.get("base_names") or {}
        for ref, digest in (v.get("bases") or {}).items():
            name = base_names.get(ref)
            if name is None:
                return None
            got = con.execute("SELECT digest FROM refs WHERE name = ?", (name,)).fetchone()
            if got is None or got[0] != digest:
                return None
        names = v.get("names") or {}
        for tag in tags:
            full = names.get(tag)
            if full is None:
                return None
            got = con.execute("SELECT digest FROM refs WHERE name = ?", (full,)).fetchone()
            if got is None or got[0] != v["manifest"]:
                return None
    except (sqlite3.Error, ValueError, KeyError):
        return None
    finally:
        con.close()
    blobs = os.path.join(root, "blobs", "sha256")
    for d in [v["manifest"], v["config"]] + list(v.get("layers") or []):
        if not os.path.exists(os.path.join(blobs, d.split(":", 1)[-1])):
            return None
    return MemoHit(v["manifest"], v["config"], int(v.get("steps") or 0))
