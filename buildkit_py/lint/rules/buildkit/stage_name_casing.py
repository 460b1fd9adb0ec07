"""StageNameCasing: stage names should be lowercase."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule
from ._common import at
from ._support import url


@rule(
    code="StageNameCasing",
    name="stage-name-casing",
    summary="Stage names should be lowercase",
    severity="warning",
    origin="buildkit",
    url=url("stage-name-casing"),
    fixable=True,
    docs="""
What it does: flags a stage name (`FROM image AS Name`) that has upper-case letters.

Why is this bad? Stage names are case-insensitive: BuildKit lower-cases them when it looks
them up. Writing `Builder` in one place and `builder` in another reads as two stages.

Example:
    FROM golang:1.22 AS Builder

Use instead:
    FROM golang:1.22 AS builder

Fix safety: safe; references to a stage already ignore case.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in ctx.stages:
        ins = stage.from_
        name = ins.stage_name
        if name and name != name.lower():
            word = ins.args[2] if len(ins.args) == 3 else None
            fix = None
            if word is not None:
                fix = Fix(f"Rename the stage to '{name.lower()}'", (ctx.replace(ins.span_of(word), name.lower()),))
            yield Finding(at(ins, word), f"Stage name '{name}' should be lowercase", fix, instruction=ins)
