"""Cache keys: sha256 over a canonical encoding of what a step is and what it starts from."""
from __future__ import annotations

import hashlib
import json
from typing import Any

KEY_VERSION = "pybuild-cache-v1"


def cache_key(parent: str, kind: str, **definition: Any) -> str:
    """The key of a step: its parent's key, its kind and its fully expanded definition."""
    body = json.dumps([KEY_VERSION, parent, kind, definition], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=list)
    return "sha256:" + hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()


def base_key(manifest_digest: str, platform: str) -> str:
    """The key a stage starts from when based on an image (or scratch)."""
    return cache_key("", "from", image=manifest_digest, platform=platform)
