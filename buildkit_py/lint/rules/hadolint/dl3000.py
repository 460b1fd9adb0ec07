"""DL3000: use an absolute WORKDIR."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import drop_quotes

MESSAGE = "Use absolute WORKDIR"


def is_absolute(path: str) -> bool:
    """`/…`, a variable (`$HOME`), or a Windows drive path (`C:…`), quotes ignored."""
    path = drop_quotes(path)
    return path.startswith(("/", "$")) or (len(path) >= 2 and path[0].isalpha() and path[1] == ":")


@rule(
    code="DL3000",
    name="absolute-workdir",
    summary="Use absolute WORKDIR",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3000",
    docs="""
What it does: flags a `WORKDIR` whose path is relative. Paths that start with a variable
(`$APP_HOME`) and Windows drive paths (`C:\\app`) are taken as absolute.

Why is this bad? A relative WORKDIR is resolved against the previous one, which may have been set
in the base image or far above; where the files end up then depends on context the reader cannot
see. (hadolint crashes on a one-character relative path such as `WORKDIR a`; pybuild reports it.)

Example:
    WORKDIR app

Use instead:
    WORKDIR /app

Fix safety: no fix; the intended directory depends on the previous WORKDIR.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if isinstance(ins, A.Workdir) and not is_absolute(ins.path):
            yield Finding(ins.span, MESSAGE)
