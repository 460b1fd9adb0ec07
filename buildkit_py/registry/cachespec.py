"""`--cache-from` / `--cache-to` values, as docker spells them. Pure.

    type=registry,ref=host/repo:tag[,mode=min|max][,cache-mounts=true][,ignore-error=true]
    type=local,src=DIR[,tag=NAME]        (import)     type=local,dest=DIR[,tag=NAME]  (export)
    host/repo:tag                        (import shorthand for type=registry,ref=...)
"""
from __future__ import annotations

from ..records import dataclass

from .errors import BadInput

_TYPES_ELSEWHERE = {"gha", "s3", "azblob", "inline"}
_KEYS = {"type", "ref", "mode", "src", "dest", "tag", "cache-mounts", "ignore-error", "compression",
         "oci-mediatypes", "image-manifest"}


@dataclass(frozen=True)
class CacheSpec:
    type: str                 # "registry" or "local"
    ref: str | None = None    # registry reference
    path: str | None = None   # local layout directory (src for import, dest for export)
    tag: str = "latest"       # local: the name of the cache in the layout's index.json
    mode: str = "min"         # export: "min" (final image's layers) or "max" (every step)
    cache_mounts: bool = False
    ignore_error: bool = False


def _bool(value: str, key: str, spec: str) -> bool:
    if value.lower() in ("true", "1", ""):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise BadInput(f"invalid {key}={value!r} in cache spec {spec!r}", hint=f"use {key}=true or {key}=false")


def parse_spec(spec: str, *, export: bool) -> CacheSpec:
    """Parse one `--cache-from` (export=False) or `--cache-to` (export=True) value."""
    flag = "--cache-to" if export else "--cache-from"
    text = spec.strip()
    if not text:
        raise BadInput(f"empty {flag} value", hint="e.g. type=registry,ref=registry.example/app:buildcache")
    if "=" not in text.split(",", 1)[0]:
        if export:
            raise BadInput(f"{flag} needs type=...: {spec!r}", hint="e.g. type=registry,ref=" + text)
        return CacheSpec("registry", ref=text)
    fields: dict[str, str] = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        key = key.strip().lower()
        if not eq:
            raise BadInput(f"{flag}: {part!r} is not KEY=VALUE", hint="fields are separated by commas")
        if key not in _KEYS:
            raise BadInput(f"{flag}: unknown field {key!r}", hint="known: " + ", ".join(sorted(_KEYS)))
        fields[key] = value.strip()
    typ = fields.get("type", "registry" if "ref" in fields else "")
    if typ in _TYPES_ELSEWHERE:
        raise BadInput(f"{flag}: cache type {typ!r} is not supported by pybuild",
                       hint="use type=registry (any OCI registry) or type=local")
    if typ not in ("registry", "local"):
        raise BadInput(f"{flag}: unknown cache type {typ!r}", hint="use type=registry or type=local")
    mode = fields.get("mode", "min").lower()
    if mode not in ("min", "max"):
        raise BadInput(f"{flag}: invalid mode={mode!r}", hint="use mode=min or mode=max")
    if mode != "min" and not export:
        raise BadInput(f"{flag}: mode= applies to --cache-to only")
    mounts = _bool(fields.get("cache-mounts", "false"), "cache-mounts", spec)
    ignore = _bool(fields.get("ignore-error", "false"), "ignore-error", spec)
    if typ == "registry":
        ref = fields.get("ref")
        if not ref:
            raise BadInput(f"{flag}: type=registry needs ref=REGISTRY/REPO:TAG")
        return CacheSpec("registry", ref=ref, mode=mode, cache_mounts=mounts, ignore_error=ignore)
    key = "dest" if export else "src"
    path = fields.get(key)
    if not path:
        raise BadInput(f"{flag}: type=local needs {key}=DIRECTORY")
    tag = fields.get("tag", "latest") or "latest"
    return CacheSpec("local", path=path, tag=tag, mode=mode, cache_mounts=mounts, ignore_error=ignore)
