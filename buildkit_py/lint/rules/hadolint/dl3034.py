"""DL3034: non-interactive switch missing from `zypper` command."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs
from ._common2 import command_names

MESSAGE = "Non-interactive switch missing from `zypper` command: `zypper install -y`"
_SUBCOMMANDS = ("install", "in", "remove", "rm", "source-install", "si", "patch")
_PROGRAMS = frozenset({"zypper"})


def _forgot_yes(cmd) -> bool:
    return cmd.is_("zypper", *_SUBCOMMANDS) and not cmd.has_flag("non-interactive", "n", "no-confirm", "y")


@rule(
    code="DL3034",
    name="zypper-non-interactive",
    summary="Non-interactive switch missing from `zypper` command",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3034",
    docs="""
What it does: flags `zypper install` (also `in`, `remove`, `rm`, `source-install`, `si`, `patch`)
without `-y`, `-n`, `--non-interactive` or `--no-confirm`.

Why is this bad? A build has no one to answer zypper's questions. Without a non-interactive
switch zypper waits for input that never comes, or gives up, and the build fails.

Example:
    RUN zypper install httpd=2.4.57

Use instead:
    RUN zypper install -y httpd=2.4.57

Fix safety: no fix; `-y` also accepts licences and other prompts you may want to see.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if any(_forgot_yes(c) for c in commands_named(ctx, run, "zypper")):
            yield Finding(ins.span, MESSAGE)
