"""DL3027: use apt-get or apt-cache rather than apt."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule
from ._common import commands_named, file_programs, run_commands, runs, word_edit

MESSAGE = "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead"
# Subcommands apt-get has under the same name (search, show, list… are apt-cache's or apt's own).
_APT_GET = frozenset({"install", "update", "upgrade", "remove", "purge", "autoremove", "clean", "autoclean",
                      "dist-upgrade", "source", "build-dep", "download", "check", "satisfy", "autopurge"})


def _fix(ctx: LintContext, report: A.Instruction, run: A.Run) -> Fix | None:
    edits = []
    for cmd in run_commands(ctx, run):
        if cmd.name != "apt":
            continue
        words = [a for a in cmd.args if not a.startswith("-")]
        edit = word_edit(ctx, run, cmd, 0, "apt-get") if words and words[0] in _APT_GET else None
        if edit is None or report is not run:
            return None
        edits.append(edit)
    return Fix("Use apt-get instead of apt", tuple(edits), safe=False) if edits else None


@rule(
    code="DL3027",
    name="no-apt",
    summary="Do not use apt, use apt-get or apt-cache instead",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3027",
    docs="""
What it does: flags a RUN (or `ONBUILD RUN`) that runs `apt`.

Why is this bad? `apt` is made for people at a terminal: its output and defaults may change
between releases and it warns that it "does not have a stable CLI interface". Scripts should use
`apt-get` and `apt-cache`, whose behaviour is kept stable.

Example:
    RUN apt update && apt install -y curl

Use instead:
    RUN apt-get update && apt-get install -y curl

Fix safety: unsafe; renames each `apt` to `apt-get` when its subcommand exists in apt-get, but
they differ in details (`apt upgrade` may install new packages, `apt-get upgrade` never does).
No fix when some `apt` use has no apt-get twin (`apt search`, `apt list`).
""",
    fixable=True,
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "apt" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        if commands_named(ctx, run, "apt"):
            yield Finding(report.span, MESSAGE, _fix(ctx, report, run))
