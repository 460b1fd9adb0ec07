"""DL3023: `COPY --from` cannot reference its own stage."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "`COPY --from` cannot reference its own `FROM` alias"


@rule(
    code="DL3023",
    name="copy-from-own-stage",
    summary="COPY --from cannot reference its own FROM alias",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3023",
    docs="""
What it does: flags `COPY --from=X` inside the stage named X. Names match without regard to
case, as BuildKit matches them (hadolint compares them exactly).

Why is this bad? A stage cannot copy from itself: BuildKit rejects the build with a circular
dependency. Files already in the stage are copied with `RUN cp`.

Example:
    FROM node:22 AS build
    COPY --from=build /app/dist /srv

Use instead:
    FROM node:22 AS build
    RUN cp -r /app/dist /srv

Fix safety: no fix; the intended source stage is unknown.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in ctx.stages:
        if not stage.name:
            continue
        for ins in stage.instructions:
            if isinstance(ins, A.Copy) and ins.from_ is not None and ins.from_.lower() == stage.name:
                yield Finding(ins.span, MESSAGE)
