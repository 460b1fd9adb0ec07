"""Image references as docker spells them: `busybox` is `docker.io/library/busybox:latest`.

Stored in full form; shown in docker's short ("familiar") form. Pure functions.
"""
from __future__ import annotations

import re

from ..records import dataclass
from ..refpatterns import COMPONENT as _COMPONENT
from ..refpatterns import DOMAIN as _DOMAIN
from ..refpatterns import HEX64 as _HEX64
from ..refpatterns import TAG as _TAG
from .errors import InvalidInput

DEFAULT_DOMAIN = "docker.io"
DEFAULT_TAG = "latest"
_LEGACY_DOMAIN = "index.docker.io"
_OFFICIAL_PREFIX = "library/"

_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-f]{32,}")
_HINT = "a reference looks like NAME[:TAG][@DIGEST], e.g. busybox:1.36 or registry.example:5000/team/app"


@dataclass(frozen=True, slots=True)
class Reference:
    """A parsed image reference in full form."""

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def repository(self) -> str:
        """`docker.io/library/busybox`."""
        return f"{self.domain}/{self.path}"

    def __str__(self) -> str:
        out = self.repository
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out

    @property
    def familiar_repository(self) -> str:
        """`busybox` for docker.io/library/busybox, `me/app` for docker.io/me/app."""
        return familiar_repository(self.repository)

    def familiar(self) -> str:
        """The reference as docker prints it: `busybox:latest`."""
        out = self.familiar_repository
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out

    def with_tag(self, tag: str | None) -> Reference:
        return Reference(self.domain, self.path, tag, self.digest)


def familiar_repository(repository: str) -> str:
    """Strip the default domain and the `library/` prefix of official images."""
    domain, _, path = repository.partition("/")
    if domain != DEFAULT_DOMAIN:
        return repository
    if path.startswith(_OFFICIAL_PREFIX) and "/" not in path[len(_OFFICIAL_PREFIX):]:
        return path[len(_OFFICIAL_PREFIX):]
    return path


def familiar(name: str) -> str:
    """Short form of a stored full reference string."""
    return parse(name, default_tag=False).familiar()


def _split_domain(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    if not sep or ("." not in first and ":" not in first and first != "localhost"
                   and first.lower() == first):
        domain, remainder = DEFAULT_DOMAIN, name
    else:
        domain, remainder = first, rest
    if domain == _LEGACY_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in remainder:
        remainder = _OFFICIAL_PREFIX + remainder
    return domain, remainder


def parse(text: str, *, default_tag: bool = True) -> Reference:
    """Parse and normalize; adds `:latest` when there is neither tag nor digest (unless told not to)."""
    s = text.strip()
    if not s:
        raise InvalidInput("invalid reference format: empty name", hint=_HINT)
    if _HEX64.fullmatch(s):
        raise InvalidInput(
            f"invalid repository name ({s}), cannot specify 64-byte hexadecimal strings", hint=_HINT
        )
    name, at, digest = s.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        raise InvalidInput(f"invalid reference format: bad digest in {text!r}", hint=_HINT)
    tag = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
        if not _TAG.fullmatch(tag):
            raise InvalidInput(f"invalid reference format: bad tag in {text!r}", hint=_HINT)
    domain, path = _split_domain(name)
    if not _DOMAIN.fullmatch(domain):
        raise InvalidInput(f"invalid reference format: bad registry name in {text!r}", hint=_HINT)
    components = path.split("/")
    for comp in components:
        if not _COMPONENT.fullmatch(comp):
            if _COMPONENT.fullmatch(comp.lower()):
                raise InvalidInput(
                    f"invalid reference format: repository name ({path}) must be lowercase", hint=_HINT
                )
            raise InvalidInput(f"invalid reference format: {text!r}", hint=_HINT)
    if len(domain) + 1 + len(path) > 255:
        raise InvalidInput("invalid reference format: repository name must not be longer than 255 characters")
    if tag is None and not at and default_tag:
        tag = DEFAULT_TAG
    return Reference(domain, path, tag, digest or None)


def looks_like_reference(text: str) -> bool:
    """True when `text` parses as a reference (used to tell names from IDs)."""
    try:
        parse(text)
    except InvalidInput:
        return False
    return True
