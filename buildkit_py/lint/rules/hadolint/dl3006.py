"""DL3006: always tag the version of an image explicitly."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule


@rule(
    code="DL3006",
    name="image-not-tagged",
    summary="Always tag the version of an image explicitly",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3006",
    docs="""
What it does: flags `FROM image` with neither a tag nor a digest.

Why is this bad? An untagged image means `latest`, which changes under you: two builds of the
same Dockerfile can get different bases.

Example:
    FROM debian

Use instead:
    FROM debian:bookworm-slim

Fix safety: no fix; only you know which version you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    stage_names = {s.name for s in ctx.stages if s.name}
    for stage in ctx.stages:
        image = stage.from_.image
        if image == "scratch" or image.lower() in stage_names or "$" in image:
            continue
        last = image.rsplit("/", 1)[-1]
        if ":" not in last and "@" not in image:
            yield Finding(stage.from_.span, "Always tag the version of an image explicitly")
