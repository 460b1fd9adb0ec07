"""DL3038: use the -y switch to avoid manual input `dnf install -y <package>`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs
from ._common2 import command_names

MESSAGE = "Use the -y switch to avoid manual input `dnf install -y <package>`"
_DNF = ("dnf", "microdnf")
_PROGRAMS = frozenset({"dnf", "microdnf"})


def _forgot_yes(cmd) -> bool:
    return (cmd.is_(_DNF, "install", "groupinstall", "localinstall")
            and not cmd.has_flag("y", "assumeyes"))


@rule(
    code="DL3038",
    name="dnf-assume-yes",
    summary="Use the -y switch to avoid manual input `dnf install -y <package>`",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3038",
    docs="""
What it does: flags `dnf install` (also `groupinstall`, `localinstall`, and the same with
`microdnf`) without `-y` or `--assumeyes`.

Why is this bad? A build cannot answer dnf's confirmation prompt; without `-y` the install
stops and the build fails.

Example:
    RUN dnf install httpd-2.4.57

Use instead:
    RUN dnf install -y httpd-2.4.57

Fix safety: no fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if any(_forgot_yes(c) for name in _DNF for c in commands_named(ctx, run, name)):
            yield Finding(ins.span, MESSAGE)
