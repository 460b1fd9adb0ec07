"""DL3003: use WORKDIR rather than `cd`."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import commands_named, file_programs, runs

MESSAGE = "Use WORKDIR to switch to a directory"


@rule(
    code="DL3003",
    name="use-workdir",
    summary="Use WORKDIR to switch to a directory",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3003",
    docs="""
What it does: flags a RUN that runs `cd` (anywhere in its script, also in subshells).

Why is this bad? A `cd` lasts only for its RUN: the next instruction starts in the WORKDIR again,
which surprises readers, and long `cd a && … && cd ../b` chains hide where things happen.

Example:
    RUN cd /usr/src/app && make

Use instead:
    WORKDIR /usr/src/app
    RUN make

Fix safety: no fix; a `cd` inside a longer script often cannot become a WORKDIR.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "cd" not in file_programs(ctx):
        return  # nothing to check in this file
    for report, run in runs(ctx, onbuild=False):
        if commands_named(ctx, run, "cd"):
            yield Finding(report.span, MESSAGE)
