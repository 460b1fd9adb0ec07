"""DL3001: commands that make no sense in a container build (ssh, vim, service, …)."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs

MESSAGE = ("For some bash commands it makes no sense running them in a Docker container like `ssh`, "
           "`vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`")
# hadolint's list; its message also names `ifconfig`, which it does not look for.
INTERACTIVE = frozenset({"free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim"})


@rule(
    code="DL3001",
    name="pointless-command",
    summary="Commands like ssh, vim, shutdown, service, ps, free, top, kill and mount make no sense in a RUN",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3001",
    docs="""
What it does: flags a RUN (or `ONBUILD RUN`) that runs `ssh`, `vim`, `shutdown`, `service`, `ps`,
`free`, `top`, `kill` or `mount`.

Why is this bad? A build step runs once, without a terminal, in a throw-away container: an
editor waits for input that never comes, `service x start` starts a daemon that dies with the
step, and `ps`, `top` or `free` describe the build machine, not the image.

Example:
    RUN service nginx start

Use instead:
    CMD ["nginx", "-g", "daemon off;"]

Fix safety: no fix; what was intended differs from case to case.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if INTERACTIVE.isdisjoint(file_programs(ctx)):
        return
    for report, run in runs(ctx):
        if any(commands_named(ctx, run, name) for name in INTERACTIVE):
            yield Finding(report.span, MESSAGE)
