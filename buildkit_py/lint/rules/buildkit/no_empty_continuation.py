"""NoEmptyContinuation: empty lines inside a continued instruction."""
from __future__ import annotations

from collections.abc import Iterator

from ....errors import Span
from ...context import LintContext
from ...model import Edit, Finding, Fix
from ...rule import rule
from ._support import url


@rule(
    code="NoEmptyContinuation",
    name="no-empty-continuation",
    summary="Empty continuation lines will become errors in a future release",
    severity="warning",
    origin="buildkit",
    url=url("no-empty-continuation"),
    fixable=True,
    docs="""
What it does: flags blank lines inside an instruction that is continued with `\\`.

Why is this bad? The parser skips such lines today, but they usually mean a continuation
was meant to end there; a later Dockerfile syntax will reject them.

Example:
    RUN apt-get update && \\

        apt-get install -y curl

Use instead:
    RUN apt-get update && \\
        apt-get install -y curl

Fix safety: safe; the blank lines are dropped, which the parser does already.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    n_lines = len(ctx.lines)
    for ins in ctx.instructions:
        if not ins.empty_continuation_lines:
            continue
        last = ins.raw.pieces[-1].line  # BuildKit reports the line where the logical line ends
        edits = []
        for line in ins.empty_continuation_lines:
            start = ctx.offset(line, 1)
            end = ctx.offset(line + 1, 1) if line < n_lines else len(ctx.source)
            edits.append(Edit(start, end, ""))
        text = ctx.lines[last - 1].rstrip("\r")
        span = Span(last, 1, last, len(text) + 1)
        yield Finding(span, "Empty continuation line", Fix("Remove the empty continuation lines", tuple(edits)))
