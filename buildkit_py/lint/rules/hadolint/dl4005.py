"""DL4005: use SHELL to change the default shell."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs
from ._common2 import command_names

MESSAGE = "Use SHELL to change the default shell"
_PROGRAMS = frozenset({"ln"})


@rule(
    code="DL4005",
    name="use-shell-instruction",
    summary="Use SHELL to change the default shell",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL4005",
    docs="""
What it does: flags `ln` that replaces /bin/sh (`ln -sf /bin/bash /bin/sh`).

Why is this bad? Relinking /bin/sh changes the shell for every program in the image, including
package scripts written for the original shell. The SHELL instruction changes only the shell
that RUN uses.

Example:
    RUN ln -sf /bin/bash /bin/sh

Use instead:
    SHELL ["/bin/bash", "-c"]

Fix safety: no fix; the two are not the same change.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if any(c.is_("ln", "/bin/sh") for c in commands_named(ctx, run, "ln")):
            yield Finding(ins.span, MESSAGE)
