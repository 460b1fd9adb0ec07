"""DL3015: avoid additional packages with `--no-install-recommends`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import Cmd, add_flag_fix, commands_named, file_programs, runs

MESSAGE = "Avoid additional packages by specifying `--no-install-recommends`"


def installs_recommends(cmd: Cmd) -> bool:
    return cmd.is_("apt-get", "install") and not (
        cmd.has_flag("no-install-recommends") or cmd.has_arg("APT::Install-Recommends=false"))


@rule(
    code="DL3015",
    name="apt-get-no-install-recommends",
    summary="Avoid additional packages by specifying --no-install-recommends",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3015",
    docs="""
What it does: flags `apt-get install` without `--no-install-recommends` (or
`-o APT::Install-Recommends=false`).

Why is this bad? By default apt installs every recommended package too: documentation, daemons,
fonts, X libraries. They bloat the image and add to what must be patched, and the image rarely
needs them.

Example:
    RUN apt-get install -y python3

Use instead:
    RUN apt-get install -y --no-install-recommends python3

Fix safety: unsafe; adds `--no-install-recommends` after `install`, and a program may rely on a
recommended package being there.
""",
    fixable=True,
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "apt-get" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        bad = [c for c in commands_named(ctx, run, "apt-get") if installs_recommends(c)]
        if bad:
            fix = add_flag_fix(ctx, report, run, bad, "install", "--no-install-recommends", safe=False)
            yield Finding(report.span, MESSAGE, fix)
