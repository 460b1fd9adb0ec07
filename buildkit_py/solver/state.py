"""What a stage has built so far: its layers, its config state and its cache key."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..frontend.dispatch import StageState


@dataclass(frozen=True, slots=True)
class LayerRef:
    digest: str  # blob digest (compressed)
    diff_id: str
    size: int
    media_type: str


@dataclass
class StageResult:
    index: int
    layers: list[LayerRef]  # bottom first
    state: StageState
    key: str  # the cache key of the filesystem so far
    base_config: dict  # the base image's whole config (architecture, os, history, ...)
    created: float  # when the newest layer was first made (keeps cached rebuilds identical)
    snapshot_dirs: list[str] = field(default_factory=list)  # layer dirs, bottom first
    base_name: str = ""
    base_digest: str = ""

    def lowers(self) -> list[str]:
        """Layer directories, top first (overlayfs order)."""
        return list(reversed(self.snapshot_dirs))
