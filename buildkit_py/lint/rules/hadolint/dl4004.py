"""DL4004: multiple `ENTRYPOINT` instructions found."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import repeated_in_stage

MESSAGE = ("Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then "
           "only the last `ENTRYPOINT` will take effect")


@rule(
    code="DL4004",
    name="multiple-entrypoint",
    summary="Multiple `ENTRYPOINT` instructions found",
    severity="error",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL4004",
    docs="""
What it does: flags every ENTRYPOINT after the first in a stage.

Why is this bad? Only the last ENTRYPOINT of a stage takes effect; the earlier ones do nothing
and mislead the reader about what the container runs.

Example:
    ENTRYPOINT ["/docker-entrypoint.sh"]
    ENTRYPOINT ["/usr/bin/tini", "--"]

Use instead:
    ENTRYPOINT ["/usr/bin/tini", "--", "/docker-entrypoint.sh"]

Fix safety: no fix; which ENTRYPOINT you meant is your choice.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in repeated_in_stage(ctx, A.Entrypoint):
        yield Finding(ins.span, MESSAGE)
