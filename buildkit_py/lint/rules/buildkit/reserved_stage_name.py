"""ReservedStageName: a stage named `scratch` or `context`."""
from __future__ import annotations

from collections.abc import Iterator

from ....shell.goquote import go_quote
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import at
from ._support import url

RESERVED = ("context", "scratch")


@rule(
    code="ReservedStageName",
    name="reserved-stage-name",
    summary="Reserved words should not be used as stage names",
    severity="warning",
    origin="buildkit",
    url=url("reserved-stage-name"),
    docs="""
What it does: flags stages named `scratch` or `context`.

Why is this bad? `scratch` is the empty image and `context` names the build context in
`--build-context`; a stage with either name shadows them and confuses readers and tools.

Example:
    FROM alpine AS scratch

Use instead:
    FROM alpine AS base

Fix safety: no fix; pick a name that says what the stage is.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in ctx.stages:
        if stage.name in RESERVED:
            ins = stage.from_
            word = ins.args[2] if len(ins.args) == 3 else None
            msg = f"Stage name should not use the same name as reserved stage {go_quote(stage.name)}"
            yield Finding(at(ins, word), msg)
