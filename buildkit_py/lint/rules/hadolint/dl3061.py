"""DL3061: invalid instruction order; a Dockerfile must begin with `FROM`, `ARG` or a comment."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment."


@rule(
    code="DL3061",
    name="instruction-before-from",
    summary="Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3061",
    docs="""
What it does: flags every instruction before the first FROM other than ARG.

Why is this bad? Only ARG may come before the first FROM (it declares build arguments that FROM
lines can use); anything else has no stage to belong to and the build fails.

Example:
    RUN echo hello
    FROM alpine:3.20

Use instead:
    FROM alpine:3.20
    RUN echo hello

Fix safety: no fix; moving the instruction into a stage changes what it does.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            return
        if not isinstance(ins, A.Arg):
            yield Finding(ins.span, MESSAGE)
