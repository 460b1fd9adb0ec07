"""DL3035: do not use `zypper dist-upgrade`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import file_programs, run_commands, runs
from ._common2 import command_names

MESSAGE = "Do not use `zypper dist-upgrade`."
_PROGRAMS = frozenset({"zypper"})


@rule(
    code="DL3035",
    name="zypper-dist-upgrade",
    summary="Do not use `zypper dist-upgrade`",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3035",
    docs="""
What it does: flags `zypper dist-upgrade` and `zypper dup` in a RUN.

Why is this bad? A distribution upgrade inside a build moves the whole system to whatever is
newest on the day of the build, so two builds of the same Dockerfile differ. Choose a newer
base image instead.

Example:
    FROM opensuse/leap:15.5
    RUN zypper dup -y

Use instead:
    FROM opensuse/leap:15.6

Fix safety: no fix; the right base image is your choice.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if any(c.is_("zypper", "dist-upgrade", "dup") for c in run_commands(ctx, run)):
            yield Finding(ins.span, MESSAGE)
