"""DL4003: multiple `CMD` instructions found."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import repeated_in_stage

MESSAGE = ("Multiple `CMD` instructions found. If you list more than one `CMD` then only the last "
           "`CMD` will take effect")


@rule(
    code="DL4003",
    name="multiple-cmd",
    summary="Multiple `CMD` instructions found",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL4003",
    docs="""
What it does: flags every CMD after the first in a stage.

Why is this bad? Only the last CMD of a stage takes effect; the earlier ones do nothing and
mislead the reader about what the container runs.

Example:
    CMD ["nginx"]
    CMD ["nginx", "-g", "daemon off;"]

Use instead:
    CMD ["nginx", "-g", "daemon off;"]

Fix safety: no fix; which CMD you meant is your choice.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in repeated_in_stage(ctx, A.Cmd):
        yield Finding(ins.span, MESSAGE)
