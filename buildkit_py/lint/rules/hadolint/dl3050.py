"""DL3050: superfluous label(s) present."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common2 import label_pairs

MESSAGE = "Superfluous label(s) present."


@rule(
    code="DL3050",
    name="superfluous-label",
    summary="Superfluous label(s) present",
    severity="info",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3050",
    docs="""
What it does: with strict labels on (`strict_labels`, or `strict-labels` in .hadolint.yaml),
flags a LABEL that sets a label the label schema does not list.

Why is this bad? A strict schema is a promise that images carry exactly the agreed labels;
others are usually typos of agreed ones or leftovers.

Example (schema: `maintainer: email`, strict):
    LABEL maintainer="team@example.com" mantainer="team@example.com"

Use instead:
    LABEL maintainer="team@example.com"

Fix safety: no fix.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.config.strict_labels:
        return
    schema = ctx.config.label_schema
    for ins in ctx.instructions:
        if isinstance(ins, A.Label) and any(k not in schema for k, _ in label_pairs(ctx, ins)):
            yield Finding(ins.span, MESSAGE)
