"""DL4001: either use wget or curl but not both."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import file_programs
from ._common2 import command_names, onbuild_triggers, plain_stream

MESSAGE = "Either use Wget or Curl but not both"
_TOOLS = frozenset({"curl", "wget"})


@rule(
    code="DL4001",
    name="wget-and-curl",
    summary="Either use Wget or Curl but not both",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL4001",
    docs="""
What it does: flags RUNs that use `curl` or `wget` in a stage where both have been used.

Why is this bad? Two download tools do the same job; installing both makes the image larger and
gives two sets of options, proxies and certificate settings to get right.

Example:
    RUN curl -fsSLO https://example.com/a.tar.gz
    RUN wget -q https://example.com/b.tar.gz

Use instead:
    RUN curl -fsSLO https://example.com/a.tar.gz && curl -fsSLO https://example.com/b.tar.gz

Fix safety: no fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if not _TOOLS <= file_programs(ctx):
        return  # a stage can only use both where the file does
    for stream in (plain_stream(ctx), onbuild_triggers(ctx)):
        seen: set[str] = set()
        for report, ins in stream:
            if isinstance(ins, A.From):
                seen = set()
            elif isinstance(ins, A.Run):
                used = command_names(ctx, ins) & _TOOLS
                seen |= used
                if used and len(seen) >= 2:
                    yield Finding(report.span, MESSAGE)
