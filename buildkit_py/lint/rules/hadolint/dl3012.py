"""DL3012: one HEALTHCHECK per stage."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

MESSAGE = "Multiple `HEALTHCHECK` instructions"


@rule(
    code="DL3012",
    name="multiple-healthchecks",
    summary="Multiple HEALTHCHECK instructions",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3012",
    docs="""
What it does: flags every `HEALTHCHECK` after the first one in the same stage.

Why is this bad? Only the last HEALTHCHECK of a stage takes effect; the earlier ones are dead
text that misleads the reader about how the container is checked.

Example:
    HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    HEALTHCHECK CMD wget -q --spider http://localhost/ || exit 1

Use instead:
    HEALTHCHECK CMD curl -f http://localhost/ || exit 1

Fix safety: no fix; which of the checks you meant is yours to say.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    seen = False
    for ins in ctx.instructions:
        if isinstance(ins, A.From):
            seen = False
        elif isinstance(ins, A.Healthcheck):
            if seen:
                yield Finding(ins.span, MESSAGE)
            seen = True
