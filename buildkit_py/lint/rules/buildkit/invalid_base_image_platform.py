"""InvalidBaseImagePlatform: a base image pulled for another platform than the build's."""
from __future__ import annotations

from collections.abc import Iterator

from ....shell.goquote import go_quote
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import dispatched_stages, first_line
from ._from_checks import from_expansions
from ._support import PlatformError, host_platform, parse_platform


@rule(
    code="InvalidBaseImagePlatform",
    name="invalid-base-image-platform",
    summary="Base image platform does not match expected target platform",
    severity="warning",
    origin="buildkit",
    url="https://docs.docker.com/reference/build-checks/invalid-base-image-platform/",
    docs="""
What it does: flags a base image whose resolved platform (OS and architecture) differs from
the platform the stage is built for. It needs the images' platforms, which only a build knows:
the linter reports it when its caller passes them (`lint(..., image_platforms=...)`), as the
builder does; `pybuild lint` alone does not pull images.

Why is this bad? A base image for another architecture runs under emulation, or not at
all, and the result is an image whose binaries do not match its platform.

Example:
    FROM --platform=linux/arm64 myorg/base   # myorg/base only has linux/amd64

Use instead:
    publish myorg/base for every platform you build, or pick the matching image.

Fix safety: no fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    pulled = ctx.image_platforms
    if not pulled:
        return
    host = host_platform(ctx.target_platform)
    bases = ctx.scope.bases
    reachable = {s.index for s in dispatched_stages(ctx)}
    for stage, image, platform in from_expansions(ctx):
        if stage.index not in reachable or bases[stage.index] is not None or image.result not in pulled:
            continue
        try:
            want = parse_platform(platform.result if platform else ctx.target_platform, host)
            got = parse_platform(pulled[image.result], host)
        except PlatformError:
            continue
        if (want.os, want.arch) != (got.os, got.arch):
            expected = "/".join(x for x in (want.os, want.arch, want.variant) if x)
            actual = "/".join(x for x in (got.os, got.arch, got.variant) if x)
            msg = (f"Base image {image.result} was pulled with platform {go_quote(actual)}, "
                   f"expected {go_quote(expected)} for current build")
            yield Finding(first_line(stage.from_), msg)
