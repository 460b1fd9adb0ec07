"""The result of a stage as an OCI image: config and manifest written to the store."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone

from ..frontend.args import Platform
from ..frontend.dispatch import image_config
from ..oci import mediatypes as mt
from .state import StageResult


def rfc3339(t: float) -> str:
    dt = datetime.fromtimestamp(t, tz=timezone.utc)
    if dt.microsecond:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_config(result: StageResult, platform: Platform, epoch: int | None, labels: dict[str, str]) -> dict:
    """The image config JSON object."""
    created = float(epoch) if epoch is not None else result.created
    state = result.state
    cfg = image_config(state)
    if labels:
        merged = dict(cfg.get("Labels") or {})
        merged.update(labels)
        cfg["Labels"] = merged
    history = [dict(h) for h in (result.base_config.get("history") or [])]
    for h in state.history:
        entry = {"created": rfc3339(created), "created_by": h.created_by, "comment": h.comment}
        if h.empty_layer:
            entry["empty_layer"] = True
        history.append(entry)
    if epoch is not None:
        for h in history:
            h["created"] = rfc3339(min(_parse_time(h.get("created")), float(epoch)))
    out = {
        "architecture": result.base_config.get("architecture") or platform.arch,
        "os": result.base_config.get("os") or platform.os,
    }
    variant = result.base_config.get("variant") or platform.variant
    if variant:
        out["variant"] = variant
    if state.author:
        out["author"] = state.author
    out["created"] = rfc3339(created)
    out["config"] = cfg
    out["rootfs"] = {"type": "layers", "diff_ids": [layer.diff_id for layer in result.layers]}
    out["history"] = history
    return out


def _parse_time(text: str | None) -> float:
    if not text:
        return 0.0
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def encode(obj: dict) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def build_manifest(result: StageResult, config_digest: str, config_size: int,
                   annotations: dict[str, str] | None = None) -> dict:
    m = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": {"mediaType": mt.OCI_CONFIG, "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}
                   for layer in result.layers],
    }
    if annotations:
        m["annotations"] = annotations
    return m


def now() -> float:
    return time.time()
