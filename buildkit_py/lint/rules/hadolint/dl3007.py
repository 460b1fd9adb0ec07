"""DL3007: do not use the `latest` tag."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import parse_image

MESSAGE = ("Using latest is prone to errors if the image will ever update. Pin the version explicitly "
           "to a release tag")


@rule(
    code="DL3007",
    name="image-latest-tag",
    summary="Using latest is prone to errors if the image will ever update",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3007",
    docs="""
What it does: flags `FROM image:latest` unless a digest pins it (`image:latest@sha256:…`).

Why is this bad? `latest` is just the tag a publisher moved most recently; it says nothing about
what you get, and the next build may get something else.

Example:
    FROM node:latest

Use instead:
    FROM node:22.11-bookworm-slim

Fix safety: no fix; only you know which release you want.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in ctx.stages:
        ref = parse_image(stage.from_.image)
        if ref.tag == "latest" and ref.digest is None:
            yield Finding(stage.from_.span, MESSAGE)
