"""PB001: `COPY requirements.txt.`: the space before the destination `.` is missing."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Edit, Finding, Fix
from ...rule import rule
from ._common import args_offset, file_offset


@rule(
    code="PB001",
    name="missing-space-before-destination",
    summary="COPY/ADD with one argument ending in `.`: the space before the destination is missing",
    severity="error",
    fixable=True,
    docs="""
What it does: flags a COPY or ADD with a single argument that ends in `.`, such as
`COPY requirements.txt.`, and offers to insert the missing space: `COPY requirements.txt .`.

Why is this bad? COPY and ADD need a source and a destination. Without the space the
whole word is taken as one argument, and the build stops with "COPY requires at least two
arguments", a message that does not point at the missing space.

Example:
    WORKDIR /app
    COPY requirements.txt.

Use instead:
    WORKDIR /app
    COPY requirements.txt .

Fix safety: safe. The instruction cannot build as written, and the fix only inserts one
space before the final `.`, which is what the author almost always meant. Exec (JSON)
form gets no automatic fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if not isinstance(ins, A.Invalid) or ins.keyword.upper() not in ("COPY", "ADD"):
            continue
        split = ins.raw.split
        args = split.args
        if len(args) != 1 or len(args[0]) < 2 or not args[0].endswith("."):
            continue
        start = args_offset(ins)
        dot = ins.line.rfind(".", start)
        if split.json or dot <= start:
            suggestion = f"{ins.keyword} {args[0][:-1]} ."
            yield Finding(ins.span, f"did you mean `{suggestion}`? (the space before the destination is missing)")
            continue
        suggestion = " ".join((ins.line[:dot] + " " + ins.line[dot:]).split())  # continuations read as one line
        at = file_offset(ctx, ins, dot)
        fix = None
        if ctx.source[at : at + 1] == ".":
            fix = Fix(f"insert a space: `{suggestion}`", (Edit(at, at, " "),), safe=True)
        yield Finding(ins.span, f"did you mean `{suggestion}`? (the space before the destination is missing)", fix)
