"""DL3014: use the `-y` switch with `apt-get install`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import Cmd, add_flag_fix, commands_named, file_programs, runs

MESSAGE = "Use the `-y` switch to avoid manual input `apt-get -y install <package>`"


def asks_for_input(cmd: Cmd) -> bool:
    """`apt-get install` without `-y`/`--yes`/`--assume-yes`/`-qq`/`-q -q`/`-q=2`."""
    if not cmd.is_("apt-get", "install"):
        return False
    return not (cmd.has_flag("y", "yes", "qq", "assume-yes") or cmd.count_flag("q") == 2
                or cmd.count_flag("quiet") == 2 or cmd.has_arg("-q=2"))


@rule(
    code="DL3014",
    name="apt-get-yes",
    summary="Use the -y switch to avoid manual input",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3014",
    docs="""
What it does: flags `apt-get install` without `-y` (or `--yes`, `--assume-yes`, `-qq`, `-q=2`).

Why is this bad? Without it apt-get asks for confirmation; a build has no terminal, so the
question is answered "no" and the step fails — or, worse, only fails once an install needs more
packages than before.

Example:
    RUN apt-get install curl

Use instead:
    RUN apt-get install -y curl

Fix safety: unsafe; adds `-y` after `install`, which also accepts whatever else apt-get would
have asked about (removals, held packages, an install larger than before).
""",
    fixable=True,
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "apt-get" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        bad = [c for c in commands_named(ctx, run, "apt-get") if asks_for_input(c)]
        if bad:
            yield Finding(report.span, MESSAGE, add_flag_fix(ctx, report, run, bad, "install", "-y", safe=False))
