"""DL3029: do not use `--platform` with FROM."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "Do not use --platform flag with FROM"


@rule(
    code="DL3029",
    name="from-platform-flag",
    summary="Do not use --platform flag with FROM",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3029",
    docs="""
What it does: flags `FROM --platform=…` unless the value uses `BUILDPLATFORM` or `TARGETPLATFORM`.

Why is this bad? A fixed platform (`--platform=linux/amd64`) ties the Dockerfile to one
architecture: `docker build --platform` is ignored for that stage and builds for other machines
silently get the wrong binaries, or run under emulation.

Example:
    FROM --platform=linux/amd64 golang:1.23

Use instead:
    FROM --platform=$BUILDPLATFORM golang:1.23

Fix safety: no fix; some stages really do need one platform.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in ctx.stages:
        platform = stage.from_.platform
        if platform is not None and "BUILDPLATFORM" not in platform and "TARGETPLATFORM" not in platform:
            yield Finding(stage.from_.span, MESSAGE)
