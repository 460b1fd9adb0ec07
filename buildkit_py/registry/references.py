"""Image references for registries: docker's normal form, and where to pull a repository from.

`python:3.8` is `docker.io/library/python:3.8`, served by `registry-1.docker.io`;
`host:5000/team/app:1@sha256:...` names host `host:5000`, repository `team/app`. Parsing is the
store's (`store.reference.parse`), so names mean the same locally and remotely.
"""
from __future__ import annotations

from ..store.reference import Reference, parse
from .client import Registry
from .config import load_config


def parse_remote(text: str) -> Reference:
    """A reference with its tag defaulted to `latest` unless it has a digest."""
    ref = parse(text, default_tag=False)
    return ref if ref.tag or ref.digest else ref.with_tag("latest")


def target(ref: Reference) -> str:
    """What goes after /manifests/: the digest when there is one (it wins over the tag), else the tag."""
    return ref.digest or ref.tag or "latest"


def pull_sources(ref: Reference) -> list[Registry]:
    """Registries to try for a pull, in order: the configured mirrors, then the origin."""
    mirrors = load_config().host(ref.domain).mirrors
    return [Registry(ref.domain, host=m) for m in mirrors] + [Registry(ref.domain)]
