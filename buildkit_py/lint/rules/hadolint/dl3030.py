"""DL3030: use the `-y` switch with `yum install`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs

MESSAGE = "Use the -y switch to avoid manual input `yum install -y <package>`"


@rule(
    code="DL3030",
    name="yum-yes",
    summary="Use the -y switch to avoid manual input with yum install",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3030",
    docs="""
What it does: flags `yum install`, `yum groupinstall` and `yum localinstall` without `-y` (or
`--assumeyes`).

Why is this bad? yum asks for confirmation before installing; a build has no terminal, so the
answer is "no" and the step fails.

Example:
    RUN yum install httpd

Use instead:
    RUN yum install -y httpd

Fix safety: no fix offered.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "yum" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx):
        if any(c.is_("yum", "install", "groupinstall", "localinstall") and not c.has_flag("y", "assumeyes")
               for c in commands_named(ctx, run, "yum")):
            yield Finding(report.span, MESSAGE)
