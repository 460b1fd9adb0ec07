"""Build arguments: --build-arg values, global ARGs, automatic platform ARGs, proxy ARGs."""
from __future__ import annotations

import platform as _platform

from ..records import dataclass

# Usable in RUN without an ARG line, and kept out of cache keys and history (as BuildKit does).
PROXY_ARGS = frozenset({
    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
    "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
})
# Build args BuildKit reads itself rather than passing to RUN as variables.
NON_ENV_ARGS = frozenset({"BUILDKIT_SYNTAX", "BUILDKIT_CACHE_MOUNT_NS", "BUILDKIT_INLINE_CACHE"})

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
         "i686": "386", "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


@dataclass(frozen=True, slots=True)
class Platform:
    os: str
    arch: str
    variant: str = ""

    def __str__(self) -> str:
        return f"{self.os}/{self.arch}" + (f"/{self.variant}" if self.variant else "")


def host_platform() -> Platform:
    machine = _platform.machine().lower()
    arch = _ARCH.get(machine, machine)
    return Platform("linux", arch, "v7" if arch == "arm" else "")


def parse_platform(text: str) -> Platform:
    """`linux/amd64`, `linux/arm64/v8`, `amd64` (os defaults to linux)."""
    parts = [p for p in text.strip().lower().split("/") if p]
    if not parts:
        raise ValueError("empty platform")
    if len(parts) == 1:
        parts = ["linux", parts[0]]
    arch = _ARCH.get(parts[1], parts[1])
    variant = parts[2] if len(parts) > 2 else ""
    if arch == "arm64" and variant == "v8":
        variant = ""
    return Platform(parts[0], arch, variant)


def platform_args(target: Platform, build: Platform) -> dict[str, str]:
    """The automatic platform ARGs (TARGETPLATFORM, BUILDARCH, ...)."""
    out = {}
    for prefix, p in (("TARGET", target), ("BUILD", build)):
        out[prefix + "PLATFORM"] = str(p)
        out[prefix + "OS"] = p.os
        out[prefix + "ARCH"] = p.arch
        out[prefix + "VARIANT"] = p.variant
    return out
