"""InvalidDefinitionDescription (experimental): a comment above ARG or FROM that is not its description."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import first_line, is_command
from ._support import url


@rule(
    code="InvalidDefinitionDescription",
    name="invalid-definition-description",
    summary="Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. "
            "If this is not intended to be a description comment, add an empty line or comment between the "
            "instruction and the comment.",
    severity="warning",
    origin="buildkit",
    url=url("invalid-definition-description"),
    experimental=True,
    docs="""
What it does: (experimental; enable with `--experimental` or `# check=experimental=...`)
flags a comment directly above a named FROM or an ARG whose last line does not start with the
stage's or argument's name.

Why is this bad? Tools (`docker buildx build --call=outline`, `--call=targets`) show a comment
of the form `# name description` as the documentation of that stage or argument. Other
comments right above are taken for malformed descriptions.

Example:
    # the version of Go to build with
    ARG GO_VERSION=1.22

Use instead:
    # GO_VERSION the version of Go to build with
    ARG GO_VERSION=1.22

Fix safety: no fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if not ins.comments or not is_command(ins):
            continue
        if isinstance(ins, A.From) and ins.stage_name:
            kind, keys = "FROM", [ins.stage_name.lower()]
        elif isinstance(ins, A.Arg):
            kind, keys = "ARG", [d.key for d in ins.definitions]
        else:
            continue
        if not keys or ins.comments[-1].split(" ")[0] in keys:
            continue
        example = keys[0] if len(keys) == 1 else "<arg_key>"
        yield Finding(first_line(ins), f"Comment for {kind} should follow the format: `# {example} <description>`",
                      instruction=ins)
