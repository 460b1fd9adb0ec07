"""DL3002: the last USER of a stage should not be root."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "Last USER should not be root"


def is_root(user: str) -> bool:
    return user in ("root", "0") or user.startswith(("root:", "0:"))


@rule(
    code="DL3002",
    name="last-user-root",
    summary="Last USER should not be root",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3002",
    docs="""
What it does: in each stage, flags the last `USER` instruction when it switches to root (`root`,
`0`, `root:…`, `0:…`). A stage that never sets USER is not flagged: the base image decides.

Why is this bad? Whatever runs from the image (its CMD, anything exec'ed into it) then runs as
root, so a compromised process owns the whole container and whatever is mounted into it.

Example:
    FROM debian:bookworm
    USER root
    RUN apt-get update

Use instead:
    FROM debian:bookworm
    USER root
    RUN apt-get update
    USER app

Fix safety: no fix; which user the program should run as is yours to choose.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in ctx.stages:
        last_root: A.Instruction | None = None
        for ins in stage.instructions:
            if isinstance(ins, A.User):
                last_root = ins if is_root(ins.user) else None
        if last_root is not None:
            yield Finding(last_root.span, MESSAGE)
