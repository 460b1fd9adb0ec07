"""What several BuildKit checks share: suggestions, platform specifiers, image references, URLs."""
from __future__ import annotations

import functools
import re

from ....records import dataclass

DOCS = "https://docs.docker.com/go/dockerfile/rule/"


def url(slug: str) -> str:
    return f"{DOCS}{slug}/"


def levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """The edit distance; with `limit`, any answer >= `limit` may come back as `limit` (sooner)."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if limit is not None and min(cur) >= limit:
            return limit  # a row's smallest entry never shrinks further down
        prev = cur
    return prev[-1]


def suggest(value: str, options, case_sensitive: bool = True) -> str:
    """BuildKit's suggest.Search: the closest option under distance 3, "" if none or an exact match."""
    val = value if case_sensitive else value.lower()
    match, best = "", 3
    for opt in options:
        cmp = opt if case_sensitive else opt.lower()
        if cmp == val:
            return ""
        if abs(len(cmp) - len(val)) >= best:
            continue  # the distance is at least the difference in length
        dist = levenshtein(val, cmp, best)
        if dist < best:
            match, best = opt if case_sensitive else _match_case(cmp, value), dist
    return match


def _match_case(option: str, original: str) -> str:
    if original == original.lower():
        return option.lower()
    if original == original.upper():
        return option.upper()
    return option


# ---- platform specifiers (containerd's platforms.Parse) --------------------------------

_COMPONENT = re.compile(r"[A-Za-z0-9_.-]+\Z")
_OS = re.compile(r"([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?\Z")
_KNOWN_OS = frozenset("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 "
                      "solaris windows zos".split())
_KNOWN_ARCH = frozenset("386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips mipsle mips64 "
                        "mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 s390x sparc sparc64 wasm".split())


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform specifier split: `linux/arm64/v8` is os, arch and variant."""

    os: str
    arch: str
    variant: str = ""


class PlatformError(ValueError):
    pass


def _norm_arch(arch: str, variant: str) -> tuple[str, str]:
    arch, variant = arch.lower(), variant.lower()
    if arch == "i386":
        return "386", ""
    if arch in ("x86_64", "x86-64", "amd64"):
        return "amd64", "" if variant == "v1" else variant
    if arch in ("aarch64", "arm64"):
        return "arm64", {"8": "", "v8": "", "v8.0": "", "9": "v9", "9.0": "v9", "v9.0": "v9"}.get(variant, variant)
    if arch == "armhf":
        return "arm", "v7"
    if arch == "armel":
        return "arm", "v6"
    if arch == "arm":
        if variant in ("", "7"):
            return "arm", "v7"
        if variant in ("5", "6", "8"):
            return "arm", "v" + variant
    return arch, variant


def parse_platform(spec: str, host: Platform) -> Platform:
    """containerd's platforms.Parse, with its error messages. Raises PlatformError."""
    if "*" in spec:
        raise PlatformError(f'"{spec}": wildcards not yet supported: invalid argument')
    parts = spec.split("/", 3)
    m = _OS.match(parts[0])
    if m is None:
        raise PlatformError(
            f'"{parts[0]}" is an invalid OS component of "{spec}": OSAndVersion specifier component must match '
            f'"^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.%-]*)((?:\\+[A-Za-z0-9_.%-]+)*)\\))?$": invalid argument'
        )
    for part in parts[1:]:
        if not _COMPONENT.match(part):
            raise PlatformError(
                f'"{part}" is an invalid component of "{spec}": platform specifier component must match '
                f'"^[A-Za-z0-9_.-]+$": invalid argument'
            )
    os_ = m.group(1).lower()
    os_ = "darwin" if os_ == "macos" else os_
    if len(parts) == 1:
        if os_ in _KNOWN_OS:
            return Platform(os_, host.arch, host.variant if host.arch == "arm" and host.variant != "v7" else "")
        arch, variant = _norm_arch(parts[0], "")
        if arch in _KNOWN_ARCH:
            return Platform(host.os, arch, "" if (arch, variant) == ("arm", "v7") else variant)
        raise PlatformError(f'"{spec}": unknown operating system or architecture: invalid argument')
    if len(parts) == 2:
        arch, variant = _norm_arch(parts[1], "")
        return Platform(os_, arch, "" if (arch, variant) == ("arm", "v7") else variant)
    if len(parts) == 3:
        arch, variant = _norm_arch(parts[1], parts[2])
        return Platform(os_, arch, "v8" if arch == "arm64" and not variant else variant)
    raise PlatformError(f'"{spec}": cannot parse platform specifier: invalid argument')


def host_platform(spec: str) -> Platform:
    parts = spec.split("/")
    return Platform(parts[0], parts[1] if len(parts) > 1 else "amd64", parts[2] if len(parts) > 2 else "")


# ---- image references (distribution/reference's ParseNormalizedNamed) --------------------

_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_REFERENCE = re.compile(
    rf"((?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    r"(?::([\w][\w.-]{0,127}))?"
    r"(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?\Z"
)
_HEX64 = re.compile(r"[a-f0-9]{64}\Z")
_DIGEST_LEN = {"sha256": 64, "sha384": 96, "sha512": 128}


@functools.lru_cache(maxsize=1024)  # the same base images recur across a project's files
def valid_image_reference(name: str) -> bool:
    """Whether Docker would accept `name` as an image reference (`FROM name`)."""
    if not name or _HEX64.match(name):
        return False
    slash = name.find("/")
    if slash == -1 or (not any(c in name[:slash] for c in ".:") and name[:slash] != "localhost"
                       and name[:slash].lower() == name[:slash]):
        domain, rest = "docker.io", name
    else:
        domain, rest = name[:slash], name[slash + 1:]
    remote = re.split(r"[:@]", rest, maxsplit=1)[0]
    if remote.lower() != remote:
        return False
    m = _REFERENCE.match(f"{domain}/{rest}")
    if m is None or len(m.group(1)) > 255:
        return False
    digest = m.group(3)
    if digest:
        algo, _, hexpart = digest.partition(":")
        want = _DIGEST_LEN.get(algo)
        if want is None or len(hexpart) != want or hexpart.lower() != hexpart:
            return False
    return True
