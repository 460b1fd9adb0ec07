"""DL3059: multiple consecutive `RUN` instructions."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import run_commands
from ._common2 import run_flags_key

MESSAGE = "Multiple consecutive `RUN` instructions. Consider consolidation."


@rule(
    code="DL3059",
    name="consecutive-run",
    summary="Multiple consecutive `RUN` instructions",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3059",
    docs="""
What it does: flags a RUN that directly follows another RUN with the same flags (`--mount`,
`--network`, `--security`) when each of the two runs a single command. RUNs that chain several
commands are left alone: splitting them was likely deliberate.

Why is this bad? Each RUN makes a layer. Two one-command RUNs in a row could be one, which makes
the image smaller when the second removes what the first wrote, and the build a step shorter.

Example:
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends curl=7.88.1-10

Use instead:
    RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10

Fix safety: no fix offered; joining RUNs changes the cache boundaries you may have chosen.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    previous: tuple[tuple, int] | None = None  # (flags, number of commands) of the RUN before
    for ins in ctx.instructions:
        if not isinstance(ins, A.Run):
            previous = None
            continue
        flags, count = run_flags_key(ins), len(run_commands(ctx, ins))
        if previous is None or previous[0] != flags or count > 1 or previous[1] > 1:
            previous = (flags, count)
        else:
            yield Finding(ins.span, MESSAGE)
