"""DuplicateStageName: two stages with the same name."""
from __future__ import annotations

from collections.abc import Iterator

from ....shell.goquote import go_quote
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import at
from ._support import url


@rule(
    code="DuplicateStageName",
    name="duplicate-stage-name",
    summary="Stage names should be unique",
    severity="warning",
    origin="buildkit",
    url=url("duplicate-stage-name"),
    docs="""
What it does: flags a stage whose name (compared without case) an earlier stage already has.

Why is this bad? References to the name (`FROM name`, `COPY --from=name`, `--target name`)
can only reach one of the stages, so the other is dead or reached by mistake.

Example:
    FROM debian AS build
    FROM alpine AS build

Use instead:
    FROM debian AS build-debian
    FROM alpine AS build-alpine

Fix safety: no fix; which stage to rename is your choice.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    seen: set[str] = set()
    for stage in ctx.stages:
        name = stage.name
        if not name:
            continue
        if name in seen:
            ins = stage.from_
            word = ins.args[2] if len(ins.args) == 3 else None
            yield Finding(at(ins, word), f"Duplicate stage name {go_quote(name)}, stage names should be unique")
        seen.add(name)
