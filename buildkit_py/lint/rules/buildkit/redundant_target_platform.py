"""RedundantTargetPlatform: `FROM --platform=$TARGETPLATFORM`, which is the default."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Edit, Finding, Fix
from ...rule import rule
from ._common import first_line
from ._from_checks import from_expansions
from ._support import url


@rule(
    code="RedundantTargetPlatform",
    name="redundant-target-platform",
    summary="Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
    severity="warning",
    origin="buildkit",
    url=url("redundant-target-platform"),
    fixable=True,
    docs="""
What it does: flags `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).

Why is this bad? A stage is built for the target platform anyway; the flag adds noise and
suggests something special is going on. (`--platform=$BUILDPLATFORM` is the useful one.)

Example:
    FROM --platform=$TARGETPLATFORM alpine

Use instead:
    FROM alpine

Fix safety: safe; the flag is removed, which changes nothing.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    env = ctx.scope.meta.env
    for stage, _, platform in from_expansions(ctx):
        if platform is None or platform.error is not None:
            continue
        if platform.matched == {"TARGETPLATFORM"} and not platform.unmatched and platform.result == env["TARGETPLATFORM"]:
            ins = stage.from_
            fix = None
            flag = ins.flag("platform")
            if flag is not None and len(ins.flag_values("platform")) == 1:
                start, end = ctx.span_offsets(ins.span_of(flag))
                while end < len(ctx.source) and ctx.source[end] in " \t":
                    end += 1
                fix = Fix("Remove the --platform flag", (Edit(start, end, ""),))
            msg = f"Setting platform to predefined {platform.text} in FROM is redundant as this is the default behavior"
            yield Finding(first_line(ins), msg, fix, instruction=ins)
