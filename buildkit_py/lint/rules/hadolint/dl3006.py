"""DL3006: always tag the version of an image explicitly."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import parse_image

MESSAGE = "Always tag the version of an image explicitly"


@rule(
    code="DL3006",
    name="image-not-tagged",
    summary="Always tag the version of an image explicitly",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3006",
    docs="""
What it does: flags `FROM image` with neither a tag nor a digest. `scratch`, an image name that
starts with a variable (`FROM $BASE`) and an earlier stage (`FROM builder`) are not flagged.
Stage names match without regard to case, as BuildKit matches them (hadolint compares them
exactly, so it flags `FROM Builder` after `AS builder`).

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
    stages: set[str] = set()
    for stage in ctx.stages:
        ref = parse_image(stage.from_.image)
        if ref.name != "scratch" and ref.digest is None and ref.tag is None:
            if not ref.name.startswith("$") and ref.name.lower() not in stages:
                yield Finding(stage.from_.span, MESSAGE)
        if stage.name:
            stages.add(stage.name)
