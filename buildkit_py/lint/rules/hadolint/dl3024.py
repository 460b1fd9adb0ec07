"""DL3024: stage names must be unique."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "FROM aliases (stage names) must be unique"


@rule(
    code="DL3024",
    name="duplicate-stage-name",
    summary="FROM aliases (stage names) must be unique",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3024",
    docs="""
What it does: flags a `FROM … AS name` whose name an earlier stage already has. Names are
compared without regard to case, as BuildKit compares them (`AS Build` and `AS build` clash; to
hadolint they differ).

Why is this bad? `COPY --from=name`, `FROM name` and `--target name` can then mean only one of
the stages, and which one is not what a reader expects; BuildKit warns (DuplicateStageName).

Example:
    FROM golang:1.23 AS build
    FROM node:22 AS build

Use instead:
    FROM golang:1.23 AS build-api
    FROM node:22 AS build-web

Fix safety: no fix; renaming a stage means renaming its uses.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    seen: set[str] = set()
    for stage in ctx.stages:
        if stage.name is None:
            continue
        if stage.name in seen:
            yield Finding(stage.from_.span, MESSAGE)
        seen.add(stage.name)
