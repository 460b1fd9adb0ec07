"""WorkdirRelativePath: a relative WORKDIR before any absolute one."""
from __future__ import annotations

from collections.abc import Iterator

from ....shell.lex import ShellExpansionError
from ....syntax import ast as A
from ....shell.goquote import go_quote
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import ancestors, dispatched_stages, first_line
from ._support import url


@rule(
    code="WorkdirRelativePath",
    name="workdir-relative-path",
    summary="Relative workdir without an absolute workdir declared within the build can have unexpected "
            "results if the base image changes",
    severity="warning",
    origin="buildkit",
    url=url("workdir-relative-path"),
    docs="""
What it does: flags the first WORKDIR of a stage (counting the stages it builds on) when its
path, after variable expansion, is relative.

Why is this bad? A relative WORKDIR is resolved against the base image's working directory,
which the image's authors may change in any release.

Example:
    FROM node:20
    WORKDIR app

Use instead:
    FROM node:20
    WORKDIR /app

Fix safety: no fix; we cannot know the directory the base image uses today.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    scope = ctx.scope
    for stage in dispatched_stages(ctx):
        done = any(isinstance(i, A.Workdir) for b in ancestors(scope, stage.index) for i in ctx.stages[b].instructions)
        if done:
            continue
        for step in scope.steps(stage.index):
            ins = step.ins
            if not isinstance(ins, A.Workdir):
                continue
            try:
                path = scope.lexer.process_word(ins.path, step.env)
            except ShellExpansionError:
                path = ins.path
            if not path.startswith("/"):
                yield Finding(first_line(ins), f"Relative workdir {go_quote(path)} can have unexpected results if the base "
                              "image changes", instruction=ins)
            break
