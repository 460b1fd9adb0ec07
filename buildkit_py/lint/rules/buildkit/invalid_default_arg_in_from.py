"""InvalidDefaultArgInFrom: global ARG defaults that make an invalid FROM image."""
from __future__ import annotations

from collections.abc import Iterator

from ....shell.lex import ShellExpansionError
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ...scope import meta_args
from ._common import first_line
from ._support import url, valid_image_reference


@rule(
    code="InvalidDefaultArgInFrom",
    name="invalid-default-arg-in-from",
    summary="Default value for global ARG results in an empty or invalid base image name",
    severity="warning",
    origin="buildkit",
    url=url("invalid-default-arg-in-from"),
    docs="""
What it does: expands each FROM image with the global ARGs' default values only (as if no
`--build-arg` were passed) and flags it when the result is empty or not a valid image reference.

Why is this bad? The Dockerfile only builds when the caller remembers a build argument;
`docker build .` fails with a confusing error.

Example:
    ARG TAG
    FROM alpine:$TAG

Use instead:
    ARG TAG=3.20
    FROM alpine:$TAG

Fix safety: no fix; only you know the right default.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    scope = ctx.scope
    defaults = meta_args(ctx.dockerfile, scope.lexer, scope.predefined, None)
    if defaults.error is not None:
        return  # the build reports the bad default itself
    for stage in ctx.stages:
        try:
            image = scope.lexer.process_word(stage.from_.image, defaults.env)
        except ShellExpansionError:
            return
        if not valid_image_reference(image):
            msg = f"Default value for ARG {stage.from_.image} results in empty or invalid base image name"
            yield Finding(first_line(stage.from_), msg)
