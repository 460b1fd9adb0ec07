"""DL3026: use only an allowed registry (with `trusted_registries` configured)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import ImageRef, image_from_string, mounts, parse_image

MESSAGE = "Use only an allowed registry in the FROM image"


def registry_matches(pattern: str, registry: str) -> bool:
    """`*` matches any registry, `*.example.com` a suffix, `registry.*` a prefix, else equality."""
    if pattern == "*":
        return True
    if pattern.startswith("*"):
        return registry.endswith(pattern[1:])
    if pattern.endswith("*"):
        return registry.startswith(pattern[:-1])
    return registry == pattern


def allowed(ref: ImageRef, trusted: Sequence[str], stages: set[str]) -> bool:
    """An earlier stage, `scratch`, or an image from a trusted registry (no registry: Docker Hub)."""
    if not trusted or ref.name.lower() in stages:
        return True
    if ref.registry is not None:
        return any(registry_matches(p, ref.registry) for p in trusted)
    return ref.name == "scratch" or any(registry_matches(p, r) for p in trusted
                                        for r in ("docker.io", "hub.docker.com"))


@rule(
    code="DL3026",
    name="untrusted-registry",
    summary="Use only an allowed registry in the FROM image",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3026",
    docs="""
What it does: with `trusted_registries` configured (hadolint's `trustedRegistries`), flags a
FROM, a `COPY --from=image` and a `RUN --mount=…,from=image` (cache and bind mounts) whose image
comes from any other registry. An image without a registry comes from Docker Hub, allowed when
`docker.io` or `hub.docker.com` is trusted. Patterns: `*`, `*.example.com`, `registry.*`.
Earlier stages and `scratch` are always fine. Without the setting the rule reports nothing.

Why is this bad? Base images run with full trust inside your build and your production; an
organisation that mirrors and scans images wants every image to come through its own registry.

Example (trusted_registries = ["registry.example.com"]):
    FROM docker.io/library/python:3.12

Use instead:
    FROM registry.example.com/library/python:3.12

Fix safety: no fix; the mirror's name for an image is not known to the linter.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    trusted = tuple(ctx.config.trusted_registries)
    if not trusted:
        return
    stages: set[str] = set()
    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            if not allowed(parse_image(ins.image), trusted, stages):
                yield Finding(ins.span, MESSAGE)
            if ins.stage_name:
                stages.add(ins.stage_name.lower())
        elif isinstance(ins, A.Copy) and ins.from_ is not None:
            if not allowed(image_from_string(ins.from_), trusted, stages):
                yield Finding(ins.span, MESSAGE)
        elif isinstance(ins, A.Run):
            images = [image_from_string(m.from_ or "scratch") for m in mounts(ins) if m.type in ("cache", "bind")]
            if not all(allowed(ref, trusted, stages) for ref in images):
                yield Finding(ins.span, MESSAGE)
