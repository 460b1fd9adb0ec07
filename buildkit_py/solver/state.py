"""What a stage has built so far: its layers, its config state and its cache key."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import field

from ..frontend.dispatch import StageState
from ..records import dataclass


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
    snapshot_dirs: list[str | None] = field(default_factory=list)  # layer dirs, bottom first; None: not yet
    base_name: str = ""
    base_digest: str = ""
    unpack: Callable[[LayerRef], str] | None = field(default=None, repr=False)

    def lowers(self) -> list[str]:
        """Layer directories, top first (overlayfs order), unpacked the first time they are needed.

        A stage whose steps all come from the cache never needs its files, so its layers are
        neither downloaded (remote cache) nor unpacked unless a later step reads them.
        """
        for i, d in enumerate(self.snapshot_dirs):
            if d is None:
                assert self.unpack is not None
                self.snapshot_dirs[i] = self.unpack(self.layers[i])
        return [d for d in reversed(self.snapshot_dirs) if d is not None]
