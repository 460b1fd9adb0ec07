"""ExposeProtoCasing: `EXPOSE 80/TCP` instead of `80/tcp`."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule
from ._common import dispatched_stages, first_line
from ._expose import expose_ports, split_parts, split_proto
from ._support import url


@rule(
    code="ExposeProtoCasing",
    name="expose-proto-casing",
    summary="Protocol in EXPOSE instruction should be lowercase",
    severity="warning",
    origin="buildkit",
    url=url("expose-proto-casing"),
    fixable=True,
    docs="""
What it does: flags an EXPOSE port whose protocol is not lower case (`8080/TCP`).

Why is this bad? The image config stores the protocol lower-cased anyway; writing it another
way is inconsistent with every other Dockerfile and tool.

Example:
    EXPOSE 8080/TCP

Use instead:
    EXPOSE 8080/tcp

Fix safety: safe; the image does not change.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in dispatched_stages(ctx):
        for step in ctx.scope.steps(stage.index):
            if not isinstance(step.ins, A.Expose):
                continue
            for port, word in expose_ports(ctx, step):
                split = split_proto(split_parts(port)[2])
                if split is not None and split[1] != split[1].lower():
                    fix = None
                    if word is not None and word.value == port:
                        fix = Fix("Lower-case the protocol", (ctx.replace(step.ins.span_of(word), port.lower()),))
                    msg = f"Defined protocol '{port}' in EXPOSE instruction should be lowercase"
                    yield Finding(first_line(step.ins), msg, fix, instruction=step.ins)
