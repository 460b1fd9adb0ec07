"""Platforms as `os/arch[/variant]` strings, the host's, and picking one manifest from an index."""
from __future__ import annotations

import platform as _platform
from collections.abc import Mapping, Sequence
from typing import Any

from ..records import dataclass
from .errors import InvalidInput

# uname machine -> GOARCH (and variant), the names OCI platforms use.
_MACHINES = {
    "x86_64": ("amd64", None), "amd64": ("amd64", None), "aarch64": ("arm64", None),
    "arm64": ("arm64", None), "armv7l": ("arm", "v7"), "armv6l": ("arm", "v6"),
    "i386": ("386", None), "i686": ("386", None), "ppc64le": ("ppc64le", None),
    "s390x": ("s390x", None), "riscv64": ("riscv64", None),
}


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def matches(self, d: Mapping[str, Any]) -> bool:
        """Does a descriptor's `platform` object name this platform (variant only when both have one)?"""
        if d.get("os") != self.os or d.get("architecture") != self.architecture:
            return False
        return not (self.variant and d.get("variant") and d.get("variant") != self.variant)


def host_platform() -> PlatformSpec:
    arch, variant = _MACHINES.get(_platform.machine().lower(), (_platform.machine().lower(), None))
    return PlatformSpec("linux", arch, variant)


def parse_platform(text: str) -> PlatformSpec:
    """`linux/arm64`, `linux/arm/v7`, or just `arm64` (linux implied)."""
    parts = [p for p in text.strip().lower().split("/")]
    if not parts or any(not p for p in parts) or len(parts) > 3:
        raise InvalidInput(f"invalid platform: {text!r}", hint="use os/arch[/variant], e.g. linux/arm64")
    if len(parts) == 1:
        parts = ["linux", *parts]
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(parts[1], parts[1])
    return PlatformSpec(parts[0], arch, parts[2] if len(parts) == 3 else None)


def select(manifests: Sequence[Mapping[str, Any]], want: PlatformSpec | None = None) -> Mapping[str, Any] | None:
    """The index entry for `want` (default: the host), else the only entry, else None."""
    want = want or host_platform()
    for d in manifests:
        p = d.get("platform")
        if isinstance(p, Mapping) and want.matches(p):
            return d
    usable = [d for d in manifests if not _is_attestation(d)]
    return usable[0] if len(usable) == 1 else None


def _is_attestation(d: Mapping[str, Any]) -> bool:
    # BuildKit stores provenance as an "unknown/unknown" platform entry next to the image.
    p = d.get("platform")
    return isinstance(p, Mapping) and p.get("os") == "unknown"
