"""FromPlatformFlagConstDisallowed: `FROM --platform=linux/amd64` with a constant."""
from __future__ import annotations

from collections.abc import Iterator

from ....shell.goquote import go_quote
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import first_line
from ._from_checks import from_expansions
from ._support import PlatformError, host_platform, parse_platform, url


@rule(
    code="FromPlatformFlagConstDisallowed",
    name="from-platform-flag-const-disallowed",
    summary="FROM --platform flag should not use a constant value",
    severity="warning",
    origin="buildkit",
    url=url("from-platform-flag-const-disallowed"),
    docs="""
What it does: flags `FROM --platform=` with a fixed platform such as `linux/amd64`, unless the
stage's name mentions that platform's OS or architecture (`AS build-amd64`).

Why is this bad? A fixed platform pins the stage whatever platform the image is built for:
a multi-platform build silently gets amd64 binaries in its arm64 image. Use
`$BUILDPLATFORM` for stages that only produce files, and `$TARGETPLATFORM` or nothing otherwise.

Example:
    FROM --platform=linux/amd64 golang:1.22 AS build

Use instead:
    FROM --platform=$BUILDPLATFORM golang:1.22 AS build

Fix safety: no fix; which variable is right depends on what the stage does.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    host = host_platform(ctx.target_platform)
    for stage, _, platform in from_expansions(ctx):
        if platform is None or platform.error is not None or platform.matched or platform.unmatched:
            continue
        try:
            p = parse_platform(platform.result, host)
        except PlatformError:
            continue  # the build fails on it later
        name = stage.name or ""
        if p.os in name or p.arch in name:
            continue
        msg = f"FROM --platform flag should not use constant value {go_quote(platform.result)}"
        yield Finding(first_line(stage.from_), msg, instruction=stage.from_)
