"""DL3046: `useradd` without flag `-l` and high UID will result in excessively large image."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs
from ._common2 import command_names

MESSAGE = "`useradd` without flag `-l` and high UID will result in excessively large Image."
_PROGRAMS = frozenset({"useradd"})


def _large_uid_without_l(cmd) -> bool:
    return (cmd.name == "useradd" and not cmd.has_flag("l", "no-log-init") and cmd.has_flag("u", "uid")
            and any(len(v) > 5 for v in cmd.flag_args("u")))


@rule(
    code="DL3046",
    name="useradd-without-no-log-init",
    summary="`useradd` without flag `-l` and high UID will result in excessively large Image",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3046",
    docs="""
What it does: flags `useradd -u UID` with a UID of six or more digits and without `-l`
(`--no-log-init`).

Why is this bad? useradd records the new user in /var/log/lastlog and /var/log/faillog, sparse
files indexed by UID. A layer cannot keep a file sparse, so a high UID writes gigabytes of
zeros into the image.

Example:
    RUN useradd -u 123456 app

Use instead:
    RUN useradd -l -u 123456 app

Fix safety: no fix offered.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if _PROGRAMS.isdisjoint(file_programs(ctx)):
        return
    for ins, run in runs(ctx):
        if _PROGRAMS.isdisjoint(command_names(ctx, run)):
            continue
        if any(_large_uid_without_l(c) for c in commands_named(ctx, run, "useradd")):
            yield Finding(ins.span, MESSAGE)
