"""DL3032: `yum clean all` missing after yum command."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import file_programs, run_commands, runs
from ._common2 import command_names, installs_then_cleans

MESSAGE = "`yum clean all` missing after yum command."
_PROGRAMS = frozenset({"yum"})


def _install(cmd) -> bool:
    return cmd.is_("yum", "install")


def _clean(cmd) -> bool:
    return cmd.is_("yum", "clean", "all") or cmd.is_("rm", "-rf", "/var/cache/yum/*")


@rule(
    code="DL3032",
    name="yum-clean-missing",
    summary="`yum clean all` missing after yum command",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3032",
    docs="""
What it does: flags a RUN that runs `yum install` without a later `yum clean all` (or
`rm -rf /var/cache/yum/*`) in the same RUN.

Why is this bad? yum keeps downloaded packages and metadata in /var/cache/yum. Left there, they
become part of the layer and make the image larger for nothing. Cleaning in a later RUN does not
help: the earlier layer still holds the files.

Example:
    RUN yum install -y httpd-2.4.57

Use instead:
    RUN yum install -y httpd-2.4.57 && yum clean all

Fix safety: no fix; where the clean belongs depends on the script.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if not installs_then_cleans(run_commands(ctx, run), _install, _clean):
            yield Finding(ins.span, MESSAGE)
