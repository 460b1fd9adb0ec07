"""Image references by tag for the lean paths: store/reference.py's rules without its imports.

`store.reference` comes with the store package (dataclasses, the database, the blob store),
which is most of what the lean pull and push avoid. This is the same normalisation for
references without a digest — the only ones the lean paths take; None means "not one of
those", never a different answer (tests/registry/test_fastpath.py compares both on a table).
"""
from __future__ import annotations

import re

from ..refpatterns import COMPONENT as _COMPONENT
from ..refpatterns import DOMAIN as _DOMAIN
from ..refpatterns import HEX64 as _HEX64
from ..refpatterns import TAG as _TAG

_SHA256 = re.compile(r"sha256:[0-9a-f]{64}")


class Ref:
    """domain, path and tag of a full reference (a plain class: dataclasses import `inspect`)."""

    __slots__ = ("domain", "path", "tag")

    def __init__(self, domain: str, path: str, tag: str) -> None:
        self.domain, self.path, self.tag = domain, path, tag

    @property
    def repository(self) -> str:
        return f"{self.domain}/{self.path}"

    @property
    def familiar_repository(self) -> str:
        if self.domain != "docker.io":
            return self.repository
        rest = self.path.removeprefix("library/")
        return rest if rest != self.path and "/" not in rest else self.path

    def familiar(self) -> str:
        return f"{self.familiar_repository}:{self.tag}"

    def __str__(self) -> str:
        return f"{self.repository}:{self.tag}"


def parse(text: str) -> Ref | None:
    """`NAME[:TAG]` in full form, tag `latest` when none (as store.reference.parse and
    registry.references.parse_remote); None for a digest, an ID, or not a reference."""
    s = text.strip()
    if not s or "@" in s or _HEX64.fullmatch(s) or s.startswith("sha256:"):
        return None  # digests and IDs: the store resolves those
    name, tag = s, "latest"
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
        if not _TAG.fullmatch(tag):
            return None
    first, sep, rest = name.partition("/")
    if not sep or ("." not in first and ":" not in first and first != "localhost" and first.lower() == first):
        domain, path = "docker.io", name
    else:
        domain, path = first, rest
    if domain == "index.docker.io":
        domain = "docker.io"
    if domain == "docker.io" and "/" not in path:
        path = "library/" + path
    if not _DOMAIN.fullmatch(domain) or not all(_COMPONENT.fullmatch(c) for c in path.split("/")):
        return None
    if len(domain) + 1 + len(path) > 255:
        return None
    return Ref(domain, path, tag)


def is_digest(value: object) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None
