"""ConsistentInstructionCasing: every instruction keyword in the same case."""
from __future__ import annotations

from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding, Fix
from ...rule import rule
from ._common import is_command, keyword_span
from ._support import url


@rule(
    code="ConsistentInstructionCasing",
    name="consistent-instruction-casing",
    summary="All commands within the Dockerfile should use the same casing (either upper or lower)",
    severity="warning",
    origin="buildkit",
    url=url("consistent-instruction-casing"),
    fixable=True,
    docs="""
What it does: counts the instruction keywords written all upper case and all lower case (in the
stages; global ARGs are not counted), and flags each keyword that differs from the majority,
including mixed-case ones such as `From`. A tie counts as upper case.

Why is this bad? One casing throughout makes a Dockerfile easier to scan.

Example:
    FROM alpine
    run echo hello

Use instead:
    FROM alpine
    RUN echo hello

Fix safety: safe; keywords are case-insensitive.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    keywords = []
    for stage in ctx.stages:
        keywords.append(stage.from_)
        keywords.extend(i for i in stage.instructions if is_command(i))
    lower = upper = 0  # keywords all lower case; all upper case (and so not also all lower case)
    for i in keywords:
        kw = i.keyword
        if kw == kw.lower():
            lower += 1
        elif kw == kw.upper():
            upper += 1
    majority_lower = lower > upper
    casing = "lowercase" if majority_lower else "uppercase"
    for ins in keywords:
        kw = ins.keyword
        want = kw.lower() if majority_lower else kw.upper()
        if kw != want:
            fix = Fix(f"Write '{want}'", (ctx.replace(keyword_span(ins), want),))
            yield Finding(keyword_span(ins), f"Command '{kw}' should match the case of the command majority ({casing})",
                          fix)
