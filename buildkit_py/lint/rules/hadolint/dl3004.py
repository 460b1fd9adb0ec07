"""DL3004: do not use sudo."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs

MESSAGE = "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root"


@rule(
    code="DL3004",
    name="no-sudo",
    summary="Do not use sudo as it leads to unpredictable behavior",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3004",
    docs="""
What it does: flags a RUN (or `ONBUILD RUN`) that runs `sudo`.

Why is this bad? Build steps already run as the current USER, root unless you changed it; sudo
adds a dependency, reads a config that differs between images, and behaves unpredictably without
a terminal (password prompts, `requiretty`). To run as another user, switch with USER, or use a
tool made for containers such as gosu or su-exec.

Example:
    RUN sudo apt-get install -y curl

Use instead:
    USER root
    RUN apt-get install -y curl

Fix safety: no fix; dropping sudo changes which user runs the command.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "sudo" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        if commands_named(ctx, run, "sudo"):
            yield Finding(report.span, MESSAGE)
